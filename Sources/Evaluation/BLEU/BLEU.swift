import Foundation

/// Corpus BLEU computed exactly as sacrebleu 2.x does (`sacrebleu.metrics.BLEU.corpus_score`):
/// 13a tokenisation, case-sensitive, n-gram counts clipped by the maximum count over each
/// segment's references, closest reference length (ties → shorter), brevity penalty on the
/// corpus totals, and a chosen smoothing (sacrebleu's default is `exp`). Scores are 0–100.
public enum BLEU {
    public static let maxOrder = 4

    /// sacrebleu's `smooth_method` / `smooth_value`.
    public enum Smoothing: Sendable, Equatable {
        case none
        case floor(Double)
        case addK(Double)
        /// NIST geometric sequence (mteval-v13a, "method 3"): the k-th order with no match
        /// gets precision 1 / (2^k · total).
        case exp

        public static let floorDefault = Smoothing.floor(0.1)
        public static let addKDefault = Smoothing.addK(1)

        var signature: String {
            switch self {
            case .none: "none"
            case .exp: "exp"
            case .floor(let v): "floor[\(String(format: "%.2f", v))]"
            case .addK(let v): "add-k[\(String(format: "%.2f", v))]"
            }
        }
    }

    /// Sufficient statistics of a corpus for orders 1…`maxOrder`.
    public struct Statistics: Sendable, Equatable {
        public var hypothesisLength = 0
        public var referenceLength = 0
        public var matches = [Int](repeating: 0, count: BLEU.maxOrder)
        public var totals = [Int](repeating: 0, count: BLEU.maxOrder)
    }

    /// Corpus BLEU-1 … BLEU-4. `references[i]` holds the reference(s) of `hypotheses[i]`.
    public static func corpus(hypotheses: [String], references: [[String]],
                              smoothing: Smoothing = .exp) throws -> BLEUResult {
        let stats = try statistics(hypotheses: hypotheses, references: references)
        let counts = Set(references.map(\.count))
        let nrefs = counts.count == 1 ? "\(counts.first!)" : "var"
        return BLEUResult(
            scores: (1...maxOrder).map { score(stats, order: $0, smoothing: smoothing) },
            signature: signature(nrefs: nrefs, smoothing: smoothing),
            segments: hypotheses.count)
    }

    /// One reference per hypothesis.
    public static func corpus(hypotheses: [String], references: [String],
                              smoothing: Smoothing = .exp) throws -> BLEUResult {
        try corpus(hypotheses: hypotheses, references: references.map { [$0] }, smoothing: smoothing)
    }

    /// sacrebleu's signature fields in sacrebleu's order; `version` names this implementation.
    public static func signature(nrefs: String, smoothing: Smoothing) -> String {
        "nrefs:\(nrefs)|case:mixed|eff:no|tok:\(Tokenizer13a.signature)|smooth:\(smoothing.signature)|version:minillm-bleu-1"
    }

    public static func statistics(hypotheses: [String], references: [[String]]) throws -> Statistics {
        guard !hypotheses.isEmpty else { throw BLEUError.noHypotheses }
        guard hypotheses.count == references.count else {
            throw BLEUError.countMismatch(hypotheses: hypotheses.count, references: references.count)
        }
        var vocabulary = TokenInterner()
        var stats = Statistics()
        for (i, hypothesis) in hypotheses.enumerated() {
            guard !references[i].isEmpty else { throw BLEUError.noReference(segment: i) }
            let refs = references[i].map { vocabulary.ids(preprocess($0)) }
            let hyp = vocabulary.ids(preprocess(hypothesis))
            var refCounts: [[Int]: Int] = [:]
            for ref in refs {
                for (ngram, count) in ngramCounts(ref) { refCounts[ngram] = max(refCounts[ngram, default: 0], count) }
            }
            stats.hypothesisLength += hyp.count
            stats.referenceLength += closestLength(hyp.count, refs.map(\.count))
            for (ngram, count) in ngramCounts(hyp) {
                stats.totals[ngram.count - 1] += count
                if let r = refCounts[ngram] { stats.matches[ngram.count - 1] += min(count, r) }
            }
        }
        return stats
    }

    /// sacrebleu's `compute_bleu` with `max_ngram_order = order` and `effective_order = False`.
    public static func score(_ stats: Statistics, order: Int, smoothing: Smoothing) -> BLEUScore {
        precondition((1...maxOrder).contains(order), "BLEU order \(order) outside 1…\(maxOrder)")
        let sys = stats.hypothesisLength, ref = stats.referenceLength
        var bp = 1.0
        if sys < ref { bp = sys > 0 ? Foundation.exp(1 - Double(ref) / Double(sys)) : 0 }
        var precisions = [Double](repeating: 0, count: order)
        var score = 0.0
        if stats.matches[0..<order].contains(where: { $0 != 0 }) {
            var smoothMteval = 1.0
            for n in 0..<order {
                var correct = Double(stats.matches[n]), total = Double(stats.totals[n])
                if case .addK(let k) = smoothing, n > 0 { correct += k; total += k }
                if total == 0 { break }
                if correct == 0 {
                    switch smoothing {
                    case .exp:
                        smoothMteval *= 2
                        precisions[n] = 100 / (smoothMteval * total)
                    case .floor(let v):
                        precisions[n] = 100 * v / total
                    case .none, .addK:
                        break
                    }
                } else {
                    precisions[n] = 100 * correct / total
                }
            }
            // sacrebleu's my_log: log(0) is -9999999999, which drives the score to 0.
            let logs = precisions.map { $0 == 0 ? -9_999_999_999 : Foundation.log($0) }
            score = bp * Foundation.exp(logs.reduce(0, +) / Double(order))
        }
        return BLEUScore(order: order, score: score, precisions: precisions, brevityPenalty: bp,
                         hypothesisLength: sys, referenceLength: ref,
                         matches: Array(stats.matches[0..<order]), totals: Array(stats.totals[0..<order]))
    }

    static func preprocess(_ segment: String) -> [[Unicode.Scalar]] {
        Tokenizer13a.tokenizeScalars(Tokenizer13a.rstrip(Array(segment.unicodeScalars)))
    }

    private static func ngramCounts(_ tokens: [Int]) -> [[Int]: Int] {
        var counts: [[Int]: Int] = [:]
        for n in 1...maxOrder where tokens.count >= n {
            for i in 0...(tokens.count - n) { counts[Array(tokens[i..<(i + n)]), default: 0] += 1 }
        }
        return counts
    }

    /// sacrebleu's `_get_closest_ref_len`: the nearest length, the shorter one on a tie.
    private static func closestLength(_ hyp: Int, _ refs: [Int]) -> Int {
        var best = refs[0]
        for r in refs.dropFirst() {
            let d = abs(hyp - r), bestD = abs(hyp - best)
            if d < bestD || (d == bestD && r < best) { best = r }
        }
        return best
    }
}

/// Maps tokens (code-point arrays) to small integers so n-grams hash cheaply.
private struct TokenInterner {
    private var table: [[Unicode.Scalar]: Int] = [:]

    mutating func ids(_ tokens: [[Unicode.Scalar]]) -> [Int] {
        tokens.map { token in
            if let id = table[token] { return id }
            table[token] = table.count
            return table.count - 1
        }
    }
}

public enum BLEUError: Error, CustomStringConvertible, Equatable {
    case noHypotheses
    case countMismatch(hypotheses: Int, references: Int)
    case noReference(segment: Int)

    public var description: String {
        switch self {
        case .noHypotheses: "BLEU: no hypotheses given"
        case let .countMismatch(h, r): "BLEU: \(h) hypotheses but \(r) reference sets; they must pair up"
        case let .noReference(i): "BLEU: segment \(i) has no reference"
        }
    }
}
