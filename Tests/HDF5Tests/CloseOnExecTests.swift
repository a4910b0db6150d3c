import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HDF5
import Testing
import TestSupport

/// Files the HDF5 layer opens are close-on-exec: a child process started meanwhile does
/// not inherit the descriptor (and HDF5's lock with it).
@Suite("Close on exec")
struct CloseOnExecTests {
    /// The descriptors of this process open on `path` (read from /proc, nothing changed).
    static func descriptors(of path: String) -> [Int32] {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { name in
            guard let fd = Int32(name),
                  let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"),
                  URL(fileURLWithPath: link).resolvingSymlinksInPath().path == target else { return nil }
            return fd
        }
    }

    @Test func createdAndOpenedFilesAreCloseOnExec() throws {
        let folder = TestSupport.temporaryDirectory("cloexec")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("f.h5").path
        do {
            let file = try H5File.create(path, overwrite: true)
            try file.writeDataset("x", [Float(1), 2, 3])
            let open = Self.descriptors(of: path)
            #expect(!open.isEmpty)
            for fd in open { #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0) }
        }
        for mode in [H5File.Mode.readOnly, .readWrite] {
            let file = try H5File.open(path, mode: mode)
            let open = Self.descriptors(of: path)
            #expect(!open.isEmpty)
            for fd in open { #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0, "\(mode)") }
            _ = file
        }
    }
}
