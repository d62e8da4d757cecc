import Foundation

/// Scores next-token predictions of one model on one split: feeds `LanguageModelMetrics` and,
/// when asked, `BiasMetrics`. Give it each scored position's full prediction (logits from the
/// transformer, probabilities from the n-gram baselines) and the true next token.
public struct SplitEvaluator: Sendable {
    public let vocabSize: Int
    public private(set) var metrics = LanguageModelMetrics()
    public private(set) var bias: BiasMetrics?
    /// exp(logit − max) of the latest row.
    private var weights: [Float]

    public init(vocabSize: Int, trackBias: Bool = true) {
        precondition(vocabSize > 0, "vocabulary size must be positive, got \(vocabSize)")
        self.vocabSize = vocabSize
        bias = trackBias ? BiasMetrics(vocabSize: vocabSize) : nil
        weights = [Float](repeating: 0, count: vocabSize)
    }

    /// One position from unnormalised logits: softmax with a vectorised exp, sums in `Double`,
    /// and ln p(target) as logit − max − ln Σ exp(logit − max), so it never underflows.
    /// Returns ln p(target).
    @discardableResult
    public mutating func add(logits: UnsafeBufferPointer<Float>, target: Int, targetBytes: Int) -> Double {
        checkRow(logits.count, target)
        var maxLogit = -Float.infinity
        for l in logits where l > maxLogit { maxLogit = l }
        let sum = weights.withUnsafeMutableBufferPointer { VectorExp.shiftedExp(logits, shift: maxLogit, into: $0) }
        let logProb = Double(logits[target]) - Double(maxLogit) - Foundation.log(sum)
        metrics.accumulate(logProb: logProb, targetRank: Self.rank(of: target, in: logits), bytes: targetBytes)
        bias?.accumulate(weights: weights, scale: 1 / sum, target: target)
        return logProb
    }

    @discardableResult
    public mutating func add(logits: [Float], target: Int, targetBytes: Int) -> Double {
        logits.withUnsafeBufferPointer { add(logits: $0, target: target, targetBytes: targetBytes) }
    }

    /// One position from a normalised distribution (it must sum to 1). Returns ln p(target).
    @discardableResult
    public mutating func add(probabilities p: UnsafeBufferPointer<Double>, target: Int, targetBytes: Int) -> Double {
        checkRow(p.count, target)
        let logProb = Foundation.log(p[target])
        metrics.accumulate(logProb: logProb, targetRank: Self.rank(of: target, in: p), bytes: targetBytes)
        bias?.accumulate(probabilities: p, target: target)
        return logProb
    }

    /// One position whose ln p(target) and rank the caller already knows (a rank ≥ 5 may be
    /// given as any value ≥ 5: the metrics only tell 0, 1…4 and the rest apart). Only for an
    /// evaluator without bias, which needs the whole distribution.
    public mutating func add(logProb: Double, targetRank: Int, targetBytes: Int) {
        precondition(bias == nil, "bias needs the whole predicted distribution, not ln p(target) alone")
        metrics.accumulate(logProb: logProb, targetRank: targetRank, bytes: targetBytes)
    }

    /// Adds another evaluator's sums, e.g. one per window scored in parallel, merged in window
    /// order so the result does not depend on the number of threads.
    public mutating func merge(_ other: SplitEvaluator) {
        precondition(other.vocabSize == vocabSize && (other.bias == nil) == (bias == nil),
                     "cannot merge an evaluator over \(other.vocabSize) tokens into one over \(vocabSize)")
        metrics.merge(other.metrics)
        if let theirs = other.bias { bias?.merge(theirs) }
    }

    /// Tokens ranked before `target`: a larger score, or an equal score and a smaller id (the
    /// order in which greedy argmax, taking the first maximum, would pick them).
    public static func rank<T: Comparable>(of target: Int, in scores: UnsafeBufferPointer<T>) -> Int {
        let s = scores[target]
        var rank = 0
        for i in 0..<scores.count where scores[i] > s || (i < target && scores[i] == s) { rank += 1 }
        return rank
    }

    private func checkRow(_ count: Int, _ target: Int) {
        precondition(count == vocabSize, "prediction row has \(count) entries, vocabulary has \(vocabSize)")
        precondition(target >= 0 && target < vocabSize, "target token \(target) outside vocabulary 0..<\(vocabSize)")
    }
}
