import DataShards
import Evaluation
import Foundation
import MiniGPT
import Tokenizer

/// Scores a prefix of one split, window by window as `SequentialBatches` lays it out (every
/// token after the first is a target once; `[BOS]` targets are skipped): the model, and the
/// n-gram baselines on exactly the same positions. Each window gets its own accumulator; they
/// are merged in window order, so the sums do not depend on the number of threads. Each scored
/// position's ln p is kept too, and summed per article (document) for the bootstrap intervals.
struct SplitScorer {
    let model: MiniGPT
    let batchSize: Int
    /// Largest number of scored positions (rounded down to whole windows, at least one); 0 = all.
    let maxTokens: Int
    /// UTF-8 length of each token; 0 for special tokens.
    let tokenBytes: [Int]
    var bootstrap = ArticleBootstrap()

    struct Scored {
        let name: String
        var model: SplitEvaluator
        var baselines: [NGramBaseline.Kind: SplitEvaluator] = [:]
        /// Windows scored and in the whole split.
        let windows: Int, totalWindows: Int
        /// The split's text bytes that the scored positions stand for (see `attributedBytes`).
        var bytes: Int
        /// Seconds spent on the model (forward passes and scoring).
        let seconds: Double
        /// Per-article sums of the scored positions, model and baselines.
        var articles = ArticleTotals(bytes: [], model: [])
        /// The bootstrap intervals over `articles`.
        var intervals: BitsPerByteIntervals?

        var report: SplitReport {
            let scores = baselines.map { ($0.key.rawValue, $0.value.metrics.scores(bytes: bytes)) }
            return SplitReport(name: name, model: model.metrics.scores(bytes: bytes),
                               baselines: Dictionary(uniqueKeysWithValues: scores), bitsPerByteIntervals: intervals)
        }
    }

    /// The windows `score` reads of a split: all, or the first ⌊maxTokens / T⌋ (at least one).
    func windows(_ tokens: ShardReader) -> Int {
        let all = SequentialBatches(tokens: tokens, batchSize: batchSize, context: model.config.contextLength).windowCount
        return maxTokens == 0 ? all : min(all, max(1, maxTokens / model.config.contextLength))
    }

    static func tokenBytes(_ tokenizer: Tokenizer) throws -> [Int] {
        try (0..<tokenizer.vocabularySize).map { id in
            SpecialToken(rawValue: TokenID(id)) == nil ? try tokenizer.bytes(of: TokenID(id)).count : 0
        }
    }

    /// Scores the first `limit` windows (default: `windows(tokens)`) of a split.
    func score(_ name: String, tokens: ShardReader, baseline: NGramBaseline?, trackBias: Bool,
               limit: Int? = nil) throws -> Scored {
        let context = model.config.contextLength, vocab = model.config.vocabSize
        let batches = SequentialBatches(tokens: tokens, batchSize: batchSize, context: context)
        guard batches.windowCount > 0 else { throw EvaluationError.emptySplit(name) }
        let windows = min(limit ?? self.windows(tokens), self.windows(tokens))
        let last = min(windows * context, tokens.count - 1)
        let started = DispatchTime.now().uptimeNanoseconds

        // ln p(target) of position i at index i (targets 1...last).
        var modelLogProbs = [Double](repeating: 0, count: last + 1)
        var total = SplitEvaluator(vocabSize: vocab, trackBias: trackBias)
        for index in 0..<(windows + batchSize - 1) / batchSize {
            let batch = batches.batch(index)
            let rows = min(batchSize, windows - index * batchSize)
            try model.forward(tokens: Array(batch.inputs[..<(rows * context)]), batch: rows)
            var perRow = [SplitEvaluator?](repeating: nil, count: rows)
            modelLogProbs.withUnsafeMutableBufferPointer { logProbs in
                perRow.withUnsafeMutableBufferPointer { results in
                    model.pool.run(rows) { row, _ in
                        var e = SplitEvaluator(vocabSize: vocab, trackBias: trackBias)
                        for i in row * context..<(row + 1) * context where batch.targets[i] != Batch.ignored {
                            let target = Int(batch.targets[i])
                            // Row r of batch b reads window w = b·B + r; its target at offset j = i − r·T is token w·T + j + 1.
                            let position = (index * batchSize + row) * context + (i - row * context) + 1
                            logProbs[position] = e.add(logits: model.logits(row: i), target: target,
                                                       targetBytes: tokenBytes[target])
                        }
                        results[row] = e
                    }
                }
            }
            for e in perRow { total.merge(e!) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

        var scored = Scored(name: name, model: total, windows: windows, totalWindows: batches.windowCount,
                            bytes: 0, seconds: seconds)
        scored.bytes = attributedBytes(scored, tokens: tokens)
        let stream = tokens.tokens(0..<(last + 1)).map(Int.init)
        var baselineLogProbs: [String: [Double]] = [:]
        if let baseline {
            for kind in NGramBaseline.Kind.allCases {
                var logProbs = [Double](repeating: 0, count: last + 1)
                scored.baselines[kind] = logProbs.withUnsafeMutableBufferPointer {
                    score(baseline, kind, stream: stream, windows: windows, context: context, logProbs: $0)
                }
                baselineLogProbs[kind.rawValue] = logProbs
            }
        }
        let scoredTokenBytes = scored.model.metrics.bytes
        scored.articles = Self.articleTotals(stream: stream, tokenBytes: tokenBytes, model: modelLogProbs,
                                             baselines: baselineLogProbs,
                                             byteScale: scoredTokenBytes > 0 ? Double(scored.bytes) / Double(scoredTokenBytes) : 0)
        scored.intervals = BitsPerByteIntervals(scored.articles, bootstrap: bootstrap)
        return scored
    }

    /// Sums per article (document) of the positions 1..<stream.count whose target is not `[BOS]`:
    /// bits = −Σ ln p / ln 2 for the model and each baseline, and bytes = the targets' token bytes
    /// × `byteScale` (1 for byte-level BPE on a whole split; otherwise the split's attributed
    /// bytes / the scored tokens' bytes, so that Σ bits / Σ bytes is the split's bits per byte). A
    /// new article begins after each `[EOS]`; articles without a scored position are left out.
    static func articleTotals(stream: [Int], tokenBytes: [Int], model: [Double], baselines: [String: [Double]],
                              byteScale: Double) -> ArticleTotals {
        let bos = Int(SpecialToken.bos.id), eos = Int(SpecialToken.eos.id)
        let names = baselines.keys.sorted()
        var bytes: [Double] = [], modelBits: [Double] = [], baselineBits = [[Double]](repeating: [], count: names.count)
        var articleBytes = 0, articleModel = 0.0, articleBaselines = [Double](repeating: 0, count: names.count)
        var positions = 0
        func close() {
            guard positions > 0 else { return }
            bytes.append(Double(articleBytes) * byteScale)
            modelBits.append(-articleModel / M_LN2)
            for k in names.indices { baselineBits[k].append(-articleBaselines[k] / M_LN2) }
            articleBytes = 0; articleModel = 0; positions = 0
            for k in names.indices { articleBaselines[k] = 0 }
        }
        let columns = names.map { baselines[$0]! }
        for i in stride(from: 1, to: stream.count, by: 1) {
            if stream[i - 1] == eos { close() }
            let target = stream[i]
            guard target != bos else { continue }
            positions += 1
            articleBytes += tokenBytes[target]
            articleModel += model[i]
            for k in names.indices { articleBaselines[k] += columns[k][i] }
        }
        close()
        return ArticleTotals(bytes: bytes, model: modelBits,
                             baselines: Dictionary(uniqueKeysWithValues: zip(names, baselineBits).map { ($0, $1) }))
    }

    /// Positions (w·T, w·T + T] of each window w, the ones the model scored, in parallel.
    private func score(_ baseline: NGramBaseline, _ kind: NGramBaseline.Kind, stream: [Int], windows: Int,
                       context: Int, logProbs: UnsafeMutableBufferPointer<Double>) -> SplitEvaluator {
        var perWindow = [SplitEvaluator?](repeating: nil, count: windows)
        perWindow.withUnsafeMutableBufferPointer { results in
            model.pool.run(windows) { w, _ in
                let positions = (w * context + 1)..<min((w + 1) * context + 1, stream.count)
                results[w] = baseline.evaluate(kind, tokens: stream, tokenBytes: tokenBytes, positions: positions,
                                               ignoredTargets: [Int(SpecialToken.bos.id)], trackBias: false,
                                               logProbs: logProbs)
            }
        }
        var total = SplitEvaluator(vocabSize: baseline.vocabSize, trackBias: false)
        for e in perWindow { total.merge(e!) }
        return total
    }

    /// The text bytes behind the scored positions: the shard header's count when the whole
    /// split was scored; otherwise that count times the scored targets' share of the split's
    /// token bytes. For byte-level BPE the share is exact (its tokens' bytes are the text); for
    /// the word tokenizer it is a proportional estimate.
    private func attributedBytes(_ scored: Scored, tokens: ShardReader) -> Int {
        let textBytes = tokens.header.textBytes
        guard scored.windows < scored.totalWindows else { return textBytes }
        var all = 0
        for i in 0..<tokens.count { all += tokenBytes[Int(tokens[i])] }
        guard all > 0 else { return 0 }
        return Int((Double(textBytes) * Double(scored.model.metrics.bytes) / Double(all)).rounded())
    }
}
