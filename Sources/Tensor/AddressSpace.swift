#if canImport(Glibc)
import Glibc
#endif

/// The process's address-space limit (`ulimit -v`, `RLIMIT_AS`), which the plans count
/// as memory the lab may use: under a limit, an allocation that does not fit fails, and
/// OpenBLAS retries a failed buffer allocation forever instead of failing.
public enum AddressSpace {
    /// What the lab needs below any limit: the Swift runtime and libraries (about 150 MiB
    /// mapped), OpenBLAS's 128 MiB buffer per thread for two threads, and room for a small
    /// command. Measured here: `analyze` of a small run needs 300 MB, spins at 200 MB.
    public static let minimum = 512 << 20

    /// The soft limit in bytes, or nil when there is none.
    public static var limit: Int? {
        var value = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &value) == 0, value.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: value.rlim_cur)
    }

    /// The bytes left for a command's own buffers under the limit (nil: no limit).
    public static var available: Int? { limit.map { max(0, $0 - minimum) } }

    /// Why the lab cannot start under this limit, or nil when it can.
    public static func shortfall() -> String? {
        guard let limit, limit < minimum else { return nil }
        return "the address-space limit (ulimit -v) is \(limit >> 20) MiB; infoplane needs at least \(minimum >> 20) MiB (OpenBLAS alone maps 128 MiB per thread); raise it"
    }
}
