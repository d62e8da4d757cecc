import Foundation

/// One corpus BLEU-n score with its sufficient statistics (sacrebleu's `BLEUScore`).
public struct BLEUScore: Codable, Sendable, Equatable {
    public var order: Int
    /// 0–100, like sacrebleu.
    public var score: Double
    /// n-gram precisions in percent, orders 1…`order`.
    public var precisions: [Double]
    public var brevityPenalty: Double
    public var hypothesisLength: Int
    public var referenceLength: Int
    public var matches: [Int]
    public var totals: [Int]

    public var ratio: Double { referenceLength > 0 ? Double(hypothesisLength) / Double(referenceLength) : 0 }

    /// sacrebleu's text form, e.g. `BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)`.
    public var formatted: String {
        let p = precisions.map { String(format: "%.1f", $0) }.joined(separator: "/")
        return String(format: "BLEU = %.2f ", score) + p
            + String(format: " (BP = %.3f ratio = %.3f ", brevityPenalty, ratio)
            + "hyp_len = \(hypothesisLength) ref_len = \(referenceLength))"
    }
}

/// BLEU-1…4 of one corpus and the signature that says how they were computed.
public struct BLEUResult: Codable, Sendable, Equatable {
    /// `scores[n - 1]` is BLEU-n.
    public var scores: [BLEUScore]
    public var signature: String
    public var segments: Int
}
