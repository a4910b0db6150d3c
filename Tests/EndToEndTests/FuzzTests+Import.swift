import Foundation
import Testing
import TestSupport

extension FuzzTests {
    /// A `.npy` file (format 1.0) of little-endian values.
    static func npy(descr: String, shape: [Int], bytes payload: [UInt8]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 255), UInt8(length >> 8)] + Array(header.utf8) + payload
    }

    /// Seeded mutations of model files (ONNX with weights inside and beside, Keras HDF5,
    /// the external weights file) and of numpy data (.npz stored and deflated, .npy), each
    /// fed to `infoplane record`.
    @Test func modelFilesAndNumpyData() throws {
        let sandbox = TestSupport.temporaryDirectory("fuzz-import")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        func bytes(_ relative: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: TestSupport.root.appendingPathComponent(relative))) }
        let mlpData = try bytes("examples/byom/var_u_mlp.onnx.data")
        let varU = TestSupport.root.appendingPathComponent("examples/byom/var_u.npz").path
        let fashion = TestSupport.root.appendingPathComponent("examples/byom/fashion_test.npz").path
        var x = [UInt8](), y = [UInt8]()
        for row in 0..<64 {
            for bit in 0..<12 { x += withUnsafeBytes(of: Float((row >> bit) & 1).bitPattern.littleEndian, Array.init) }
            y += withUnsafeBytes(of: Int64(row % 2).littleEndian, Array.init)
        }
        let labelsNpy = sandbox.appendingPathComponent("y.npy")
        try Data(Self.npy(descr: "<i8", shape: [64], bytes: y)).write(to: labelsNpy)
        // format, seed bytes, the file name the case writes, and the call for it.
        let seeds: [(format: String, bytes: [UInt8], name: String, arguments: (String) -> [String])] = [
            ("onnx-external", try bytes("examples/byom/var_u_mlp.onnx"), "var_u_mlp.onnx", { ["record", $0, "--data", varU] }),
            ("onnx-weights", mlpData, "var_u_mlp.onnx.data", { ["record", ($0 as NSString).deletingLastPathComponent + "/var_u_mlp.onnx", "--data", varU] }),
            ("onnx-inline", try bytes("Tests/EndToEndTests/Fixtures/byom/cnn_legacy.onnx"), "cnn.onnx", { ["record", $0, "--data", fashion, "--samples", "20"] }),
            ("onnx-nhwc", try bytes("Tests/EndToEndTests/Fixtures/byom/keras_cnn_nhwc.onnx"), "nhwc.onnx", { ["record", $0, "--data", varU] }),
            ("keras-h5", try bytes("examples/byom/var_u_keras.h5"), "model.h5", { ["record", $0, "--data", varU] }),
            ("keras-archive", try bytes("Tests/EndToEndTests/Fixtures/graphs/keras_mlp.keras"), "model.keras", { ["record", $0, "--data", varU] }),
            ("npz-stored", try bytes("examples/byom/var_u.npz"), "data.npz",
             { ["record", TestSupport.root.appendingPathComponent("examples/byom/var_u_mlp.onnx").path, "--data", $0] }),
            ("npz-deflated", try bytes("examples/byom/fashion_test.npz"), "data.npz",
             { ["record", TestSupport.root.appendingPathComponent("examples/byom/fashion_cnn.onnx").path, "--data", $0, "--samples", "20"] }),
            ("npy", Self.npy(descr: "<f4", shape: [64, 12], bytes: x), "x.npy",
             { ["record", TestSupport.root.appendingPathComponent("examples/byom/var_u_mlp.onnx").path, "--data", $0, "--labels", labelsNpy.path] }),
        ]
        var cases: [(name: String, calls: [Call])] = []
        var random = FuzzRandom(seed: Self.baseSeed ^ 0x0B10)
        for seed in seeds {
            for k in -1..<Self.casesPerFormat {
                var mutated = seed.bytes
                let what = k < 0 ? "intact" : random.pick(ByteMutation.allCases).apply(&mutated, &random)
                let folder = sandbox.appendingPathComponent("\(seed.format)-\(k)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                // The ONNX model with external weights needs them beside it (intact, or the mutated seed).
                if seed.format == "onnx-external" { try Data(mlpData).write(to: folder.appendingPathComponent("var_u_mlp.onnx.data")) }
                if seed.format == "onnx-weights" {
                    try Data(try bytes("examples/byom/var_u_mlp.onnx")).write(to: folder.appendingPathComponent("var_u_mlp.onnx"))
                }
                let path = folder.appendingPathComponent(seed.name).path
                try Data(mutated).write(to: URL(fileURLWithPath: path))
                let call = Call(label: "record", arguments: seed.arguments(path) + ["-q", "--results", folder.appendingPathComponent("results").path])
                if k < 0 {
                    // Each intact seed must record: otherwise every mutation would fail for one reason.
                    let intact = try TestSupport.run(binary, call.arguments)
                    #expect(intact.status == (seed.format == "onnx-nhwc" ? 2 : 0), "intact \(seed.format): \(intact.stderr)")
                    continue
                }
                cases.append(("\(seed.format) case \(k) (\(what))", [call]))
            }
        }
        let findings = run(cases, in: sandbox)
        #expect(findings.isEmpty, "\(findings.count) findings in \(cases.count) cases:\n\(findings.prefix(20).joined(separator: "\n"))")
    }
}
