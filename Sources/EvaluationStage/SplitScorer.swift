import DataShards
import Evaluation
import Foundation
import MiniGPT
import Tokenizer

/// Scores a prefix of one split, window by window as `SequentialBatches` lays it out (every
/// token after the first is a target once; `[BOS]` targets are skipped): the model, and the
/// n-gram baselines on exactly the same positions. Each window gets its own accumulator; they
/// are merged in window order, so the sums do not depend on the number of threads.
struct SplitScorer {
    let model: MiniGPT
    let batchSize: Int
    /// Largest number of scored positions (rounded down to whole windows, at least one); 0 = all.
    let maxTokens: Int
    /// UTF-8 length of each token; 0 for special tokens.
    let tokenBytes: [Int]

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

        var report: SplitReport {
            let scores = baselines.map { ($0.key.rawValue, $0.value.metrics.scores(bytes: bytes)) }
            return SplitReport(name: name, model: model.metrics.scores(bytes: bytes),
                               baselines: Dictionary(uniqueKeysWithValues: scores))
        }
    }

    static func tokenBytes(_ tokenizer: Tokenizer) throws -> [Int] {
        try (0..<tokenizer.vocabularySize).map { id in
            SpecialToken(rawValue: TokenID(id)) == nil ? try tokenizer.bytes(of: TokenID(id)).count : 0
        }
    }

    func score(_ name: String, tokens: ShardReader, baseline: NGramBaseline?, trackBias: Bool) throws -> Scored {
        let context = model.config.contextLength, vocab = model.config.vocabSize
        let batches = SequentialBatches(tokens: tokens, batchSize: batchSize, context: context)
        guard batches.windowCount > 0 else { throw EvaluationError.emptySplit(name) }
        let windows = maxTokens == 0 ? batches.windowCount : min(batches.windowCount, max(1, maxTokens / context))
        let started = DispatchTime.now().uptimeNanoseconds

        var total = SplitEvaluator(vocabSize: vocab, trackBias: trackBias)
        for index in 0..<(windows + batchSize - 1) / batchSize {
            let batch = batches.batch(index)
            let rows = min(batchSize, windows - index * batchSize)
            try model.forward(tokens: Array(batch.inputs[..<(rows * context)]), batch: rows)
            var perRow = [SplitEvaluator?](repeating: nil, count: rows)
            perRow.withUnsafeMutableBufferPointer { results in
                model.pool.run(rows) { row, _ in
                    var e = SplitEvaluator(vocabSize: vocab, trackBias: trackBias)
                    for i in row * context..<(row + 1) * context where batch.targets[i] != Batch.ignored {
                        let target = Int(batch.targets[i])
                        e.add(logits: model.logits(row: i), target: target, targetBytes: tokenBytes[target])
                    }
                    results[row] = e
                }
            }
            for e in perRow { total.merge(e!) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

        var scored = Scored(name: name, model: total, windows: windows, totalWindows: batches.windowCount,
                            bytes: 0, seconds: seconds)
        scored.bytes = attributedBytes(scored, tokens: tokens)
        if let baseline {
            let last = min(windows * context, tokens.count - 1)
            let stream = tokens.tokens(0..<(last + 1)).map(Int.init)
            for kind in NGramBaseline.Kind.allCases {
                scored.baselines[kind] = score(baseline, kind, stream: stream, windows: windows, context: context)
            }
        }
        return scored
    }

    /// Positions (w·T, w·T + T] of each window w, the ones the model scored, in parallel.
    private func score(_ baseline: NGramBaseline, _ kind: NGramBaseline.Kind, stream: [Int], windows: Int,
                       context: Int) -> SplitEvaluator {
        var perWindow = [SplitEvaluator?](repeating: nil, count: windows)
        perWindow.withUnsafeMutableBufferPointer { results in
            model.pool.run(windows) { w, _ in
                let positions = (w * context + 1)..<min((w + 1) * context + 1, stream.count)
                results[w] = baseline.evaluate(kind, tokens: stream, tokenBytes: tokenBytes, positions: positions,
                                               ignoredTargets: [Int(SpecialToken.bos.id)], trackBias: false)
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
