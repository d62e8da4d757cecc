import Foundation
import Testing
@testable import Evaluation

/// The seeded bootstrap over articles, on hand-made per-article sums.
@Suite struct BootstrapTests {
    /// `count` articles of 50–2,000 bytes at 0.8–2.4 bits per byte each, seeded.
    static func articles(_ count: Int, seed: UInt64 = 3) -> (bytes: [Double], bits: [Double]) {
        var rng = SeededGenerator(seed: seed)
        let bytes = (0..<count).map { _ in (50 + 1950 * rng.nextUnit()).rounded() }
        return (bytes, bytes.map { $0 * (0.8 + 1.6 * rng.nextUnit()) })
    }

    @Test func intervalContainsTheEstimate() {
        let (bytes, bits) = Self.articles(60)
        let ci = ArticleBootstrap().intervals(bytes: bytes, bits: [bits])[0]
        #expect(ci.estimate == bits.reduce(0, +) / bytes.reduce(0, +), "the estimate is Σ bits / Σ bytes over all articles")
        #expect(ci.low < ci.estimate && ci.estimate < ci.high)
        #expect(ci.width > 0.05 && ci.width < 0.5, "\(ci)")
    }

    /// Four copies of every article: the same estimate, an interval about half as wide (1/√4).
    @Test func intervalShrinksWithMoreArticles() {
        let (bytes, bits) = Self.articles(50)
        let small = ArticleBootstrap().intervals(bytes: bytes, bits: [bits])[0]
        let large = ArticleBootstrap().intervals(bytes: Array(repeating: bytes, count: 4).flatMap { $0 },
                                                 bits: [Array(repeating: bits, count: 4).flatMap { $0 }])[0]
        #expect(abs(large.estimate - small.estimate) < 1e-12)
        let ratio = large.width / small.width
        #expect(ratio > 0.35 && ratio < 0.7, "width \(small.width) → \(large.width)")
    }

    @Test func sameSeedSameIntervalOtherSeedAnother() {
        let (bytes, bits) = Self.articles(40)
        let a = ArticleBootstrap(seed: 9).intervals(bytes: bytes, bits: [bits, bits.map { $0 * 0.9 }])
        let b = ArticleBootstrap(seed: 9).intervals(bytes: bytes, bits: [bits, bits.map { $0 * 0.9 }])
        let c = ArticleBootstrap(seed: 10).intervals(bytes: bytes, bits: [bits, bits.map { $0 * 0.9 }])
        #expect(a == b)
        #expect(a[0].estimate == c[0].estimate && a[0] != c[0])
        // Every row comes from the same draws: a row alone gives the interval it gets beside others.
        #expect(ArticleBootstrap(seed: 9).intervals(bytes: bytes, bits: [bits])[0] == a[0])
    }

    /// All articles alike: every resample is the same ratio, summed the same way, so the
    /// interval is the estimate exactly.
    @Test func degenerateCaseIsExact() {
        let ci = ArticleBootstrap().intervals(bytes: Array(repeating: 713, count: 37), bits: [Array(repeating: 1021.3, count: 37)])[0]
        #expect(ci.low == ci.estimate && ci.high == ci.estimate)
        #expect(abs(ci.estimate - 1021.3 / 713) < 1e-12)
        let one = ArticleBootstrap().intervals(bytes: [10], bits: [[25]])[0]
        #expect(one == ConfidenceInterval(estimate: 2.5, low: 2.5, high: 2.5), "one article: nothing to resample")
        let none = ArticleBootstrap().intervals(bytes: [], bits: [[]])[0]
        #expect(none == ConfidenceInterval(estimate: 0, low: 0, high: 0))
        let noBytes = ArticleBootstrap().intervals(bytes: [0, 0], bits: [[1, 2]])[0]
        #expect(noBytes == ConfidenceInterval(estimate: 0, low: 0, high: 0), "a ratio over no bytes is 0, as the metrics report it")
    }

    /// Two articles of one byte with 0 and 2 bits: a resample of two draws gives 0, 1 or 2 bits
    /// per byte with probability 1/4, 1/2, 1/4, so the 2.5 % and 97.5 % quantiles are 0 and 2.
    @Test func percentilesByHand() {
        let ci = ArticleBootstrap().intervals(bytes: [1, 1], bits: [[0, 2]])[0]
        #expect(ci == ConfidenceInterval(estimate: 1, low: 0, high: 2))
        let narrow = ArticleBootstrap(level: 0.4).intervals(bytes: [1, 1], bits: [[0, 2]])[0]
        #expect(narrow.low == 1 && narrow.high == 1, "the 30 % and 70 % quantiles fall in the half of the resamples at 1")
    }

    /// A model that is 0.3 bits per byte better than the baseline on every article: its margin's
    /// interval is tight around 0.3 because the same articles are drawn for both, however much the
    /// articles differ in difficulty (each figure's own interval is wide).
    @Test func marginIsPaired() throws {
        let (bytes, baseline) = Self.articles(45, seed: 11)
        let model = zip(baseline, bytes).map { $0 - 0.3 * $1 }
        let intervals = BitsPerByteIntervals(ArticleTotals(bytes: bytes, model: model, baselines: ["b": baseline]))
        let margin = try #require(intervals.margins["b"])
        #expect(abs(margin.estimate - 0.3) < 1e-12 && margin.width < 1e-12, "\(margin)")
        #expect(intervals.model.width > 0.1 && intervals.baselines["b"]!.width > 0.1)
        #expect(abs(intervals.baselines["b"]!.estimate - intervals.model.estimate - 0.3) < 1e-12)
        #expect(intervals.articles == 45 && intervals.resamples == 1000 && intervals.level == 0.95)
        #expect(intervals.marginOverBigram == nil)

        // A noisy margin: its interval holds the true per-article mean and excludes 0.
        var rng = SeededGenerator(seed: 12)
        let noisy = zip(baseline, bytes).map { $0 - (0.3 + 0.4 * (rng.nextUnit() - 0.5)) * $1 }
        let m = BitsPerByteIntervals(ArticleTotals(bytes: bytes, model: noisy, baselines: ["b": baseline])).margins["b"]!
        #expect(m.low > 0.2 && m.high < 0.4 && m.low < m.estimate && m.estimate < m.high, "\(m)")
    }

    @Test func drawsAreUniformAndInRange() {
        var rng = SeededGenerator(seed: 1)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[ArticleBootstrap.index(below: 7, &rng)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
        var big = SeededGenerator(seed: 2)
        let n = (1 << 62) + 12_345
        #expect((0..<1000).allSatisfy { _ in (0..<n).contains(ArticleBootstrap.index(below: n, &big)) })
        #expect(ArticleBootstrap.index(below: 1, &big) == 0)
    }

    @Test func intervalsSurviveJSON() throws {
        let (bytes, bits) = Self.articles(10)
        let intervals = BitsPerByteIntervals(ArticleTotals(bytes: bytes, model: bits, baselines: [
            NGramBaseline.Kind.bigram.rawValue: bits.map { $0 * 1.1 }, NGramBaseline.Kind.unigram.rawValue: bits.map { $0 * 1.3 },
        ]))
        let data = try JSONEncoder().encode(intervals)
        #expect(try JSONDecoder().decode(BitsPerByteIntervals.self, from: data) == intervals)
        #expect(intervals.marginOverBigram == intervals.margins[NGramBaseline.Kind.bigram.rawValue])
        #expect(intervals.marginOverBigram!.low > 0)
    }
}
