import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Splits independent work (per-sample loops: im2col, pooling, per-row estimators)
/// across cores.
///
/// **Worker counts are values, not global settings.** The default is `INFOPLANE_THREADS`
/// from the environment, else the number of online processors (``availableWorkers``,
/// read once). A caller limits the workers of everything it runs with
/// ``withWorkers(_:_:)`` (a task-local binding, restored when the body returns), e.g. one
/// worker inside each of several runs that already go in parallel; ``perform(iterations:_:)``
/// and ``forEachRange(_:minimumPerWorker:_:)`` carry the limit into their worker threads.
///
/// **Results never depend on the worker count.** Work is cut into contiguous ranges that
/// never share an output element; bodies are `@Sendable` and either return their results
/// (``ConcurrentSlots``) or write only the slice of an output array that
/// ``forEachRange(_:minimumPerWorker:writing:stride:_:)`` hands them.
public enum Parallel {
    /// `INFOPLANE_THREADS`, else `SLURM_CPUS_PER_TASK`, else the processors this process
    /// may run on (its affinity mask: `taskset -c 0` gives 1), else the online processors.
    public static let availableWorkers: Int = {
        for name in ["INFOPLANE_THREADS", "SLURM_CPUS_PER_TASK"] {
            if let raw = getenv(name), let value = Int(String(cString: raw)), value > 0 { return value }
        }
        if let allowed = allowedProcessors() { return allowed }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// The number of processors in this process's affinity mask (`Cpus_allowed` of
    /// /proc/self/status, a hexadecimal mask in comma-separated 32-bit words), if readable.
    static func allowedProcessors() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            guard text.hasPrefix("Cpus_allowed:") else { continue }
            let mask = text.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            return count > 0 ? count : nil
        }
        return nil
    }

    /// The limit bound by ``withWorkers(_:_:)`` around the current code, if any.
    @TaskLocal public static var workerLimit: Int?

    /// The number of workers the parallel loops use here and now.
    public static var workers: Int { workerLimit.map { max(1, $0) } ?? availableWorkers }

    /// Runs `body` with at most `count` workers in every parallel loop it starts.
    public static func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        try $workerLimit.withValue(max(1, count)) { try body() }
    }

    /// Calls `body` for every index in `0..<iterations`, on at most `workers` threads at
    /// once (default: ``workers``), with the caller's worker limit in force inside each
    /// call. Worker w takes indices w, w + workers, …: which thread runs an index never
    /// changes what it computes.
    public static func perform(iterations: Int, workers: Int = Parallel.workers, _ body: @Sendable (Int) -> Void) {
        let threads = min(max(1, workers), iterations)
        guard threads > 1 else {
            for index in 0..<iterations { body(index) }
            return
        }
        let limit = workerLimit
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            $workerLimit.withValue(limit) {
                for index in Swift.stride(from: worker, to: iterations, by: threads) { body(index) }
            }
        }
    }

    /// The `part`-th of `parts` contiguous ranges covering `0..<count`.
    static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// Calls `body` on disjoint subranges covering `0..<count`, concurrently when the
    /// work is large enough (at least `minimumPerWorker` items per worker).
    public static func forEachRange(_ count: Int, minimumPerWorker: Int = 1, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = min(workers, count / max(1, minimumPerWorker))
        if parts <= 1 {
            body(0..<count)
            return
        }
        perform(iterations: parts) { part in body(range(part, of: parts, count: count)) }
    }

    /// Calls `body` on disjoint subranges covering `0..<count` of items that own
    /// `stride` consecutive elements of `output` each, handing every call the slice of
    /// `output` that its range owns (item `range.lowerBound` at the slice's index 0).
    /// A body cannot reach another range's elements: the slices are disjoint by
    /// construction, which is what makes the concurrent writes safe.
    /// - Precondition: `output.count == count * stride`.
    public static func forEachRange<T>(_ count: Int, minimumPerWorker: Int = 1, writing output: inout [T], stride: Int,
                                       _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<T>) -> Void) {
        precondition(output.count == count * stride, "output of \(output.count) elements for \(count) items of \(stride)")
        output.withUnsafeMutableBufferPointer { buffer in
            fill(buffer, items: count, stride: stride, minimumPerWorker: minimumPerWorker, body)
        }
    }
}

extension Parallel {
    /// A new array of `count × stride` elements, item by item in parallel: `body`
    /// initialises every element of the slice it is handed (item `range.lowerBound` at
    /// index 0), and nothing else. For outputs that are overwritten whole (no zero fill).
    public static func makeArray<T: BitwiseCopyable>(items count: Int, stride: Int, minimumPerWorker: Int = 1,
                                                     _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count * stride) { buffer, initialized in
            fill(buffer, items: count, stride: stride, minimumPerWorker: minimumPerWorker, body)
            initialized = count * stride
        }
    }

    /// Two new arrays filled item by item in parallel, each item owning `strides.0`
    /// elements of the first and `strides.1` of the second (e.g. a pooling layer's
    /// maxima and their indices).
    public static func makeArrays<A: BitwiseCopyable, B: BitwiseCopyable>(
        items count: Int, strides: (Int, Int), minimumPerWorker: Int = 1,
        _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<A>, UnsafeMutableBufferPointer<B>) -> Void) -> ([A], [B]) {
        var second: [B] = []
        let first = [A](unsafeUninitializedCapacity: count * strides.0) { a, initializedA in
            second = [B](unsafeUninitializedCapacity: count * strides.1) { b, initializedB in
                let parts = min(workers, count / max(1, minimumPerWorker))
                if parts <= 1 || count == 0 {
                    body(0..<count, a, b)
                } else if let baseA = a.baseAddress, let baseB = b.baseAddress {
                    let slicesA = DisjointSlices(base: baseA, stride: strides.0)
                    let slicesB = DisjointSlices(base: baseB, stride: strides.1)
                    perform(iterations: parts) { part in
                        let items = range(part, of: parts, count: count)
                        body(items, slicesA.slice(items), slicesB.slice(items))
                    }
                }
                initializedB = count * strides.1
            }
            initializedA = count * strides.0
        }
        return (first, second)
    }

    static func fill<T>(_ buffer: UnsafeMutableBufferPointer<T>, items count: Int, stride: Int, minimumPerWorker: Int,
                        _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<T>) -> Void) {
        let parts = min(workers, count / max(1, minimumPerWorker))
        guard parts > 1, let base = buffer.baseAddress else {
            body(0..<count, buffer)
            return
        }
        let slices = DisjointSlices(base: base, stride: stride)
        perform(iterations: parts) { part in
            let items = range(part, of: parts, count: count)
            body(items, slices.slice(items))
        }
    }
}

/// The base address of an output array that ``Parallel`` cuts into disjoint slices, one
/// per worker. The only value that carries a mutable pointer across threads; it is
/// private to this file and hands out nothing but non-overlapping slices.
private struct DisjointSlices<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    let stride: Int

    func slice(_ items: Range<Int>) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: base + items.lowerBound * stride, count: items.count * stride)
    }
}

/// Results of concurrent work, stored by index under a lock; read them once the work
/// is done, in index order.
public final class ConcurrentSlots<T: Sendable>: Sendable {
    private let storage: Mutex<[T?]>

    public init(count: Int) { storage = Mutex(Array(repeating: nil, count: count)) }

    public func set(_ index: Int, _ value: T) {
        storage.withLock { $0[index] = value }
    }

    /// The values set so far, in index order.
    public var values: [T] { storage.withLock { $0.compactMap { $0 } } }
}
