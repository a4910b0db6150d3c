import Foundation

/// A map from data values to pixels, linear or logarithmic, with "nice" ticks.
public struct Scale: Sendable {
    public enum Kind: Sendable { case linear, log }

    public var kind: Kind
    public var domain: (Double, Double)
    public var range: (Double, Double)

    public init(_ kind: Kind = .linear, domain: (Double, Double), range: (Double, Double)) {
        self.kind = kind
        var low = domain.0, high = domain.1
        if kind == .log {
            low = max(low, 1e-300)
            high = max(high, low * 10)
        }
        // Finite ends only (an analysis may hold ±1e308 or worse), then a non-empty span
        // that survives rounding (1e308 + 1 is 1e308).
        let largest = Double.greatestFiniteMagnitude / 4
        low = low.isNaN ? 0 : min(max(low, -largest), largest)
        high = high.isNaN ? low : min(max(high, -largest), largest)
        if !(low < high) { high = low + (kind == .log ? low * 9 : max(1, abs(low) * 1e-6)) }
        if !(low < high) { low = high - max(1, abs(high) * 1e-6) }
        self.domain = (low, high)
        self.range = range
    }

    func t(_ v: Double) -> Double {
        kind == .log ? log10(v) : v
    }

    public func callAsFunction(_ value: Double) -> Double {
        let a = t(domain.0), b = t(domain.1)
        guard kind == .linear || value > 0 else { return .nan }
        return range.0 + (t(value) - a) / (b - a) * (range.1 - range.0)
    }

    /// Ticks at 1, 2 or 5 × 10^k steps (linear, about `count` of them), or at powers of
    /// ten (log; with 2 and 5 between when there are few decades).
    public func ticks(count: Int = 6) -> [Double] {
        if kind == .log {
            let first = Int(floor(log10(domain.0))), last = Int(ceil(log10(domain.1)))
            var values: [Double] = []
            for e in first...max(first, last) {
                let base = pow(10, Double(e))
                values.append(base)
                if last - first <= 2 { values += [2 * base, 5 * base] }
            }
            return values.filter { $0 >= domain.0 * (1 - 1e-9) && $0 <= domain.1 * (1 + 1e-9) }.sorted()
        }
        let span = domain.1 - domain.0
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        // The 1-2-5 step nearest to the raw step (in ratio).
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.min { abs(log($0 / raw)) < abs(log($1 / raw)) }!
        let lowStep = ceil(domain.0 / step - 1e-9), highStep = floor(domain.1 / step + 1e-9)
        // Steps that do not convert to Int (a span at the edge of Double's range): the ends only.
        guard step.isFinite, step > 0, lowStep.isFinite, highStep.isFinite, abs(lowStep) < 1e15, abs(highStep) < 1e15 else {
            return [domain.0, domain.1]
        }
        let first = Int(lowStep), last = Int(highStep)
        guard first <= last else { return [] }
        // k·step printed to 12 significant digits, so 0.6 is 0.6 and not 0.6000000000000001.
        return (first...last).map { Double(String(format: "%.12g", Double($0) * step)) ?? Double($0) * step }
    }

    /// Tick text: the shortest decimal that shows the step, or 10^k for log decades.
    public func label(_ value: Double) -> String {
        if kind == .log {
            let e = log10(value)
            if abs(e - e.rounded()) < 1e-9 {
                let k = Int(e.rounded())
                // One notation per axis range: decimals from 0.001 to 10000, powers outside.
                if k >= 0 && k <= 4 { return String(Int(pow(10, Double(k)))) }
                if k >= -3 && k < 0 { return "0." + String(repeating: "0", count: -k - 1) + "1" }
                return "1e\(k)"
            }
        }
        if value == value.rounded() && abs(value) < 1e7 { return String(Int(value)) }
        // As many decimals as the tick step needs (a span of 0.001 has steps of 0.0002), at least 3.
        let step = (domain.1 - domain.0) / 6
        let decimals = step > 0 && step.isFinite ? min(12, max(3, Int((-log10(step)).rounded(.up)) + 1)) : 3
        var text = String(format: "%.\(decimals)f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
