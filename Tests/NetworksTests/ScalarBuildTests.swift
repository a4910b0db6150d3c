import Foundation
import Testing
import TestSupport

/// The C kernels compile without intrinsics (`IP_SCALAR_ONLY`, cpu_features.h), as on a
/// processor without AVX2: no wide path is left in the objects, every probe says no, and
/// the scalar paths give the documented results.
@Suite("C kernels: the scalar build")
struct ScalarBuildTests {
    /// The C compiler of the Swift toolchain (it builds CKernels), if it can be found.
    static let compiler: String? = ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/cc"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let driver = """
    #include "CKernels.h"
    #include <math.h>
    #include <stdio.h>
    #include <string.h>
    int main(void) {
        if (ip_cpu_has_avx2_fma() || ip_cpu_has_f16c() || ip_half_narrow_available()) { puts("a probe says yes"); return 1; }
        float x[9] = {1.0f, 65504.0f, 65520.0f, 5.9604645e-08f, 2.9802322e-08f, 1.00048828125f, -0.0f, NAN, 1.00146484375f};
        uint16_t want[9] = {0x3c00, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x3c00, 0x8000, 0x7e00, 0x3c02};
        uint16_t got[9];
        ip_half_narrow(x, got, 9);
        for (int i = 0; i < 9; i++) if (got[i] != want[i]) { printf("half %d: %04x, want %04x\\n", i, got[i], want[i]); return 1; }
        // A dense layer, wide requested: the scalar path gives x·W + b.
        float in[6] = {1, 2, 3, -1, 0.5f, 2}, w[6] = {0.5f, -1, 2, 0.25f, -0.5f, 1}, b[2] = {0.1f, -0.2f}, y[4];
        ip_dense_forward(1, in, 2, 3, w, b, 2, y);
        float expect[4] = {1 * 0.5f + 2 * 2 + 3 * -0.5f + 0.1f, 1 * -1 + 2 * 0.25f + 3 * 1 - 0.2f,
                           -1 * 0.5f + 0.5f * 2 + 2 * -0.5f + 0.1f, -1 * -1 + 0.5f * 0.25f + 2 * 1 - 0.2f};
        for (int i = 0; i < 4; i++) if (fabsf(y[i] - expect[i]) > 1e-6f) { printf("dense %d: %g, want %g\\n", i, y[i], expect[i]); return 1; }
        // Adam's step, wide requested: the scalar path.
        float theta[3] = {1, -1, 0.5f}, g[3] = {0.5f, -0.25f, 0}, m[3] = {0}, v[3] = {0};
        ip_adam_update(1, theta, g, m, v, 3, 0.9f, 0.999f, 1e-8f, 0.1f, 0);
        float m0 = (1.0f - 0.9f) * 0.5f, v0 = (1.0f - 0.999f) * 0.5f * 0.5f;
        if (fabsf(theta[0] - (1 - 0.1f * m0 / (sqrtf(v0) + 1e-8f))) > 1e-6f) { printf("adam %g\\n", theta[0]); return 1; }
        // The binning pass refuses rows wider than its table.
        uint64_t keys[16] = {0}; int32_t counts[16] = {0}, used[1]; int64_t per_class[1]; int32_t labels[1] = {0};
        float row[65] = {0};
        if (ip_binning_count(1, row, 1, 65, 0, 1, 1, 1, labels, 1, keys, counts, 16, 60, used, per_class) != -1) { puts("binning: 65 units taken"); return 1; }
        puts("ok");
        return 0;
    }
    """

    @Test(.enabled(if: compiler != nil, "no C compiler found"))
    func theKernelsCompileAndRunWithoutIntrinsics() throws {
        let compiler = try #require(Self.compiler)
        let folder = TestSupport.temporaryDirectory("scalar-build")
        defer { try? FileManager.default.removeItem(at: folder) }
        let kernels = TestSupport.root.appendingPathComponent("Sources/CKernels")
        let sources = try FileManager.default.contentsOfDirectory(atPath: kernels.path).filter { $0.hasSuffix(".c") }.sorted()
        #expect(sources.contains("cpu_features.c") && sources.count >= 9)
        try Self.driver.write(to: folder.appendingPathComponent("driver.c"), atomically: true, encoding: .utf8)
        let program = folder.appendingPathComponent("scalar").path
        let built = try TestSupport.run(compiler, ["-DIP_SCALAR_ONLY", "-std=gnu11", "-O1", "-I", kernels.appendingPathComponent("include").path,
                                                   "-o", program, folder.appendingPathComponent("driver.c").path]
                                                  + sources.map { kernels.appendingPathComponent($0).path } + ["-lm"])
        #expect(built.status == 0, "\(built.stderr)")
        // No wide code in the program: no AVX instruction (ymm registers) anywhere.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/objdump") {
            let listing = try TestSupport.run("/usr/bin/objdump", ["-d", "--no-show-raw-insn", program])
            #expect(listing.status == 0 && !listing.stdout.contains("%ymm"))
        }
        let ran = try TestSupport.run(program, [])
        #expect(ran.status == 0 && ran.stdout.contains("ok"), "\(ran.stdout)\(ran.stderr)")
    }
}
