import FeatureVisualization
import Testing
import RealModule

@Suite("Image filters")
struct ImageFiltersTests {
    /// A blurred impulse is a normalised, symmetric Gaussian; a constant stays constant.
    @Test func gaussianBlur() {
        var impulse = [Float](repeating: 0, count: 9 * 9 * 2)
        impulse[(4 * 9 + 4) * 2 + 1] = 1
        let blurred = ImageFilters.gaussianBlur(impulse, height: 9, width: 9, channels: 2, sigma: 1)
        let channel1 = stride(from: 1, to: blurred.count, by: 2).map { blurred[$0] }
        #expect((channel1.reduce(0, +)).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-5))
        #expect(stride(from: 0, to: blurred.count, by: 2).allSatisfy { blurred[$0] == 0 })
        #expect(channel1[4 * 9 + 3].isApproximatelyEqual(to: channel1[3 * 9 + 4], absoluteTolerance: 1e-7) && channel1[4 * 9 + 3].isApproximatelyEqual(to: channel1[4 * 9 + 5], absoluteTolerance: 1e-7))
        // exp(−1/2) relative to the centre one step away, along a row.
        #expect((channel1[4 * 9 + 5] / channel1[4 * 9 + 4]).isApproximatelyEqual(to: 0.60653066, absoluteTolerance: 1e-4))
        let constant = ImageFilters.gaussianBlur([Float](repeating: 0.3, count: 25), height: 5, width: 5, channels: 1, sigma: 2)
        #expect(constant.allSatisfy { $0.isApproximatelyEqual(to: 0.3, absoluteTolerance: 1e-6) })
    }

    @Test func rollIsUndoneByTheOppositeShift() {
        let image = (0..<(4 * 5 * 3)).map(Float.init)
        let shifted = ImageFilters.roll(image, height: 4, width: 5, channels: 3, dy: 1, dx: -2)
        #expect(shifted != image)
        #expect(ImageFilters.roll(shifted, height: 4, width: 5, channels: 3, dy: -1, dx: 2) == image)
        #expect(ImageFilters.percentile([5, 1, 4, 2, 3], 40) == 3)
    }
}
