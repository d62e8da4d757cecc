@testable import Evaluation
import Foundation
import Testing

/// A real (if small) language model behind `LogitsSource`: the Kneser–Ney bigram, whose
/// "KV cache" is the sequence read so far. It counts calls so tests can see one step per token.
struct BigramSource: LogitsSource {
    let model: NGramBaseline
    var sequence: [Int] = []
    var starts = 0, appends = 0
    var vocabSize: Int { model.vocabSize }

    mutating func start(prompt: [Int]) throws -> [Float] {
        starts += 1
        sequence = prompt
        return logits()
    }

    mutating func append(_ token: Int) throws -> [Float] {
        appends += 1
        sequence.append(token)
        return logits()
    }

    private func logits() -> [Float] { model.probabilities(.bigram, previous: sequence.last).map { Float(log($0)) } }
}

/// Fixed logits for every step.
struct ConstantSource: LogitsSource {
    let logits: [Float]
    var vocabSize: Int { logits.count }
    mutating func start(prompt: [Int]) throws -> [Float] { logits }
    mutating func append(_ token: Int) throws -> [Float] { logits }
}

private func frequencies(_ tokens: [Int], _ v: Int) -> [Double] {
    var c = [Double](repeating: 0, count: v)
    for t in tokens { c[t] += 1 }
    return c.map { $0 / Double(tokens.count) }
}

private func softmax(_ z: [Double]) -> [Double] {
    let m = z.max()!
    let e = z.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

@Suite struct SamplerTests {
    let logits: [Float] = [log(0.5), log(0.3), log(0.15), log(0.05)].map(Float.init)

    private func draw(_ settings: SamplingSettings, _ n: Int = 20000, history: [Int] = []) -> [Int] {
        var s = Sampler(settings: settings)
        return (0..<n).map { _ in s.next(logits: logits, history: history) }
    }

    @Test func greedyTakesArgmaxAndFirstOnTies() {
        var s = Sampler(settings: .greedy())
        #expect(s.next(logits: logits, history: []) == 0)
        #expect(s.next(logits: [1, 5, 5, 2], history: []) == 1)
    }

    /// 20,000 seeded draws at temperature 1 and 2 land within 0.015 of softmax(z/T).
    @Test func temperatureSamplesTheSoftmax() {
        for t in [1.0, 2.0] {
            let f = frequencies(draw(SamplingSettings(temperature: t, seed: 11)), 4)
            let p = softmax(logits.map { Double($0) / t })
            #expect(zip(f, p).allSatisfy { abs($0 - $1) < 0.015 }, "T=\(t): \(f) vs \(p)")
        }
    }

    @Test func sameSeedSameTokensOtherSeedOtherTokens() {
        let a = draw(SamplingSettings(seed: 5), 200), b = draw(SamplingSettings(seed: 5), 200)
        let c = draw(SamplingSettings(seed: 6), 200)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func topKKeepsTheKMostLikely() {
        #expect(Set(draw(SamplingSettings(topK: 2, seed: 1), 2000)) == [0, 1])
        #expect(Set(draw(SamplingSettings(topK: 1, seed: 1), 100)) == [0])
        // Renormalised over the two kept: 0.5/0.8 and 0.3/0.8.
        let f = frequencies(draw(SamplingSettings(topK: 2, seed: 2)), 4)
        #expect(abs(f[0] - 0.625) < 0.015 && abs(f[1] - 0.375) < 0.015, "\(f)")
    }

    /// Selection must agree with a full sort, ties included.
    @Test func mostLikelyMatchesAFullSort() {
        var rng = SeededGenerator(seed: 3)
        for trial in 0..<200 {
            let z = (0..<(1 + trial % 60)).map { _ in Double(rng.next() % 10) }
            let k = 1 + Int(rng.next() % UInt64(z.count))
            let sorted = z.indices.sorted { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }
            #expect(Sampler.mostLikely(k, z) == Array(sorted.prefix(k)), "k=\(k) z=\(z)")
        }
    }

    /// The pre-filtered nucleus must equal the prefix of a full sort, on flat and peaked rows.
    @Test func nucleusMatchesAFullSort() {
        var rng = SeededGenerator(seed: 4)
        for trial in 0..<200 {
            let n = 2 + trial % 80
            let sharpness = Double(trial % 4) * 3
            let raw = (0..<n).map { _ in exp(sharpness * rng.nextUnit()) }
            let total = raw.reduce(0, +)
            let p = raw.map { $0 / total }
            let topP = [0.3, 0.9, 0.99][trial % 3]
            let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
            var cumulative = 0.0, expected: [Int] = []
            for t in order where cumulative < topP { cumulative += p[t]; expected.append(t) }
            #expect(Sampler.nucleus(Array(0..<n), p, topP).0 == expected, "n=\(n) topP=\(topP)")
        }
    }

    /// Probabilities 0.5, 0.3, 0.15, 0.05: the nucleus is the smallest prefix reaching p.
    @Test func topPKeepsTheNucleus() {
        #expect(Set(draw(SamplingSettings(topP: 0.45, seed: 1), 500)) == [0])
        #expect(Set(draw(SamplingSettings(topP: 0.7, seed: 1), 2000)) == [0, 1])
        #expect(Set(draw(SamplingSettings(topP: 0.81, seed: 1), 4000)) == [0, 1, 2])
    }

    /// Positive logits are divided by θ, negative ones multiplied: 2/1.5 < 1.9 and −1·1.5 < −1.2.
    @Test func repetitionPenaltyDemotesSeenTokens() {
        var s = Sampler(settings: .greedy(repetitionPenalty: 1.5))
        #expect(s.next(logits: [2.0, 1.9, -1, -1.2], history: [0]) == 1)
        #expect(s.next(logits: [-1.0, -1.2], history: [0, 0]) == 1)
        #expect(s.next(logits: [2.0, 1.9], history: [1]) == 0)
    }
}

@Suite struct GeneratorTests {
    @Test func greedyFollowsTheModelWithOneCachedStepPerToken() throws {
        let model = try NGramBaseline.train(tokens: markovStream(count: 3000, seed: 9), vocabSize: 50)
        var source = BigramSource(model: model)
        let r = try Generation.generate(&source, prompt: [3, 4], settings: .greedy(maxNewTokens: 12))
        #expect(r.tokens.count == 12)
        #expect(source.starts == 1 && source.appends == 11)
        var previous = 4
        for t in r.tokens {
            #expect(t == Sampler.argmax(model.probabilities(.bigram, previous: previous).map { Float(log($0)) }))
            previous = t
        }
        #expect(r.decodeLatencies.count == 11 && r.timeToFirstToken > 0 && r.totalSeconds >= r.timeToFirstToken)
    }

    @Test func seededSamplingIsReproducible() throws {
        let model = try NGramBaseline.train(tokens: markovStream(count: 3000, seed: 9), vocabSize: 50)
        let settings = SamplingSettings(temperature: 0.9, topK: 20, topP: 0.95, repetitionPenalty: 1.2,
                                        maxNewTokens: 30, seed: 42)
        var a = BigramSource(model: model), b = BigramSource(model: model)
        let x = try Generation.generate(&a, prompt: [1], settings: settings)
        let y = try Generation.generate(&b, prompt: [1], settings: settings)
        #expect(x.tokens == y.tokens && x.tokens.count == 30)
    }

    @Test func stopsAtStopTokenWithoutEmittingIt() throws {
        var source = ConstantSource(logits: [0, 0, 9])
        let r = try Generation.generate(&source, prompt: [0], settings: SamplingSettings(
            temperature: 0, maxNewTokens: 5, stopTokens: [2]))
        #expect(r.tokens.isEmpty && r.stoppedAtStopToken)
    }
}

@Suite struct PerformanceTests {
    /// numpy: mean 2.5, std(ddof=1) √(5/3), percentile 50 → 2.5, percentile 95 → 3.85.
    @Test func latencyStatisticsLikeNumpy() {
        let s = LatencyStatistics([4, 1, 3, 2])
        #expect(s.mean == 2.5 && abs(s.std - (5.0 / 3).squareRoot()) < 1e-15)
        #expect(s.p50 == 2.5 && abs(s.p95 - 3.85) < 1e-12 && s.min == 1 && s.max == 4)
        #expect(LatencyStatistics([]).count == 0)
    }

    @Test func generationPerformancePoolsDecodeSteps() {
        let a = GenerationResult(prompt: [], tokens: [1, 2, 3], stoppedAtStopToken: false, timeToFirstToken: 0.5,
                                 decodeLatencies: [0.1, 0.3], totalSeconds: 0.9)
        let b = GenerationResult(prompt: [], tokens: [1, 2], stoppedAtStopToken: false, timeToFirstToken: 0.3,
                                 decodeLatencies: [0.2], totalSeconds: 0.6)
        let p = GenerationPerformance([a, b])
        #expect(p.generatedTokens == 5 && p.perTokenLatency.count == 3)
        #expect(abs(p.decodeTokensPerSecond - 3 / 0.6) < 1e-12 && abs(p.tokensPerSecond - 5 / 1.5) < 1e-12)
        #expect(abs(p.timeToFirstToken.mean - 0.4) < 1e-12)
    }

    /// Touching 64 MiB must raise the resident set by about that much: real numbers, not ~0.
    @Test func residentMemoryIsReal() throws {
        let before = try MemoryUsage.now()
        #expect(before.residentBytes > 1 << 20 && before.peakResidentBytes >= before.residentBytes)
        let size = 64 << 20
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { block.deallocate() }
        for i in stride(from: 0, to: size, by: 4096) { block[i] = UInt8(truncatingIfNeeded: i >> 12) }
        let after = try MemoryUsage.now()
        #expect(after.residentBytes - before.residentBytes > 48 << 20, "RSS \(before.residentBytes) → \(after.residentBytes)")
        #expect(after.peakResidentBytes >= after.residentBytes)
        #expect(block[4096] == 1)
    }
}
