import Datasets
import Testing
import TestSupport

@Suite("HDF5 inputs")
struct HDF5InputTests {
    @Test func readsNumpyWrittenData() throws {
        let path = TestSupport.temporaryDirectory("h5in").appendingPathComponent("data.h5").path
        let result = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "w") as f:
            f["x"] = np.arange(15, dtype=np.float64).reshape(5, 3) / 2
            f["y"] = np.array([0, 2, 1, 2, 0], dtype=np.int64)
            f["y_bad"] = np.array([0, 2, -1, 2, 0], dtype=np.int64)
            f["y_short"] = np.array([0, 1], dtype=np.int64)
            f["y_frac"] = np.array([0, 1.5, 1, 0, 0], dtype=np.float64)
        """, [path])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try DatasetLoaders.hdf5(path)
        #expect(data.inputs.shape == [5, 3])
        #expect(data.inputs.scalars[4] == 2)
        #expect(data.labels == [0, 2, 1, 2, 0])
        #expect(data.classCount == 3)
        for labels in ["y_bad", "y_short", "y_frac", "missing"] {
            do {
                _ = try DatasetLoaders.hdf5(path, labels: labels)
                Issue.record("expected an error for \(labels)")
            } catch {
                #expect(error.file == path)
                #expect(error.kind == .inconsistent)
            }
        }
    }
}
