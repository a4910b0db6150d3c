import Datasets
import Foundation
import HDF5
import Tensor
import Testing
import TestSupport

/// Crafted inputs of the kinds a hostile audit found crashing the readers: each must be
/// a ``DatasetError`` naming the file, found before any large allocation.
@Suite("Hostile data files")
struct HostileInputTests {
    func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func idxHeader(type: UInt8 = 8, dims: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)] }
        return bytes
    }

    @Test func idxDimensionsThatOverflowAreRefused() throws {
        let dir = TestSupport.temporaryDirectory("hostile-idx")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Rank 8 of 0xFFFFFFFF: the product overflows Int.
        let path = try write(idxHeader(dims: Array(repeating: 0xFFFF_FFFF, count: 8)) + [1, 2, 3], "overflow.idx", in: dir)
        #expect(throws: DatasetError.self) { try IDXFile.read(path) }
        do { _ = try IDXFile.read(path) } catch { #expect("\(error)".contains("overflow")) }
    }

    @Test func gzipBombIsStoppedAtTheSizeItsHeaderPromises() throws {
        let dir = TestSupport.temporaryDirectory("hostile-gz")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A header promising 4 bytes of data, followed by 64 MiB of zeros: inflating it
        // whole would allocate the 64 MiB; the reader stops after 4 + 12 bytes.
        let plain = dir.appendingPathComponent("bomb.idx")
        var bytes = idxHeader(dims: [2, 2])
        bytes += [UInt8](repeating: 0, count: 64 << 20)
        try Data(bytes).write(to: plain)
        _ = try TestSupport.run("/usr/bin/gzip", ["-f", plain.path])
        let zipped = plain.path + ".gz"
        #expect(try FileManager.default.attributesOfItem(atPath: zipped)[.size] as? Int ?? 0 < 200_000)
        do {
            _ = try IDXFile.read(zipped)
            Issue.record("a gzip bomb was read")
        } catch {
            #expect("\(error)".contains("inflates past the 16 bytes"))
        }
        // Bounded inflation itself: the limit holds, the prefix mode returns the prefix.
        let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: zipped)))
        let head = try Inflate.decompress(compressed[...], container: .gzip, file: zipped, limit: 12, overflow: .truncate)
        #expect(head == idxHeader(dims: [2, 2]))
    }

    @Test func matDimensionsThatAreNotSizesAreRefused() throws {
        let dir = TestSupport.temporaryDirectory("hostile-mat")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A level-5 header, then one miMATRIX whose dimensions are doubles: NaN and -3.
        func tag(_ type: UInt32, _ count: Int) -> [UInt8] {
            withUnsafeBytes(of: type.littleEndian, Array.init) + withUnsafeBytes(of: UInt32(count).littleEndian, Array.init)
        }
        for dims in [[Double.nan, 2], [-3, 2], [1e300, 1e300]] {
            var header = [UInt8]("MATLAB 5.0 MAT-file".utf8)
            header += [UInt8](repeating: 0x20, count: 116 - header.count) + [UInt8](repeating: 0, count: 8) + [0, 1] + [UInt8]("IM".utf8)
            var body = tag(6, 8) + [6, 0, 0, 0, 0, 0, 0, 0]                       // array flags: double
            body += tag(9, 16) + dims.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            body += tag(1, 1) + [UInt8]("F".utf8) + [UInt8](repeating: 0, count: 7)
            body += tag(9, 8) + [UInt8](repeating: 0, count: 8)
            let path = try write(header + tag(14, body.count) + body, "dims.mat", in: dir)
            do {
                _ = try MATFile.read(path)
                Issue.record("dimensions \(dims) were accepted")
            } catch {
                #expect("\(error)".contains("dimension"), "\(error)")
            }
        }
    }

    @Test func nonFiniteInputsHugeLabelsAndNoSamplesAreInputErrors() throws {
        let nan = Tensor(shape: [2, 2], scalars: [0, .nan, 1, 1])
        #expect(throws: DatasetError.self) { try LabeledDataset(name: "x", inputs: nan, labels: [0, 1], file: "f") }
        let fine = Tensor(shape: [2, 2], scalars: [0, 0, 1, 1])
        #expect(throws: DatasetError.self) { try LabeledDataset(name: "x", inputs: fine, labels: [0, 2_000_000_000], file: "f") }
        let empty = Tensor(shape: [0, 2], scalars: [])
        #expect(throws: DatasetError.self) { try LabeledDataset(name: "x", inputs: empty, labels: [], file: "f") }
    }

    @Test func hdf5InputThatDeclaresMoreThanItStoresIsRefused() throws {
        let dir = TestSupport.temporaryDirectory("hostile-h5")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge.h5").path
        // 10⁹ × 1000 float32 declared, chunked, never written: 4 TB if read.
        let script = """
        import h5py, sys
        with h5py.File(sys.argv[1], "w") as f:
            f.create_dataset("x", shape=(10**9, 1000), dtype="f4", chunks=(1000, 1000))
            f.create_dataset("y", shape=(10**9,), dtype="i4", chunks=(1000,))
        """
        let made = try TestSupport.runPython(script, [path])
        #expect(made.status == 0, "\(made.stderr)")
        do {
            _ = try DatasetLoaders.hdf5(path)
            Issue.record("a 4 TB declaration was read")
        } catch {
            #expect("\(error)".contains("half the memory"), "\(error)")
        }
    }

    @Test func hdf5InputNeverWrittenIsNotMaterialised() throws {
        let dir = TestSupport.temporaryDirectory("hostile-h5-fill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fill.h5").path
        // 100 × 10⁶ float32 declared (400 MB of fill values if read), chunked, never written.
        let script = """
        import h5py, sys
        with h5py.File(sys.argv[1], "w") as f:
            f.create_dataset("x", shape=(100, 10**6), dtype="f4", chunks=(10, 10**5))
            f.create_dataset("y", data=[0, 1] * 50, dtype="i4")
        """
        let made = try TestSupport.runPython(script, [path])
        #expect(made.status == 0, "\(made.stderr)")
        do {
            _ = try DatasetLoaders.hdf5(path)
            Issue.record("400 MB of fill values were read")
        } catch {
            #expect("\(error)".contains("never written"), "\(error)")
        }
    }

    @Test func onlyRegularFilesAreOpened() throws {
        let dir = TestSupport.temporaryDirectory("hostile-fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("data.mat").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: DatasetError.self) { try MATFile.read(fifo) }
        #expect(throws: HDF5Error.self) { try H5File.open(fifo) }
        #expect(throws: DatasetError.self) { try MATFile.read(dir.path) }
    }
}
