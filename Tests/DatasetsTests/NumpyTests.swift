import Datasets
import Foundation
import Testing
import TestSupport

/// `.npy` and `.npz` as numpy writes them: every element type, byte order, Fortran
/// order, stored and deflated archives; and what a damaged file gives.
@Suite("numpy .npy and .npz")
struct NumpyTests {
    static func write(_ script: String) throws -> URL {
        let folder = TestSupport.temporaryDirectory("numpy")
        let result = try TestSupport.runPython("import numpy as np, sys, os\nos.chdir(sys.argv[1])\n" + script, [folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        return folder
    }

    @Test func elementTypesByteOrdersAndFortranOrder() throws {
        let folder = try Self.write("""
        a = (np.arange(24).reshape(2, 3, 4) * 0.5 - 3)
        for t in ["<f2", ">f4", "<f8", "<i1", ">i2", "<i4", "<i8", "|u1", "<u2", ">u8"]:
            np.save(t.replace("<", "le").replace(">", "be").replace("|", "") + ".npy", np.abs(a).astype(t) if "u" in t else a.astype(t))
        np.save("fortran.npy", np.asfortranarray(a))
        np.save("bool.npy", a > 0)
        """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = (0..<24).map { Double($0) * 0.5 - 3 }
        for name in ["lef2", "bef4", "lef8", "fortran"] {
            let array = try DatasetLoaders.npyArray(folder.appendingPathComponent("\(name).npy").path)
            #expect(array.shape == [2, 3, 4] && array.doubles() == expected, "\(name)")
        }
        for name in ["lei1", "bei2", "lei4", "lei8"] {
            let array = try DatasetLoaders.npyArray(folder.appendingPathComponent("\(name).npy").path)
            #expect(array.doubles() == expected.map { $0.rounded(.towardZero) }, "\(name)")
        }
        for name in ["u1", "leu2", "beu8"] {
            let array = try DatasetLoaders.npyArray(folder.appendingPathComponent("\(name).npy").path)
            #expect(array.doubles() == expected.map { abs($0).rounded(.towardZero) }, "\(name)")
        }
        #expect(try DatasetLoaders.npyArray(folder.appendingPathComponent("bool.npy").path).doubles() == expected.map { $0 > 0 ? 1 : 0 })
    }

    /// NCHW images become NHWC; one-hot labels become classes; both archive kinds read.
    @Test func archivesLayoutsAndOneHotLabels() throws {
        let folder = try Self.write("""
        x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
        np.savez("stored.npz", x=x, y=np.array([1, 2]))
        np.savez_compressed("deflated.npz", images=x, onehot=np.eye(4)[[3, 0]])
        """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stored = try DatasetLoaders.npzPair(folder.appendingPathComponent("stored.npz").path, inputs: "x", labels: "y")
        let nchw = try DatasetLoaders.numpy(inputs: stored.x, labels: stored.y, layout: .nchw, name: "t", file: "stored.npz")
        #expect(nchw.sampleShape == [4, 5, 3] && nchw.labels == [1, 2] && nchw.classCount == 3)
        // x[s, c, h, w] = ((s*3 + c)*4 + h)*5 + w lands at [s, h, w, c].
        #expect(nchw.inputs.scalars[((1 * 4 + 2) * 5 + 3) * 3 + 1] == Float(((1 * 3 + 1) * 4 + 2) * 5 + 3))
        let deflated = try DatasetLoaders.npzPair(folder.appendingPathComponent("deflated.npz").path, inputs: "images", labels: "onehot")
        let nhwc = try DatasetLoaders.numpy(inputs: deflated.x, labels: deflated.y, layout: .nhwc, name: "t", file: "deflated.npz")
        #expect(nhwc.sampleShape == [3, 4, 5] && nhwc.labels == [3, 0] && nhwc.classCount == 4)
        #expect(throws: DatasetError.self) { try DatasetLoaders.npzPair(folder.appendingPathComponent("stored.npz").path, inputs: "images", labels: "y") }
    }

    /// Damaged files are errors naming what is wrong, never a crash or a huge allocation.
    @Test func damagedFilesAreErrors() throws {
        let folder = try Self.write("""
        np.save("a.npy", np.ones((3, 4), np.float32))
        np.savez_compressed("a.npz", x=np.ones((3, 4), np.float32), y=np.zeros(3))
        np.save("objects.npy", np.array([{}, 1], dtype=object), allow_pickle=True)
        """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let npy = [UInt8](try Data(contentsOf: folder.appendingPathComponent("a.npy")))
        func reason(_ bytes: [UInt8]) -> String {
            do { _ = try NumpyArray(bytes: bytes[...], file: "t.npy"); return "read" } catch { return error.reason }
        }
        #expect(reason(Array(npy.dropLast(4))).contains("needs 48 bytes of data, the file has 44"))
        var huge = npy
        let text = String(decoding: huge, as: UTF8.self)
        if let range = text.range(of: "(3, 4)") {
            let offset = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
            huge.replaceSubrange(offset..<(offset + 6), with: Array("(9999999999, 99999)".utf8.prefix(6)))
        }
        #expect(reason(huge) != "read")
        #expect(reason(Array(npy.prefix(5))).contains("truncated") || reason(Array(npy.prefix(5))).contains("magic"))
        #expect((try? DatasetLoaders.npyArray(folder.appendingPathComponent("objects.npy").path)) == nil)
        var zip = [UInt8](try Data(contentsOf: folder.appendingPathComponent("a.npz")))
        zip[60] ^= 0xFF
        try Data(zip).write(to: folder.appendingPathComponent("bad.npz"))
        #expect(throws: DatasetError.self) { try DatasetLoaders.npzArrays(folder.appendingPathComponent("bad.npz").path) }
    }
}
