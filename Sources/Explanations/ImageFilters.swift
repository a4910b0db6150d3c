import RealModule

/// Small image operations for feature visualisation, on `[h, w, c]` images stored
/// row-major.
enum ImageFilters {
    /// Separable Gaussian blur with standard deviation `sigma` (kernel radius ⌈3σ⌉, edges
    /// clamped), per channel.
    static func gaussianBlur(_ image: [Float], height: Int, width: Int, channels: Int, sigma: Float) -> [Float] {
        guard sigma > 0 else { return image }
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { Float.exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var horizontal = [Float](repeating: 0, count: image.count)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var s: Float = 0
                    for (k, weight) in kernel.enumerated() {
                        let xx = min(max(x + k - radius, 0), width - 1)
                        s += weight * image[(y * width + xx) * channels + c]
                    }
                    horizontal[(y * width + x) * channels + c] = s
                }
            }
        }
        var out = [Float](repeating: 0, count: image.count)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var s: Float = 0
                    for (k, weight) in kernel.enumerated() {
                        let yy = min(max(y + k - radius, 0), height - 1)
                        s += weight * horizontal[(yy * width + x) * channels + c]
                    }
                    out[(y * width + x) * channels + c] = s
                }
            }
        }
        return out
    }

    /// The image shifted by (dy, dx) with wrap-around (jitter); shifting back by (−dy, −dx)
    /// undoes it exactly.
    static func roll(_ image: [Float], height: Int, width: Int, channels: Int, dy: Int, dx: Int) -> [Float] {
        var out = image
        for y in 0..<height {
            let ty = ((y + dy) % height + height) % height
            for x in 0..<width {
                let tx = ((x + dx) % width + width) % width
                for c in 0..<channels { out[(ty * width + tx) * channels + c] = image[(y * width + x) * channels + c] }
            }
        }
        return out
    }

    /// The value below which `percentile` % of `values` lie (nearest rank).
    static func percentile(_ values: [Float], _ percentile: Float) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = min(max(Int((percentile / 100 * Float(sorted.count)).rounded(.down)), 0), sorted.count - 1)
        return sorted[rank]
    }
}
