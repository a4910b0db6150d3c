import Glibc

/// The most memory this process has held resident so far (getrusage's ru_maxrss, which
/// Linux reports in KiB), in bytes; nil if the kernel does not say. For `-v` reports of
/// long analyses: it includes everything the process ever held, not only the analysis.
package func peakResidentBytes() -> Int? {
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0, usage.ru_maxrss > 0 else { return nil }
    return usage.ru_maxrss * 1024
}
