import Foundation

/// A figure on all articles and its bootstrap percentile interval.
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    /// The figure on the articles as they are (each once).
    public var estimate: Double
    public var low: Double
    public var high: Double

    public init(estimate: Double, low: Double, high: Double) {
        self.estimate = estimate
        self.low = low
        self.high = high
    }

    public var width: Double { high - low }
}

/// Seeded bootstrap over articles (documents) for ratios Σ bits / Σ bytes, i.e. bits per byte.
///
/// Articles, not positions, are the unit resampled: positions within an article are strongly
/// correlated (one article about chemistry is hard throughout), so resampling positions would
/// give intervals far too narrow. Resample r draws n articles with replacement out of the n
/// given (`SeededGenerator(seed)`, one stream for all resamples, each draw an unbiased integer
/// in 0..<n by Lemire's multiply-and-reject), and every figure asked for in one call is computed
/// on the same draws, so intervals of a difference are paired. The interval is the
/// percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles of the resampled figures,
/// interpolated linearly between order statistics (numpy's default). The work is sequential:
/// the same inputs and settings give the same bits for any thread count.
public struct ArticleBootstrap: Codable, Sendable, Equatable {
    public static let defaultResamples = 1000
    /// "mini" in ASCII: a fixed seed, small enough to survive any JSON reader.
    public static let defaultSeed: UInt64 = 0x6D69_6E69

    public var resamples: Int
    public var seed: UInt64
    /// Coverage, e.g. 0.95.
    public var level: Double

    public init(resamples: Int = ArticleBootstrap.defaultResamples, seed: UInt64 = ArticleBootstrap.defaultSeed,
                level: Double = 0.95) {
        precondition(resamples > 0, "the bootstrap needs at least one resample, got \(resamples)")
        precondition(level > 0 && level < 1, "coverage level \(level) must be in (0, 1)")
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// For each row of `bits` (Σ bits of one scorer per article, article a at index a): the ratio
    /// Σ bits / Σ bytes over all articles and its interval, every row from the same resamples.
    /// A ratio over no bytes is 0 (as `LanguageModelMetrics.scores(bytes:)` reports it); with no
    /// article every figure is 0.
    public func intervals(bytes: [Double], bits: [[Double]]) -> [ConfidenceInterval] {
        let n = bytes.count
        for row in bits { precondition(row.count == n, "\(row.count) per-article sums for \(n) articles") }
        func ratio(_ b: Double, _ y: Double) -> Double { y > 0 ? b / y : 0 }
        let totalBytes = bytes.reduce(0, +)
        let estimates = bits.map { ratio($0.reduce(0, +), totalBytes) }
        guard n > 0 else { return estimates.map { ConfidenceInterval(estimate: $0, low: $0, high: $0) } }

        var generator = SeededGenerator(seed: seed)
        var replicates = [[Double]](repeating: [], count: bits.count)
        for k in replicates.indices { replicates[k].reserveCapacity(resamples) }
        var sums = [Double](repeating: 0, count: bits.count)
        for _ in 0..<resamples {
            var y = 0.0
            for k in sums.indices { sums[k] = 0 }
            for _ in 0..<n {
                let a = Self.index(below: n, &generator)
                y += bytes[a]
                for k in sums.indices { sums[k] += bits[k][a] }
            }
            for k in sums.indices { replicates[k].append(ratio(sums[k], y)) }
        }
        let lowQ = 50 * (1 - level), highQ = 50 * (1 + level)
        return zip(estimates, replicates).map { estimate, values in
            let sorted = values.sorted()
            return ConfidenceInterval(estimate: estimate, low: LatencyStatistics.percentile(sorted, lowQ),
                                      high: LatencyStatistics.percentile(sorted, highQ))
        }
    }

    /// Uniform in 0..<n (Lemire 2019): the high word of x · n, redrawing x when the low word
    /// falls in the biased part. Fixed by this code, unlike the standard library's `random(in:)`.
    static func index(below n: Int, _ generator: inout SeededGenerator) -> Int {
        let bound = UInt64(n)
        var (high, low) = generator.next().multipliedFullWidth(by: bound)
        if low < bound {
            let threshold = (0 &- bound) % bound
            while low < threshold { (high, low) = generator.next().multipliedFullWidth(by: bound) }
        }
        return Int(high)
    }
}

/// Per-article sums of one split's scored positions, the input of `BitsPerByteIntervals`:
/// the bytes the article's scored targets stand for and, per scorer, Σ −log₂ p(target) over
/// the same positions.
public struct ArticleTotals: Sendable, Equatable {
    public var bytes: [Double]
    /// The model's bits per article.
    public var model: [Double]
    /// Each baseline's bits per article, keyed by `NGramBaseline.Kind.rawValue`.
    public var baselines: [String: [Double]]

    public init(bytes: [Double], model: [Double], baselines: [String: [Double]] = [:]) {
        precondition(model.count == bytes.count && baselines.values.allSatisfy { $0.count == bytes.count },
                     "per-article sums must cover the same \(bytes.count) articles")
        self.bytes = bytes
        self.model = model
        self.baselines = baselines
    }

    public var articles: Int { bytes.count }
}

/// Bits per byte of one split with bootstrap intervals over its articles: the model, each
/// baseline, and the model's margin over each baseline (baseline − model bits per byte: positive
/// when the model is better), all from the same resampled articles.
public struct BitsPerByteIntervals: Codable, Sendable, Equatable {
    /// Articles with at least one scored position: the units resampled.
    public var articles: Int
    public var resamples: Int
    public var seed: UInt64
    public var level: Double
    public var model: ConfidenceInterval
    /// Keyed by `NGramBaseline.Kind.rawValue`.
    public var baselines: [String: ConfidenceInterval]
    /// Baseline − model, keyed like `baselines`.
    public var margins: [String: ConfidenceInterval]

    public init(_ totals: ArticleTotals, bootstrap: ArticleBootstrap = ArticleBootstrap()) {
        let names = totals.baselines.keys.sorted()
        var rows = [totals.model]
        for name in names { rows.append(totals.baselines[name]!) }
        for name in names { rows.append(zip(totals.baselines[name]!, totals.model).map { $0 - $1 }) }
        let found = bootstrap.intervals(bytes: totals.bytes, bits: rows)
        articles = totals.articles
        resamples = bootstrap.resamples
        seed = bootstrap.seed
        level = bootstrap.level
        model = found[0]
        baselines = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, found[1 + $0]) })
        margins = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, found[1 + names.count + $0]) })
    }

    public init(articles: Int, resamples: Int, seed: UInt64, level: Double, model: ConfidenceInterval,
                baselines: [String: ConfidenceInterval] = [:], margins: [String: ConfidenceInterval] = [:]) {
        self.articles = articles
        self.resamples = resamples
        self.seed = seed
        self.level = level
        self.model = model
        self.baselines = baselines
        self.margins = margins
    }

    /// The margin over the Kneser–Ney bigram, when it was scored.
    public var marginOverBigram: ConfidenceInterval? { margins[NGramBaseline.Kind.bigram.rawValue] }
}
