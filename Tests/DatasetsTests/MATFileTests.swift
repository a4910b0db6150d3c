import Datasets
import Foundation
import Testing
import TestSupport
import RealModule

@Suite("MAT files")
struct MATFileTests {
    @Test func varUIsThe2017Dataset() throws {
        let data = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        #expect(data.inputs.shape == [4096, 12])
        #expect(data.classCount == 2)
        #expect(data.labels.filter { $0 == 1 }.count == 2118)
        // Row i holds the binary digits of i, column 0 the most significant bit.
        for row in [0, 1, 2, 1000, 2047, 4095] {
            let bits = (0..<12).map { data.inputs.scalars[row * 12 + $0] }
            let value = bits.reduce(0) { $0 * 2 + Int($1) }
            #expect(value == row)
        }
        // H(Y) = 0.999157 bits.
        let p = 2118.0 / 4096.0
        let entropy = -(p * log2(p) + (1 - p) * log2(1 - p))
        #expect(entropy.isApproximatelyEqual(to: 0.999157, absoluteTolerance: 1e-6))
        let raw = try MATFile.read(TestSupport.dataFile("var_u.mat"))
        #expect(raw["F"]?.matlabClass == .logical)
        #expect(raw["y"]?.matlabClass == .double)
        #expect(raw["y"]?.dimensions == [1, 4096])
    }

    @Test(arguments: ["g1.mat", "g2.mat"])
    func sameFamilyFilesRead(_ name: String) throws {
        let data = try DatasetLoaders.mat(TestSupport.dataFile(name))
        let varU = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        #expect(data.inputs == varU.inputs)
        #expect(data.count == 4096)
        #expect(data.classCount == 2)
        #expect(data.labels != varU.labels)
    }

    @Test func truncatedCopiesFailCleanly() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestSupport.dataFile("var_u.mat")))
        let directory = TestSupport.temporaryDirectory("mat")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every cut point: each must give a DatasetError naming the file (or, for a cut
        // inside the last padding, the same arrays), never a crash.
        var failures = 0
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let path = directory.appendingPathComponent("cut\(cut).mat").path
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            do {
                _ = try DatasetLoaders.mat(path)
            } catch {
                #expect(error.file == path)
                failures += 1
            }
        }
        #expect(failures >= bytes.count / 7 - 1)
    }

    @Test func corruptedCompressedDataFails() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestSupport.dataFile("var_u.mat"))))
        // Flip bytes inside the first compressed element's zlib stream.
        for i in 150..<170 { bytes[i] ^= 0x5A }
        let path = TestSupport.temporaryDirectory("mat").appendingPathComponent("corrupt.mat").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DatasetError.self) { try DatasetLoaders.mat(path) }
    }

    @Test func missingVariableAndFileAreNamed() throws {
        do {
            _ = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"), inputs: "X")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .inconsistent)
            #expect(error.reason.contains("\"X\""))
            #expect(error.reason.contains("F, y"))
        }
        #expect(throws: DatasetError(.unreadable, file: "/nonexistent.mat", "no such file")) {
            try DatasetLoaders.mat("/nonexistent.mat")
        }
    }

    @Test func version73IsReadThroughHDF5() throws {
        let path = TestSupport.temporaryDirectory("mat73").appendingPathComponent("v73.mat").path
        // A MAT v7.3 file as MATLAB writes it: a 512-byte user block with the text header,
        // variables as root datasets with reversed dimensions and a MATLAB_class attribute.
        let script = """
        import sys, h5py, numpy as np
        path = sys.argv[1]
        F = np.array([[int(b) for b in format(i, "03b")] for i in range(8)], dtype=np.uint8)  # 8×3
        y = np.array([[0, 1, 1, 0, 1, 0, 0, 1]], dtype=np.float64)                            # 1×8
        with h5py.File(path, "w", userblock_size=512) as f:
            d = f.create_dataset("F", data=F.T)
            d.attrs["MATLAB_class"] = np.bytes_("logical")
            d = f.create_dataset("y", data=y.T)
            d.attrs["MATLAB_class"] = np.bytes_("double")
        with open(path, "r+b") as f:
            f.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2026 HDF5 schema 1.00 .".ljust(116, b" "))
        """
        let result = try TestSupport.runPython(script, [path])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try DatasetLoaders.mat(path)
        #expect(data.inputs.shape == [8, 3])
        #expect(data.inputs.scalars == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1])
        #expect(data.labels == [0, 1, 1, 0, 1, 0, 0, 1])
    }
}
