import RealModule

/// Small image operations for feature visualisation, on `[h, w, c]` images stored
/// row-major.
package enum ImageFilters {
    /// Separable Gaussian blur with standard deviation `sigma` (kernel radius ⌈3σ⌉, edges
    /// clamped), per channel.
    package static func gaussianBlur(_ image: [Float], height: Int, width: Int, channels: Int, sigma: Float) -> [Float] {
        guard sigma > 0 else { return image }
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { Float.exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        let horizontal = convolve(image, kernel, radius: radius, count: width, step: channels, lines: (0..<height).map { $0 * width * channels }, channels: channels)
        return convolve(horizontal, kernel, radius: radius, count: height, step: width * channels, lines: (0..<width).map { $0 * channels }, channels: channels)
    }

    /// One 1-D pass: along each line (its first element's offset in `lines`) of `count`
    /// elements `step` apart, per channel, edges clamped.
    private static func convolve(_ image: [Float], _ kernel: [Float], radius: Int, count: Int, step: Int, lines: [Int], channels: Int) -> [Float] {
        var out = [Float](repeating: 0, count: image.count)
        for start in lines {
            for i in 0..<count {
                for c in 0..<channels {
                    var s: Float = 0
                    for (k, weight) in kernel.enumerated() {
                        let j = min(max(i + k - radius, 0), count - 1)
                        s += weight * image[start + j * step + c]
                    }
                    out[start + i * step + c] = s
                }
            }
        }
        return out
    }

    /// The image shifted by (dy, dx) with wrap-around (jitter); shifting back by (−dy, −dx)
    /// undoes it exactly.
    package static func roll(_ image: [Float], height: Int, width: Int, channels: Int, dy: Int, dx: Int) -> [Float] {
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
    package static func percentile(_ values: [Float], _ percentile: Float) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = min(max(Int((percentile / 100 * Float(sorted.count)).rounded(.down)), 0), sorted.count - 1)
        return sorted[rank]
    }
}
