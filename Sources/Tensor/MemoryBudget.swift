#if canImport(Glibc)
import Glibc
#endif

/// The memory one command's buffers may take, which every plan (a run's, an
/// explanation's, a t-SNE's) checks before it allocates: half the physical memory, or
/// what an address-space limit (``AddressSpace``) leaves, whichever is smaller.
public enum MemoryBudget {
    /// The machine's physical memory in bytes (`sysconf`; 0 if the system does not say).
    public static var physicalBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 0 }
        return pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size
    }

    /// Half the physical memory, or less under `ulimit -v`.
    public static var bytes: Int {
        let half = physicalBytes > 0 ? physicalBytes / 2 : Int.max
        return min(half, AddressSpace.available ?? Int.max)
    }

    /// Why `needed` bytes for `what` do not fit in `limit`, as one line with the numbers,
    /// or nil when they fit.
    public static func shortfall(_ needed: Int, for what: String, limit: Int = MemoryBudget.bytes) -> String? {
        guard needed > limit else { return nil }
        let reason = AddressSpace.limit != nil && limit == AddressSpace.available ? "what the address-space limit (ulimit -v) leaves" : "half this machine's memory"
        return "\(what) needs about \(format(bytes: needed)) of memory; the limit is \(format(bytes: limit)) (\(reason))"
    }

    /// A size in readable units: "1.5 GiB", "12.0 MiB", "3 KiB".
    public static func format(bytes: Int) -> String {
        let value = Double(bytes), gib = Double(1 << 30), mib = Double(1 << 20)
        if value >= gib { return oneDecimal(value / gib) + " GiB" }
        if value >= mib { return oneDecimal(value / mib) + " MiB" }
        return String(Int(max(1, value / 1024).rounded())) + " KiB"
    }

    /// `value` rounded to one decimal, as `%.1f` prints it (without Foundation).
    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `a × b × …` in bytes, saturating at `Int.max / 2` (a plan larger than that is
    /// refused anyway).
    public static func product(_ factors: Int...) -> Int {
        var total = 1
        for factor in factors {
            let (value, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
            if overflow || value > Int.max / 2 { return Int.max / 2 }
            total = value
        }
        return total
    }
}

extension MemoryBudget {
    /// `a + b + …` in bytes, saturating at `Int.max / 2`.
    public static func sum(_ terms: Int...) -> Int {
        var total = 0
        for term in terms {
            let (value, overflow) = total.addingReportingOverflow(max(term, 0))
            if overflow || value > Int.max / 2 { return Int.max / 2 }
            total = value
        }
        return total
    }
}
