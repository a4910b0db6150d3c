import Foundation
import SafeFiles
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Writes that never follow a planted link and never leave a truncated file.
@Suite("Safe files: atomic writes and lock files")
struct SafeFilesTests {
    func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// A file holding "secret" in `folder`, which no write may change.
    func makeVictim(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("victim").path
        try "secret".write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func anAtomicWriteReplacesALinkNotItsTarget() throws {
        let folder = TestSupport.temporaryDirectory("atomic-link")
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = try makeVictim(in: folder)
        let target = folder.appendingPathComponent("figure.png").path
        #expect(symlink(victim, target) == 0)
        try AtomicFile.write("new", to: target)
        #expect(text(victim) == "secret")
        #expect(text(target) == "new" && !SafeOpen.isSymbolicLink(target))
    }

    @Test func aLinkPlantedAtTheTemporaryNameIsRemovedNotFollowed() throws {
        let folder = TestSupport.temporaryDirectory("atomic-temporary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = try makeVictim(in: folder)
        let target = folder.appendingPathComponent("table.csv").path
        #expect(symlink(victim, AtomicFile.temporaryPath(for: target)) == 0)
        try AtomicFile.write("a,b\n", to: target)
        #expect(text(victim) == "secret" && text(target) == "a,b\n")
        #expect(!FileManager.default.fileExists(atPath: AtomicFile.temporaryPath(for: target)))
    }

    /// A failing producer (a converter that dies, a full disk) leaves the old file whole.
    @Test func aFailedReplacementLeavesTheOldFile() throws {
        let folder = TestSupport.temporaryDirectory("atomic-failure")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("plot.png").path
        try AtomicFile.write("complete", to: target)
        struct Killed: Error {}
        #expect(throws: Killed.self) {
            try AtomicFile.replace(target) { temporary in
                try "trunc".write(toFile: temporary, atomically: false, encoding: .utf8)
                throw Killed()
            }
        }
        #expect(text(target) == "complete")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["plot.png"])
    }

    @Test func lockFilesAreNeverFollowedOrShared() throws {
        let folder = TestSupport.temporaryDirectory("lock-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = try makeVictim(in: folder)
        // A link, a dangling link, a hard link, a FIFO: refused, nothing created or changed.
        let link = folder.appendingPathComponent("a.lock").path
        #expect(symlink(victim, link) == 0)
        #expect(throws: FileSystemError.self) { try SafeOpen.lockFile(link) }
        let dangling = folder.appendingPathComponent("b.lock").path
        let created = folder.appendingPathComponent("created").path
        #expect(symlink(created, dangling) == 0)
        #expect(throws: FileSystemError.self) { try SafeOpen.lockFile(dangling) }
        #expect(!FileManager.default.fileExists(atPath: created))
        let hard = folder.appendingPathComponent("c.lock").path
        #expect(Glibc.link(victim, hard) == 0)
        let shared = try #require(throws: FileSystemError.self) { try SafeOpen.lockFile(hard) }
        #expect(shared.description.contains("hard links"))
        let fifo = folder.appendingPathComponent("d.lock").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FileSystemError.self) { try SafeOpen.lockFile(fifo) }
        #expect(text(victim) == "secret")
        // A fresh one is made and is a regular file.
        let descriptor = try SafeOpen.lockFile(folder.appendingPathComponent("e.lock").path)
        close(descriptor)
    }

    @Test func errorsNameTheReasonAUserActsOn() {
        #expect(FileSystemError("write", path: "/r/a.png", code: ENOSPC).description == "/r/a.png: cannot write: no space left on the device (ENOSPC): free some space and run again")
        #expect(FileSystemError("create", path: "x", code: EROFS).description.contains("read-only (EROFS)"))
        #expect(FileSystemError("create", path: "x", code: EROFS).isEnvironmental)
        #expect(!FileSystemError("use the lock file", path: "x", reason: "is not a regular file").isEnvironmental)
    }
}
