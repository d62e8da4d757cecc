import Foundation

/// How a model's predicted next-token distribution departs from the true next-token distribution
/// over N scored positions i with predictions pᵢ and true next tokens yᵢ:
///
///     q(t) = (1/N) Σᵢ pᵢ(t)          mean predicted probability of token t
///     f(t) = (1/N) Σᵢ [yᵢ = t]       empirical frequency of t as the next token
///     d(t) = q(t) − f(t)             frequency bias of t (> 0: over-predicted)
///
/// docs/evaluation.md defines each summary figure.
public struct BiasMetrics: Sendable, Equatable {
    public let vocabSize: Int
    public private(set) var positions = 0
    private var predictedMass: [Double]
    private var targetCounts: [Int]

    public init(vocabSize: Int) {
        self.vocabSize = vocabSize
        predictedMass = [Double](repeating: 0, count: vocabSize)
        targetCounts = [Int](repeating: 0, count: vocabSize)
    }

    public mutating func accumulate(probabilities p: UnsafeBufferPointer<Double>, target: Int) {
        precondition(p.count == vocabSize, "distribution has \(p.count) entries, vocabulary has \(vocabSize)")
        predictedMass.withUnsafeMutableBufferPointer { mass in
            for t in 0..<vocabSize { mass[t] += p[t] }
        }
        targetCounts[target] += 1
        positions += 1
    }

    public mutating func accumulate(probabilities: [Double], target: Int) {
        probabilities.withUnsafeBufferPointer { accumulate(probabilities: $0, target: target) }
    }

    /// Adds the distribution weightsᵢ · scale (softmax numerators and 1 / their sum).
    public mutating func accumulate(weights: [Float], scale: Double, target: Int) {
        precondition(weights.count == vocabSize, "distribution has \(weights.count) entries, vocabulary has \(vocabSize)")
        predictedMass.withUnsafeMutableBufferPointer { mass in
            weights.withUnsafeBufferPointer { w in
                for t in 0..<vocabSize { mass[t] += Double(w[t]) * scale }
            }
        }
        targetCounts[target] += 1
        positions += 1
    }

    public mutating func merge(_ other: BiasMetrics) {
        precondition(other.vocabSize == vocabSize, "cannot merge bias over \(other.vocabSize) tokens into \(vocabSize)")
        for t in 0..<vocabSize {
            predictedMass[t] += other.predictedMass[t]
            targetCounts[t] += other.targetCounts[t]
        }
        positions += other.positions
    }

    /// q(t) for every token.
    public var meanPredicted: [Double] { predictedMass.map { $0 / Double(max(positions, 1)) } }
    /// f(t) for every token.
    public var observedFrequency: [Double] { targetCounts.map { Double($0) / Double(max(positions, 1)) } }

    /// The summary figures; `top` tokens each way, labelled by `tokenText`.
    public func summary(top: Int = 10, tokenText: (Int) -> String = { "#\($0)" }) -> BiasSummary {
        let q = meanPredicted, f = observedFrequency
        let d = zip(q, f).map { $0 - $1 }
        let v = Double(vocabSize)
        let signedMean = d.reduce(0, +) / v
        let observed = (0..<vocabSize).filter { targetCounts[$0] > 0 }
        var kl = 0.0
        for t in observed { kl += f[t] * Foundation.log(f[t] / max(q[t], Double.leastNormalMagnitude)) }
        let absSum = d.reduce(0) { $0 + abs($1) }
        func entry(_ t: Int) -> TokenBias {
            TokenBias(token: t, text: tokenText(t), predicted: q[t], observed: f[t], difference: d[t])
        }
        let byDifference = (0..<vocabSize).sorted { d[$0] != d[$1] ? d[$0] > d[$1] : $0 < $1 }
        return BiasSummary(
            positions: positions, vocabSize: vocabSize, observedTokens: observed.count,
            signedMean: signedMean,
            signedMeanOnObserved: observed.isEmpty ? 0 : observed.reduce(0) { $0 + d[$1] } / Double(observed.count),
            absoluteMean: absSum / v,
            variance: d.reduce(0) { $0 + ($1 - signedMean) * ($1 - signedMean) } / v,
            totalVariation: absSum / 2,
            klTrueToPredicted: kl,
            massOnUnobserved: (0..<vocabSize).filter { targetCounts[$0] == 0 }.reduce(0) { $0 + q[$1] },
            overPredicted: byDifference.prefix(top).filter { d[$0] > 0 }.map(entry),
            underPredicted: byDifference.reversed().prefix(top).filter { d[$0] < 0 }.map(entry),
            frequencyBins: frequencyBins(q: q, f: f))
    }

    /// Tokens ranked by true frequency (ties by id), grouped in rank bins that widen by 25 %,
    /// with the mean observed and mean predicted probability per bin: the bias plot's data.
    private func frequencyBins(q: [Double], f: [Double]) -> [FrequencyBin] {
        let order = (0..<vocabSize).sorted { targetCounts[$0] != targetCounts[$1] ? targetCounts[$0] > targetCounts[$1] : $0 < $1 }
        var bins: [FrequencyBin] = []
        var start = 0
        while start < vocabSize {
            let end = min(vocabSize, max(start + 1, Int((Double(start) * 1.25).rounded(.up))))
            let members = order[start..<end]
            let n = Double(members.count)
            bins.append(FrequencyBin(firstRank: start + 1, lastRank: end,
                                     observed: members.reduce(0) { $0 + f[$1] } / n,
                                     predicted: members.reduce(0) { $0 + q[$1] } / n))
            start = end
        }
        return bins
    }
}

public struct BiasSummary: Codable, Sendable, Equatable {
    public var positions: Int
    public var vocabSize: Int
    /// |S|: tokens that occur at least once as a true next token.
    public var observedTokens: Int
    /// (1/V) Σₜ d(t); 0 up to rounding, since q and f both sum to 1 (an arithmetic check).
    public var signedMean: Double
    /// (1/|S|) Σ_{t∈S} d(t); negative when the model spends mass on tokens that never come next.
    public var signedMeanOnObserved: Double
    /// (1/V) Σₜ |d(t)|.
    public var absoluteMean: Double
    /// (1/V) Σₜ (d(t) − signedMean)².
    public var variance: Double
    /// ½ Σₜ |d(t)|: the share of probability mass that sits on the wrong tokens on average.
    public var totalVariation: Double
    /// KL(f ‖ q) = Σ_{t∈S} f(t) ln(f(t)/q(t)), in nats.
    public var klTrueToPredicted: Double
    /// Σ_{t∉S} q(t).
    public var massOnUnobserved: Double
    public var overPredicted: [TokenBias]
    public var underPredicted: [TokenBias]
    public var frequencyBins: [FrequencyBin]
}

public struct TokenBias: Codable, Sendable, Equatable {
    public var token: Int
    public var text: String
    public var predicted: Double
    public var observed: Double
    public var difference: Double
}

public struct FrequencyBin: Codable, Sendable, Equatable {
    public var firstRank: Int
    public var lastRank: Int
    public var observed: Double
    public var predicted: Double
}
