import CZlib
import Foundation

/// An 8-bit RGB raster encoded as PNG (ISO/IEC 15948): signature, IHDR, one zlib-compressed
/// IDAT with filter type 0 on every row, IEND; CRC-32 and deflate from zlib. Small maps
/// (28×28) become a few hundred bytes, so reports can inline them as data URIs.
public struct PNGImage: Sendable {
    public let width: Int, height: Int
    /// `[height][width][3]` row-major.
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == width * height * 3, "PNGImage: \(rgb.count) bytes for \(width)×\(height) RGB")
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    /// Values `[height][width]` through a colour map: `.relevance` centres 0 on white and
    /// scales by the largest |value|; `.sequential` stretches min…max over viridis;
    /// `.grey` stretches min…max over black…white.
    public init(values: [Float], width: Int, height: Int, style: Figures.ImageStyle) {
        let finite = values.filter(\.isFinite)
        let low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 1)
        let extreme = max(abs(low), abs(high), 1e-12)
        var bytes = [UInt8](); bytes.reserveCapacity(values.count * 3)
        for value in values {
            let v = Double(value)
            switch style {
            case .grey:
                let g = UInt8(max(0, min(255, ((v - low) / max(high - low, 1e-12) * 255).rounded())))
                bytes += [g, g, g]
            case .sequential:
                let (r, g, b) = ColorMap.viridis.rgb((v - low) / max(high - low, 1e-12))
                bytes += [r, g, b]
            case .relevance:
                let (r, g, b) = ColorMap.diverging.rgb(0.5 + v / (2 * extreme))
                bytes += [r, g, b]
            case .relevanceWithin(let m):
                let (r, g, b) = ColorMap.diverging.rgb(0.5 + v / (2 * max(m, 1e-12)))
                bytes += [r, g, b]
            case .rgb:
                // Interleaved input: each value is one channel.
                bytes.append(UInt8(max(0, min(255, ((v - low) / max(high - low, 1e-12) * 255).rounded()))))
            }
        }
        self.init(width: width, height: height, rgb: bytes)
    }

    /// The PNG file's bytes.
    public func encoded() -> [UInt8] {
        var raw = [UInt8](); raw.reserveCapacity(height * (width * 3 + 1))
        for y in 0..<height {
            raw.append(0)
            raw += rgb[(y * width * 3)..<((y + 1) * width * 3)]
        }
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(uLong(raw.count))))
        var length = uLongf(compressed.count)
        let status = compressed.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { compress2(out.baseAddress, &length, $0.baseAddress, uLong(raw.count), 9) }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status))")
        compressed.removeSubrange(Int(length)...)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            png += be32(data.count) + body
            let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt(body.count)) }
            png += be32(Int(crc))
        }
        chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
        chunk("IDAT", compressed)
        chunk("IEND", [])
        return png
    }

    /// A `data:image/png;base64,…` URI for HTML.
    public var dataURI: String { "data:image/png;base64," + Data(encoded()).base64EncodedString() }
}
