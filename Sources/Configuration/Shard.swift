/// One of `count` disjoint parts of a plan's runs or of an analysis (`--shard i/n`, as
/// `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`).
package struct Shard: Sendable, Equatable {
    /// 0-based, below ``count``.
    package var index: Int
    package var count: Int

    /// The most shards a plan or an analysis is split into (a cluster array of 10,000
    /// tasks; file names beyond it are not read as shards).
    package static let maximumCount = 10_000

    package init?(index: Int, count: Int) {
        guard (1...Self.maximumCount).contains(count), (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` with 0 ≤ i < n ≤ ``maximumCount``; nil otherwise.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }
}
