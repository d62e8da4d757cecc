import Foundation

/// Running sums for next-token prediction quality over the scored positions of one split.
///
/// Each position contributes ln p(target), the target's rank among all tokens (0 = the model's
/// first choice) and the number of UTF-8 bytes the target token stands for. Sums are kept in
/// `Double` and added in call order, so the same positions in the same order give the same bits.
public struct LanguageModelMetrics: Sendable, Equatable {
    public private(set) var tokens = 0
    public private(set) var bytes = 0
    /// Σ −ln p(target), in nats.
    public private(set) var totalNLL = 0.0
    public private(set) var top1Hits = 0
    public private(set) var top5Hits = 0

    public init() {}

    public mutating func accumulate(logProb: Double, targetRank: Int, bytes: Int) {
        precondition(targetRank >= 0 && bytes >= 0, "rank \(targetRank) and byte count \(bytes) must be ≥ 0")
        tokens += 1
        self.bytes += bytes
        totalNLL -= logProb
        if targetRank == 0 { top1Hits += 1 }
        if targetRank < 5 { top5Hits += 1 }
    }

    public mutating func accumulate(logProbs: [Double], targetRank: [Int], bytes: [Int]) {
        precondition(logProbs.count == targetRank.count && logProbs.count == bytes.count,
                     "\(logProbs.count) log-probs, \(targetRank.count) ranks and \(bytes.count) byte counts must match")
        for i in logProbs.indices { accumulate(logProb: logProbs[i], targetRank: targetRank[i], bytes: bytes[i]) }
    }

    /// Adds another accumulator's sums (merge partial results in a fixed order for identical bits).
    public mutating func merge(_ other: LanguageModelMetrics) {
        tokens += other.tokens
        bytes += other.bytes
        totalNLL += other.totalNLL
        top1Hits += other.top1Hits
        top5Hits += other.top5Hits
    }

    public var scores: LanguageModelScores { scores(bytes: bytes) }

    /// The scores with bits per byte over `bytes` instead of the summed byte lengths of the
    /// target tokens: the text's own UTF-8 bytes, when the tokens' byte lengths do not add up
    /// to them (a word tokenizer drops spacing and case, and `[UNK]` stands for any bytes).
    public func scores(bytes: Int) -> LanguageModelScores {
        let n = Double(max(tokens, 1))
        let meanLoss = tokens > 0 ? totalNLL / n : 0
        return LanguageModelScores(
            tokens: tokens, bytes: bytes, meanLoss: meanLoss, perplexity: Foundation.exp(meanLoss),
            bitsPerByte: bytes > 0 ? totalNLL / Double(bytes) / M_LN2 : 0,
            top1Accuracy: Double(top1Hits) / n, top5Accuracy: Double(top5Hits) / n)
    }
}

/// Headline numbers of one model on one split.
public struct LanguageModelScores: Codable, Sendable, Equatable {
    public var tokens: Int
    public var bytes: Int
    /// Mean −ln p(target) over scored tokens, in nats (the cross-entropy loss).
    public var meanLoss: Double
    /// exp(meanLoss).
    public var perplexity: Double
    /// Total NLL in nats / UTF-8 bytes scored / ln 2: tokenizer-independent.
    public var bitsPerByte: Double
    public var top1Accuracy: Double
    public var top5Accuracy: Double

    public init(tokens: Int, bytes: Int, meanLoss: Double, perplexity: Double, bitsPerByte: Double,
                top1Accuracy: Double, top5Accuracy: Double) {
        self.tokens = tokens
        self.bytes = bytes
        self.meanLoss = meanLoss
        self.perplexity = perplexity
        self.bitsPerByte = bitsPerByte
        self.top1Accuracy = top1Accuracy
        self.top5Accuracy = top5Accuracy
    }
}

/// The original project's train-versus-validation figures.
public struct Generalization: Codable, Sendable, Equatable {
    public var trainLoss: Double
    public var validationLoss: Double
    /// validation loss / train loss: 1 means no gap, above 1 overfitting.
    public var overfittingRatio: Double
    /// validation loss − train loss, in nats.
    public var generalizationGap: Double

    public init(trainLoss: Double, validationLoss: Double) {
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        overfittingRatio = validationLoss / trainLoss
        generalizationGap = validationLoss - trainLoss
    }
}
