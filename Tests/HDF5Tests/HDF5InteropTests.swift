import Foundation
import HDF5
import Testing
import TestSupport

/// Our files read by h5py and h5dump; h5py's files read by us.
@Suite("HDF5 interoperability")
struct HDF5InteropTests {
    let directory = TestSupport.temporaryDirectory("hdf5-interop")

    @Test func h5pyReadsOurFile() throws {
        let path = directory.appendingPathComponent("ours.h5").path
        let expected = try HDF5RoundTripTests().writeSample(path)
        let script = """
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        assert f.attrs["format"] == "infoplane-test" and isinstance(f.attrs["format"], str), repr(f.attrs["format"])
        assert f.attrs["note"] == "grüße ∑ — utf-8"
        assert int(f.attrs["version"]) == 3 and f.attrs["version"].dtype == np.int32
        assert float(f.attrs["rate"]) == 0.25
        assert list(f.attrs["widths"]) == [12, 10, 7]
        a = f["layers/0_dense/activations"]
        assert a.shape == (4, 5, 3) and a.maxshape == (None, 5, 3), (a.shape, a.maxshape)
        assert a.dtype == np.float32 and a.chunks == (1, 5, 3) and a.compression == "gzip" and a.shuffle
        expected32 = np.array([float(v) for v in sys.argv[2].split(",")], dtype=np.float32).reshape(4, 5, 3)
        assert np.array_equal(a[...], expected32)
        h = f["layers/0_dense/half"]
        assert h.dtype == np.float16, h.dtype
        expected16 = np.array([float(v) for v in sys.argv[3].split(",")], dtype=np.float32).reshape(4, 5, 3)
        assert np.array_equal(h[...].astype(np.float32), expected16)
        assert np.array_equal(h[...], expected32.astype(np.float16))
        assert f["layers/0_dense"].attrs["activation"] == "tanh"
        assert f["indices"][...].tolist() == [[0, 7, 14], [21, 28, 35]]
        print("ok")
        """
        let result = try TestSupport.runPython(script, [path,
                                                        expected.float32.map { "\($0)" }.joined(separator: ","),
                                                        expected.float16.map { "\($0)" }.joined(separator: ",")])
        #expect(result.status == 0, "h5py: \(result.stderr)")
        #expect(result.stdout.contains("ok"))
    }

    @Test func h5dumpReadsOurFile() throws {
        let path = directory.appendingPathComponent("dump.h5").path
        _ = try HDF5RoundTripTests().writeSample(path)
        let header = try TestSupport.run("/usr/bin/h5dump", ["-H", "-A", path])
        #expect(header.status == 0, "h5dump: \(header.stderr)")
        #expect(header.stdout.contains("\"infoplane-test\""))
        #expect(header.stdout.contains("H5T_CSET_UTF8"))
        #expect(header.stdout.contains("DATASPACE  SIMPLE { ( 4, 5, 3 ) / ( H5S_UNLIMITED, 5, 3 ) }"))
        let data = try TestSupport.run("/usr/bin/h5dump", ["-d", "/indices", path])
        #expect(data.status == 0)
        #expect(data.stdout.contains("(0,0): 0, 7, 14"))
        #expect(data.stdout.contains("(1,0): 21, 28, 35"))
    }

    @Test func weReadH5pyFiles() throws {
        let path = directory.appendingPathComponent("theirs.h5").path
        let script = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "w") as f:
            f.attrs["vlen"] = "variable"
            f.attrs["fixed"] = np.bytes_("fixed-length")
            f.attrs["pi"] = np.float64(3.14159)
            f.attrs["shape"] = np.array([3, 4], dtype=np.int16)
            g = f.create_group("inputs")
            g.create_dataset("x", data=np.arange(12, dtype=np.float64).reshape(3, 4) / 4)
            g.create_dataset("y", data=np.array([0, 1, 1], dtype=np.int64))
            g.create_dataset("u8", data=np.array([1, 255], dtype=np.uint8), compression="gzip")
            g.create_dataset("grow", data=np.ones((2, 2), dtype=np.float32), maxshape=(None, 2), chunks=(1, 2))
        """
        let result = try TestSupport.runPython(script, [path])
        #expect(result.status == 0, "h5py: \(result.stderr)")
        do {
        let file = try H5File.open(path)
        #expect(try file.stringAttribute("vlen") == "variable")
        #expect(try file.stringAttribute("fixed") == "fixed-length")
        #expect(try file.attribute("pi", as: Double.self) == 3.14159)
        #expect(try file.arrayAttribute("shape", as: Int64.self) == [3, 4])
        let x = try file.dataset("inputs/x")
        #expect(try x.shape() == [3, 4])
        #expect(try x.read(as: Float.self) == (0..<12).map { Float($0) / 4 })
        #expect(try file.dataset("inputs/y").read(as: Int32.self) == [0, 1, 1])
        #expect(try file.dataset("inputs/u8").read(as: Int32.self) == [1, 255])
        }
        // We can append to h5py's extendible dataset, and h5py sees it.
        do {
            let writable = try H5File.open(path, mode: .readWrite)
            try writable.dataset("inputs/grow").append([Float(5), 6], rows: 1)
        }
        let check = try TestSupport.runPython("""
        import sys, h5py
        f = h5py.File(sys.argv[1], "r")
        assert f["inputs/grow"][...].tolist() == [[1, 1], [1, 1], [5, 6]], f["inputs/grow"][...]
        print("ok")
        """, [path])
        #expect(check.status == 0, "h5py: \(check.stderr)")
    }
}
