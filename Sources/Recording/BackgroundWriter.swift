import Dispatch
import Synchronization

/// Runs a recorder's writes in order on one background queue, so that training goes on
/// while the previous epoch's rows travel to the file (the machine's second core does
/// the float16 narrowing and the system calls).
///
/// - At most `depth` writes are queued or running (double buffering with the default
///   2): a producer faster than the disk waits in ``submit(_:)`` rather than queueing
///   without bound.
/// - Writes run one at a time in submission order, so the recorder's order (data rows
///   before the commit record that names them, a checkpoint's data before its epoch)
///   holds on disk exactly as with synchronous writes, and the file's bytes are the same.
/// - The first write that throws stops the rest; its error is thrown by the next
///   ``submit(_:)`` or by ``drain()``.
/// - `depth` 0 writes synchronously, in the caller.
package final class BackgroundWriter: Sendable {
    private let queue: DispatchQueue?
    private let slots: DispatchSemaphore
    private let failure = Mutex<(any Error)?>(nil)
    /// The queued writes, first to run first. The queue's blocks capture only `self`, and
    /// each releases its write (with the file handles it holds) before it returns: once
    /// ``drain()`` returns, no write holds the file open.
    private let pending = Mutex<[@Sendable () throws -> Void]>([])

    package init(label: String, depth: Int) {
        queue = depth > 0 ? DispatchQueue(label: label, qos: .userInitiated) : nil
        slots = DispatchSemaphore(value: max(depth, 0))
    }

    /// Queues `write` (or runs it, when synchronous); throws the error of an earlier write.
    package func submit(_ write: @escaping @Sendable () throws -> Void) throws {
        try rethrowFailure()
        guard let queue else { return try write() }
        slots.wait()
        pending.withLock { $0.append(write) }
        queue.async { [self] in runNext() }
    }

    private func runNext() {
        do {
            let write = pending.withLock { $0.removeFirst() }
            if failure.withLock({ $0 == nil }) {
                do { try write() } catch { failure.withLock { $0 = error } }
            }
        }
        slots.signal()
    }

    /// Waits until every queued write has run; throws the first error among them.
    package func drain() throws {
        queue?.sync {}
        try rethrowFailure()
    }

    private func rethrowFailure() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
