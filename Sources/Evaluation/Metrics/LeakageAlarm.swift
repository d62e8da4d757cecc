import Foundation

/// Flags held-out numbers too good to be true: the signature of a split that leaked into
/// training, a non-causal model that sees the token it predicts, or a scoring bug. The
/// original reported perplexity 1.07 and 98.55 % accuracy; every rule below fires on that.
public enum LeakageAlarm {
    public struct Thresholds: Sendable, Equatable {
        /// Below this perplexity a held-out split is "near 1".
        public var minPerplexity = 1.5
        /// The best general-purpose compressors reach ≈ 0.9 bits/byte on English Wikipedia
        /// (enwik9); a small model far below that on held-out text is not plausible.
        public var minBitsPerByte = 0.6
        public var maxTop1Accuracy = 0.9
        /// Largest share of the bigram baseline's top-1 errors the model may remove:
        /// (acc − acc_bigram) / (1 − acc_bigram).
        public var maxErrorReductionOverBigram = 0.5
        /// Validation loss well below training loss means the splits are not what they claim.
        public var minOverfittingRatio = 0.9

        public init() {}
    }

    /// One held-out split's scores and the bigram baseline's scores on the same positions.
    public struct HeldOut: Sendable {
        public var split: String
        public var model: LanguageModelScores
        public var bigram: LanguageModelScores?

        public init(split: String, model: LanguageModelScores, bigram: LanguageModelScores?) {
            self.split = split
            self.model = model
            self.bigram = bigram
        }
    }

    public static func check(heldOut: [HeldOut], generalization: Generalization? = nil,
                             thresholds t: Thresholds = Thresholds()) -> LeakageReport {
        var checks: [LeakageCheck] = []
        for h in heldOut {
            let m = h.model
            checks.append(LeakageCheck(
                rule: "perplexity-near-one", split: h.split,
                description: "perplexity below \(t.minPerplexity): the model is almost never surprised",
                value: m.perplexity, threshold: t.minPerplexity, fired: m.perplexity < t.minPerplexity))
            checks.append(LeakageCheck(
                rule: "bits-per-byte-implausible", split: h.split,
                description: "bits per byte below \(t.minBitsPerByte), beyond the best compressors of Wikipedia text",
                value: m.bitsPerByte, threshold: t.minBitsPerByte, fired: m.bitsPerByte < t.minBitsPerByte))
            checks.append(LeakageCheck(
                rule: "top1-accuracy-implausible", split: h.split,
                description: "top-1 accuracy above \(t.maxTop1Accuracy) on natural text",
                value: m.top1Accuracy, threshold: t.maxTop1Accuracy, fired: m.top1Accuracy > t.maxTop1Accuracy))
            if let b = h.bigram, b.top1Accuracy < 1 {
                let reduction = (m.top1Accuracy - b.top1Accuracy) / (1 - b.top1Accuracy)
                checks.append(LeakageCheck(
                    rule: "top1-accuracy-far-above-bigram", split: h.split,
                    description: "removes more than \(Int(t.maxErrorReductionOverBigram * 100)) % of the bigram baseline's top-1 errors (bigram top-1 \(String(format: "%.4f", b.top1Accuracy)))",
                    value: reduction, threshold: t.maxErrorReductionOverBigram,
                    fired: reduction > t.maxErrorReductionOverBigram))
            }
        }
        if let g = generalization {
            checks.append(LeakageCheck(
                rule: "validation-loss-below-train", split: "validation/train",
                description: "validation loss / train loss below \(t.minOverfittingRatio)",
                value: g.overfittingRatio, threshold: t.minOverfittingRatio,
                fired: g.overfittingRatio < t.minOverfittingRatio))
        }
        let fired = checks.filter(\.fired)
        let summary = fired.isEmpty
            ? "No leak suspected: \(checks.count) checks passed."
            : "SUSPECTED LEAK: " + fired.map { "\($0.rule) on \($0.split) (\(String(format: "%.4g", $0.value)) vs \(String(format: "%.4g", $0.threshold)))" }.joined(separator: "; ")
        return LeakageReport(suspected: !fired.isEmpty, summary: summary, checks: checks)
    }
}

public struct LeakageCheck: Codable, Sendable, Equatable {
    public var rule: String
    public var split: String
    public var description: String
    public var value: Double
    public var threshold: Double
    public var fired: Bool
}

public struct LeakageReport: Codable, Sendable, Equatable {
    public var suspected: Bool
    public var summary: String
    /// Every check that ran, fired or not.
    public var checks: [LeakageCheck]
}
