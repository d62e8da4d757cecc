import Foundation

/// Summary of a set of durations in seconds. `std` is the sample standard deviation (n − 1);
/// percentiles interpolate linearly between order statistics (numpy's default): the q-th
/// percentile of sorted x₀…xₙ₋₁ is at index q/100 · (n − 1).
public struct LatencyStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var std: Double
    public var min: Double
    public var p50: Double
    public var p95: Double
    public var max: Double

    public init(_ samples: [Double]) {
        count = samples.count
        guard !samples.isEmpty else {
            mean = 0; std = 0; min = 0; p50 = 0; p95 = 0; max = 0
            return
        }
        let sorted = samples.sorted()
        let n = Double(samples.count)
        mean = samples.reduce(0, +) / n
        let m = mean
        std = samples.count > 1 ? (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0
        min = sorted[0]
        max = sorted[sorted.count - 1]
        p50 = Self.percentile(sorted, 50)
        p95 = Self.percentile(sorted, 95)
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

/// Speed of a set of generations.
public struct GenerationPerformance: Codable, Sendable, Equatable {
    public var generations: Int
    public var generatedTokens: Int
    public var timeToFirstToken: LatencyStatistics
    /// Pooled over every token after the first of each generation.
    public var perTokenLatency: LatencyStatistics
    /// Decode speed: tokens after the first / the time spent producing them.
    public var decodeTokensPerSecond: Double
    /// End to end: all new tokens / total time including prompt prefill.
    public var tokensPerSecond: Double

    public init(_ results: [GenerationResult]) {
        generations = results.count
        generatedTokens = results.reduce(0) { $0 + $1.tokens.count }
        timeToFirstToken = LatencyStatistics(results.map(\.timeToFirstToken))
        let decode = results.flatMap(\.decodeLatencies)
        perTokenLatency = LatencyStatistics(decode)
        let decodeTime = decode.reduce(0, +)
        decodeTokensPerSecond = decodeTime > 0 ? Double(decode.count) / decodeTime : 0
        let total = results.reduce(0) { $0 + $1.totalSeconds }
        tokensPerSecond = total > 0 ? Double(generatedTokens) / total : 0
    }
}
