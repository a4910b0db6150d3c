import Diagnostics
import Foundation
import Glibc
#if canImport(Glibc)
import SafeFiles
#endif

/// One writer at a time: an exclusive `flock` on `<file>.lock` beside the file a command
/// writes (a run file, an analysis file), held until the lock is released or the process
/// ends. The lock file holds the holder's pid for the message a second writer gets. The
/// kernel drops the lock of a process that dies, so a crashed holder never blocks anyone.
///
/// The lock file is opened through ``SafeOpen/lockFile(_:)``: never through a symbolic
/// link, never a FIFO, only a regular file of this user with one link, so a planted link
/// cannot make the lab overwrite (or create) another file with its pid.
public final class WriterLock: Sendable {
    /// Another process holds the lock.
    public struct Held: LabError {
        public var failure: FailureKind { .input }

        public var path: String
        public var holder: String
        public var description: String {
            "\(path): another infoplane (pid \(holder)) is writing it; wait for it to finish"
        }
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock for `target` without waiting.
    /// - Throws: ``Held`` naming the holder's pid when another process has it;
    ///   ``FileSystemError`` when the lock file cannot be opened or is not the lab's own.
    public init(for target: String) throws {
        path = target + ".lock"
        let fd = try SafeOpen.lockFile(path)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            // The holder writes its pid right after locking: give it a moment.
            var holder = ""
            for _ in 0..<20 where holder.isEmpty {
                var buffer = [UInt8](repeating: 0, count: 32)
                let count = pread(fd, &buffer, 31, 0)
                holder = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if holder.isEmpty { usleep(5_000) }
            }
            close(fd)
            throw Held(path: target, holder: holder.isEmpty ? "unknown" : holder)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit {
        // Removing the file first would let a third process lock a new inode while a
        // second still waits on the old one: keep the file, drop the lock.
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
