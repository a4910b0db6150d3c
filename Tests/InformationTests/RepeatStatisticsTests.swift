@testable import Information
import RealModule
import Testing

@Suite("Repeat statistics")
struct RepeatStatisticsTests {
    @Test func meanStdIntervalAndPeaks() {
        // 3 runs, 2 epochs, 2 layers.
        let values: [[[Double]]] = [
            [[1, 10], [2, 8]],
            [[3, 10], [4, 6]],
            [[5, 10], [6, 7]],
        ]
        let s = RepeatStatistics(values)
        #expect(s.mean == [[3, 10], [4, 7]])
        #expect((s.std[0][0]).isApproximatelyEqual(to: 2, absoluteTolerance: 1e-12) && s.std[0][1] == 0)
        #expect(s.lower[0][0] >= 1 && s.lower[0][0] <= 3 && s.upper[0][0] >= 3 && s.upper[0][0] <= 5)
        #expect(s.lower[0][1] == 10 && s.upper[0][1] == 10)
        // Without resamples: the same mean and s.d., the interval collapsed to the mean.
        let plain = RepeatStatistics(values, resamples: 0)
        #expect(plain.mean == s.mean && plain.std == s.std && plain.lower == s.mean && plain.upper == s.mean)
        let peaks = RepeatStatistics.peaks([[1, 10], [5, 8], [2, 9]])
        #expect(peaks[0].peakIndex == 1 && peaks[0].compressionBits == 3 && peaks[0].compressionFraction.isApproximatelyEqual(to: 0.6, absoluteTolerance: 1e-12))
        #expect(peaks[1].peakIndex == 0 && peaks[1].compressionBits == 1)
    }

    /// A true median: the mean of the two middle values for an even count (two runs at
    /// 9.1% and 46.7% compression have the median 27.9%, not 46.7%); NaN left out.
    @Test func medianOfEvenAndOddCounts() {
        #expect(RepeatStatistics.median([0.467, 0.091])! .isApproximatelyEqual(to: 0.279, relativeTolerance: 1e-12))
        #expect(RepeatStatistics.median([3, 1, 2]) == 2)
        #expect(RepeatStatistics.median([100, 200]) == 150)
        #expect(RepeatStatistics.median([.nan, 5, 7]) == 6)
        #expect(RepeatStatistics.median([]) == nil)
        #expect(RepeatStatistics.epochText(150) == "150" && RepeatStatistics.epochText(150.5) == "150.5")
    }
}
