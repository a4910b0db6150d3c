import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits independent work (per-sample loops: im2col, pooling) across cores.
///
/// The number of workers is `INFOPLANE_THREADS` from the environment, else the
/// number of online processors; ``setWorkers(_:)`` changes it (the lab sets it to 1
/// when repeats already run in parallel). Work is cut into contiguous ranges that
/// never share an output element, so results are bit-identical for any worker count.
public enum Parallel {
    private static let lock = NSLockShim()
    nonisolated(unsafe) private static var configuredWorkers: Int = {
        if let raw = getenv("INFOPLANE_THREADS"), let value = Int(String(cString: raw)), value > 0 { return value }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// The number of workers used by ``forEachRange(_:minimumPerWorker:_:)``.
    public static var workers: Int {
        lock.withLock { configuredWorkers }
    }

    public static func setWorkers(_ count: Int) {
        lock.withLock { configuredWorkers = max(1, count) }
    }

    /// Calls `body` on disjoint subranges covering `0..<count`, concurrently when the
    /// work is large enough (at least `minimumPerWorker` items per worker).
    public static func forEachRange(_ count: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(workers, count / max(1, minimumPerWorker))
        if parts <= 1 {
            body(0..<count)
            return
        }
        // The ranges are disjoint and `body` writes only inside its own range.
        withoutActuallyEscaping(body) { work in
            nonisolated(unsafe) let work = work
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                work((count * part / parts)..<(count * (part + 1) / parts))
            }
        }
    }
}

/// A minimal mutex over `pthread_mutex_t` (Foundation-free).
final class NSLockShim: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// Results of concurrent work, stored by index under a lock; read them once the work
/// is done, in index order.
public final class ConcurrentSlots<T>: @unchecked Sendable {
    private let lock = NSLockShim()
    private var storage: [T?]

    public init(count: Int) { storage = Array(repeating: nil, count: count) }

    public func set(_ index: Int, _ value: T) {
        lock.withLock { storage[index] = value }
    }

    /// The values set so far, in index order.
    public var values: [T] { lock.withLock { storage.compactMap { $0 } } }
}
