import Foundation

/// Count-based baselines built from the training split's token ids, scored on the same test
/// positions as the transformer: if the transformer does not beat them, it learned nothing
/// beyond token frequencies.
///
/// - unigram, add-one: p(w) = (c(w) + 1) / (N + V)
/// - bigram, interpolated Kneser–Ney (Chen & Goodman 1998, one discount per order):
///
///       p(w | v)  = max(c(v,w) − D, 0) / c(v) + D · N₁₊(v•) / c(v) · p₁(w)      when c(v) > 0
///                 = p₁(w)                                                   when v is unseen
///       p₁(w)     = max(N₁₊(•w) − D₁, 0) / N₁₊(••) + D₁ · |{w : N₁₊(•w) > 0}| / N₁₊(••) · 1/V
///
///   where c(v) counts v as a context, N₁₊(v•) the distinct successors of v, N₁₊(•w) the
///   distinct predecessors of w, N₁₊(••) the distinct bigrams; D = n₁/(n₁ + 2n₂) from the
///   numbers of bigrams seen once and twice (D₁ likewise from continuation counts), or 0.5
///   when nothing was seen once. Every token keeps probability > 0.
public struct NGramBaseline: Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case unigram = "unigram (add-one)"
        case bigram = "bigram (interpolated Kneser-Ney)"
    }

    public let vocabSize: Int
    public let trainingTokens: Int
    private let unigram: [Double]
    /// p₁(w), the lower order of the bigram.
    private let continuation: [Double]
    /// Successors of each context in CSR form: successors[rowStart[v]..<rowStart[v+1]].
    private let rowStart: [Int]
    private let successors: [Int32]
    private let successorCounts: [Int32]
    private let contextCount: [Int]
    public let discount: Double
    public let continuationDiscount: Double
    /// The `leaderCount` most likely tokens in rank order (probability descending, then id
    /// ascending, as `SplitEvaluator.rank` orders them), padded with −1: after each seen context
    /// v at v·L, after an unseen one at V·L (the bigram), and for the unigram. They give the
    /// ranks top-1 and top-5 need without ranking the whole vocabulary at every position.
    private var bigramLeaders: [Int32] = []
    private var unigramLeaders: [Int32] = []
    static let leaderCount = 5

    public static func train(tokens: [Int], vocabSize: Int) throws -> NGramBaseline {
        guard vocabSize > 0, vocabSize <= Int(Int32.max) else { throw NGramError.badVocabulary(vocabSize) }
        guard tokens.count >= 2 else { throw NGramError.tooFewTokens(tokens.count) }
        if let bad = tokens.firstIndex(where: { $0 < 0 || $0 >= vocabSize }) {
            throw NGramError.tokenOutOfRange(token: tokens[bad], position: bad, vocabSize: vocabSize)
        }
        return NGramBaseline(tokens: tokens, vocabSize: vocabSize)
    }

    private init(tokens: [Int], vocabSize: Int) {
        self.vocabSize = vocabSize
        trainingTokens = tokens.count
        let v = Double(vocabSize)

        var counts = [Int](repeating: 0, count: vocabSize)
        for t in tokens { counts[t] += 1 }
        unigram = counts.map { (Double($0) + 1) / (Double(tokens.count) + v) }

        // Sorting the bigram keys groups them by context, then by successor.
        let keys = (1..<tokens.count).map { tokens[$0 - 1] * vocabSize + tokens[$0] }.sorted()
        var rowStart = [Int](repeating: 0, count: vocabSize + 1)
        var successors: [Int32] = [], successorCounts: [Int32] = []
        var contextCount = [Int](repeating: 0, count: vocabSize)
        var predecessors = [Int](repeating: 0, count: vocabSize)
        var i = 0
        while i < keys.count {
            var j = i
            while j < keys.count && keys[j] == keys[i] { j += 1 }
            let (context, next) = keys[i].quotientAndRemainder(dividingBy: vocabSize)
            successors.append(Int32(next))
            successorCounts.append(Int32(j - i))
            rowStart[context + 1] += 1
            contextCount[context] += j - i
            predecessors[next] += 1
            i = j
        }
        for c in 0..<vocabSize { rowStart[c + 1] += rowStart[c] }

        discount = Self.discount(successorCounts.map(Int.init))
        continuationDiscount = Self.discount(predecessors.filter { $0 > 0 })
        let types = Double(successors.count)
        let seen = Double(predecessors.filter { $0 > 0 }.count)
        let d1 = continuationDiscount
        continuation = predecessors.map { max(Double($0) - d1, 0) / types + d1 * seen / types / v }
        self.rowStart = rowStart
        self.successors = successors
        self.successorCounts = successorCounts
        self.contextCount = contextCount
        (unigramLeaders, bigramLeaders) = leaders()
    }

    /// One pass over each distinct row: O(V²) for the bigram in the worst case, done once.
    private func leaders() -> (unigram: [Int32], bigram: [Int32]) {
        let l = Self.leaderCount
        var p = [Double](repeating: 0, count: vocabSize)
        var bigram = [Int32](repeating: -1, count: (vocabSize + 1) * l)
        func fill(_ kind: Kind, previous: Int?, into leaders: inout [Int32], at start: Int) {
            p.withUnsafeMutableBufferPointer { probabilities(kind, previous: previous, into: $0) }
            for (j, t) in Self.leaders(p, count: l).enumerated() { leaders[start + j] = Int32(t) }
        }
        var unigram = [Int32](repeating: -1, count: l)
        fill(.unigram, previous: nil, into: &unigram, at: 0)
        fill(.bigram, previous: nil, into: &bigram, at: vocabSize * l)
        for v in 0..<vocabSize where contextCount[v] > 0 { fill(.bigram, previous: v, into: &bigram, at: v * l) }
        return (unigram, bigram)
    }

    /// The first `count` token ids of `p` ranked by probability descending, then id ascending.
    static func leaders(_ p: [Double], count: Int) -> [Int] {
        var top: [(p: Double, id: Int)] = []
        top.reserveCapacity(count + 1)
        for (t, x) in p.enumerated() where top.count < count || x > top[top.count - 1].p {
            // After every entry at least as likely: those have smaller ids.
            let at = top.firstIndex { $0.p < x } ?? top.count
            top.insert((x, t), at: at)
            if top.count > count { top.removeLast() }
        }
        return top.map(\.id)
    }

    /// n₁ / (n₁ + 2 n₂) over the counts given; 0.5 when no count is 1.
    private static func discount(_ counts: [Int]) -> Double {
        let n1 = counts.filter { $0 == 1 }.count, n2 = counts.filter { $0 == 2 }.count
        return n1 > 0 ? Double(n1) / Double(n1 + 2 * n2) : 0.5
    }

    /// The next-token distribution after `previous` (ignored by the unigram; nil = no context).
    public func probabilities(_ kind: Kind, previous: Int?, into p: UnsafeMutableBufferPointer<Double>) {
        precondition(p.count == vocabSize, "buffer holds \(p.count) entries, vocabulary has \(vocabSize)")
        switch kind {
        case .unigram:
            for t in 0..<vocabSize { p[t] = unigram[t] }
        case .bigram:
            guard let v = previous, contextCount[v] > 0 else {
                for t in 0..<vocabSize { p[t] = continuation[t] }
                return
            }
            let c = Double(contextCount[v])
            let row = rowStart[v]..<rowStart[v + 1]
            let gamma = discount * Double(row.count) / c
            for t in 0..<vocabSize { p[t] = gamma * continuation[t] }
            for k in row { p[Int(successors[k])] += max(Double(successorCounts[k]) - discount, 0) / c }
        }
    }

    /// p(target | previous), computed exactly as `probabilities` computes that entry (the same
    /// operations in the same order, so the same bits) without filling the whole row.
    public func probability(_ kind: Kind, previous: Int?, target w: Int) -> Double {
        switch kind {
        case .unigram:
            return unigram[w]
        case .bigram:
            guard let v = previous, contextCount[v] > 0 else { return continuation[w] }
            let c = Double(contextCount[v])
            var low = rowStart[v], high = rowStart[v + 1]
            let gamma = discount * Double(high - low) / c
            var p = gamma * continuation[w]
            // Successors are sorted within a row.
            while low < high {
                let mid = (low + high) / 2
                if Int(successors[mid]) < w { low = mid + 1 } else { high = mid }
            }
            if low < rowStart[v + 1] && Int(successors[low]) == w {
                p += max(Double(successorCounts[low]) - discount, 0) / c
            }
            return p
        }
    }

    /// The rank of `target` after `previous` when it is below `leaderCount` (5), else 5.
    func leaderRank(_ kind: Kind, previous: Int?, target: Int) -> Int {
        let l = Self.leaderCount
        let start: Int
        switch kind {
        case .unigram: start = -1
        case .bigram: start = (previous.map { contextCount[$0] > 0 ? $0 : vocabSize } ?? vocabSize) * l
        }
        for j in 0..<l where (start < 0 ? unigramLeaders[j] : bigramLeaders[start + j]) == Int32(target) { return j }
        return l
    }

    public func probabilities(_ kind: Kind, previous: Int?) -> [Double] {
        var p = [Double](repeating: 0, count: vocabSize)
        p.withUnsafeMutableBufferPointer { probabilities(kind, previous: previous, into: $0) }
        return p
    }

    /// Scores every position i in `positions` (default 1..<tokens.count; target tokens[i],
    /// context tokens[i−1]) whose target is not in `ignoredTargets`, as a transformer reading the
    /// same stream predicts them. `tokenBytes[t]` is the UTF-8 length of token t. When given,
    /// `logProbs[i]` receives ln p(tokens[i]) of each scored position i (others are untouched).
    ///
    /// Without bias, each position costs a lookup (the target's probability and whether it is
    /// among the 5 leaders of its row), not a pass over the vocabulary; the figures are the same
    /// bits as with the whole row.
    public func evaluate(_ kind: Kind, tokens: [Int], tokenBytes: [Int], positions: Range<Int>? = nil,
                         ignoredTargets: Set<Int> = [], trackBias: Bool = true,
                         logProbs: UnsafeMutableBufferPointer<Double>? = nil) -> SplitEvaluator {
        precondition(tokenBytes.count == vocabSize, "\(tokenBytes.count) byte lengths for \(vocabSize) tokens")
        let positions = positions ?? 1..<max(tokens.count, 1)
        precondition(positions.lowerBound >= 1 && positions.upperBound <= max(tokens.count, 1),
                     "positions \(positions) outside 1..<\(tokens.count)")
        precondition(logProbs.map { $0.count >= positions.upperBound } ?? true,
                     "logProbs holds \(logProbs?.count ?? 0) entries, positions reach \(positions.upperBound)")
        var evaluator = SplitEvaluator(vocabSize: vocabSize, trackBias: trackBias)
        if !trackBias {
            for i in positions where !ignoredTargets.contains(tokens[i]) {
                let target = tokens[i], previous = tokens[i - 1]
                precondition(target >= 0 && target < vocabSize && previous >= 0 && previous < vocabSize,
                             "token outside vocabulary 0..<\(vocabSize) at position \(i)")
                let logProb = Foundation.log(probability(kind, previous: previous, target: target))
                evaluator.add(logProb: logProb, targetRank: leaderRank(kind, previous: previous, target: target),
                              targetBytes: tokenBytes[target])
                logProbs?[i] = logProb
            }
            return evaluator
        }
        var p = [Double](repeating: 0, count: vocabSize)
        for i in positions where !ignoredTargets.contains(tokens[i]) {
            p.withUnsafeMutableBufferPointer { probabilities(kind, previous: tokens[i - 1], into: $0) }
            let logProb = p.withUnsafeBufferPointer {
                evaluator.add(probabilities: $0, target: tokens[i], targetBytes: tokenBytes[tokens[i]])
            }
            logProbs?[i] = logProb
        }
        return evaluator
    }
}

public enum NGramError: Error, CustomStringConvertible, Equatable {
    case badVocabulary(Int)
    case tooFewTokens(Int)
    case tokenOutOfRange(token: Int, position: Int, vocabSize: Int)

    public var description: String {
        switch self {
        case .badVocabulary(let v): "n-gram baseline: vocabulary size \(v) must be in 1…\(Int32.max)"
        case .tooFewTokens(let n): "n-gram baseline: training split has \(n) tokens; at least 2 are needed for a bigram"
        case let .tokenOutOfRange(t, i, v): "n-gram baseline: token \(t) at position \(i) is outside the vocabulary 0..<\(v)"
        }
    }
}
