import CoreSupport
import DataShards
import Evaluation
import Foundation
import MiniGPT
import MiniPipeline
import MiniStore
import Tokenizer

/// What one evaluation reads, loaded: the model, the shards and their tokenizer, the training
/// curves, the optional extra text, and the lineage and title to print.
struct EvaluationInputs {
    let model: MiniGPT
    let summary: ModelSummary
    let shards: ShardSet
    let tokenizer: Tokenizer
    let history: [HistoryPoint]
    let extra: ExtraText?
    let lineage: Lineage
    let title: String
}

/// Computes the evaluation report with the Evaluation library: language-model metrics on every
/// split, unigram and Kneser–Ney bigram baselines (trained on the whole train split) on the
/// held-out ones, bias on the test split, the leakage checks, the standard generations, BLEU and
/// performance. Every figure except timings and memory is the same for the same inputs.
struct Evaluator {
    let settings: EvaluationSettings
    let log: Log

    func report(_ inputs: EvaluationInputs) throws -> EvaluationReport {
        let model = inputs.model, tokenizer = inputs.tokenizer, shards = inputs.shards
        let tokenBytes = try SplitScorer.tokenBytes(tokenizer)
        let trainTokens = shards.tokens(.train)
        let baseline = try NGramBaseline.train(tokens: trainTokens.tokens(0..<trainTokens.count).map(Int.init),
                                               vocabSize: tokenizer.vocabularySize)
        let scorer = SplitScorer(model: model, batchSize: settings.batchSize, maxTokens: settings.maxTokens,
                                 tokenBytes: tokenBytes)
        var scored: [SplitScorer.Scored] = []
        var sources: [(String, ShardReader, Bool)] = [("train", trainTokens, false), ("validation", shards.tokens(.val), true),
                                                      ("test", shards.tokens(.test), true)]
        if let extra = inputs.extra { sources.append(("extra", extra.reader, true)) }
        // The train split is a sample of the test split's size: its first windows, as many as the test split's.
        let trainWindows = scorer.windows(shards.tokens(.test))
        for (name, reader, heldOut) in sources {
            let split = try scorer.score(name, tokens: reader, baseline: heldOut ? baseline : nil, trackBias: name == "test",
                                         limit: name == "train" ? trainWindows : nil)
            let s = split.model.metrics.scores(bytes: split.bytes)
            log.info(String(format: "%@: %d positions, loss %.4f, perplexity %.2f, %.3f bits/byte, top-1 %.1f %% (%.1f s)",
                            name, s.tokens, s.meanLoss, s.perplexity, s.bitsPerByte, 100 * s.top1Accuracy, split.seconds))
            if let ci = split.intervals {
                var line = String(format: "%@: bits/byte 95 %% CI %.3f–%.3f over %d articles", name, ci.model.low, ci.model.high,
                                  ci.articles)
                if let m = ci.marginOverBigram {
                    line += String(format: "; margin over the bigram %.3f (%.3f–%.3f)", m.estimate, m.low, m.high)
                }
                log.info(line)
            }
            scored.append(split)
        }
        let splits = scored.map(\.report)
        let generalization = Generalization(trainLoss: splits[0].model.meanLoss, validationLoss: splits[1].model.meanLoss)
        let heldOut = splits.dropFirst().map {
            LeakageAlarm.HeldOut(split: $0.name, model: $0.model, bigram: $0.baselines[NGramBaseline.Kind.bigram.rawValue])
        }
        let leakage = LeakageAlarm.check(heldOut: heldOut, generalization: generalization)
        log.info(leakage.summary)
        let bias = scored[2].model.bias!.summary(top: 12) { Self.tokenText($0, tokenizer) }

        var suite = GenerationSuite(source: CachedModelSource(model: model), tokenizer: tokenizer)
        let (samples, results) = try suite.samples(maxNewTokens: settings.maxNewTokens, seed: UInt64(settings.seed))
        let bleu = settings.bleuArticles == 0 ? nil : try suite.bleu(
            test: shards.tokens(.test), articles: settings.bleuArticles, promptWords: settings.bleuPromptWords,
            referenceWords: settings.bleuReferenceWords)
        if let bleu { log.info("BLEU over \(bleu.result.segments) continuations: " + bleu.result.scores.map(\.formatted).last!) }

        let modelSeconds = scored.reduce(0) { $0 + $1.seconds }
        let performance = PerformanceReport(
            generation: GenerationPerformance(results),
            evaluationTokensPerSecond: modelSeconds > 0 ? Double(splits.reduce(0) { $0 + $1.model.tokens }) / modelSeconds : nil,
            memory: try MemoryUsage.now())
        return EvaluationReport(
            title: inputs.title, createdAt: Timestamp.now(), lineage: inputs.lineage, model: inputs.summary,
            splits: splits, generalization: generalization, bias: BiasReport(split: "test", summary: bias),
            leakage: leakage, bleu: bleu, samples: samples, performance: performance, history: inputs.history,
            notes: notes(scored, scorer: scorer, tokenizer: tokenizer, context: model.config.contextLength))
    }

    private func notes(_ scored: [SplitScorer.Scored], scorer: SplitScorer, tokenizer: Tokenizer, context: Int) -> [String] {
        var notes = ["Baselines are trained on the whole train split and scored on exactly the model's positions; "
                     + "every token after the first of a split is a target once, except [BOS] (a document's start cannot be predicted)."]
        for s in scored where s.windows < s.totalWindows {
            let why = s.name == "train" ? "a sample the size of the test split's scored positions"
                : "max_tokens = \(settings.maxTokens)"
            notes.append("\(s.name): scored the first \(s.windows) of \(s.totalWindows) windows of \(context) tokens "
                         + "(\(why)); bits per byte use those positions' share of the split's text bytes.")
        }
        let b = scorer.bootstrap
        notes.append("Intervals: \(Int((b.level * 100).rounded())) % percentile intervals of a bootstrap over articles "
                     + "(\(b.resamples) resamples of the split's articles with replacement, seed \(b.seed)): bits per byte = "
                     + "Σ bits / Σ bytes of the resampled articles, for the model and each baseline, and the margin "
                     + "baseline − model on the same resampled articles (positive: the model is better).")
        if tokenizer.kind == .word {
            notes.append("Word tokenizer: bits per byte divide by the original text's bytes, but the model predicts lowercased words "
                         + "and [UNK] (which stands for any word), so they flatter it and do not compare with byte-level BPE models.")
        }
        notes.append("Generation: KV-cached; prompts start with [BOS] and [EOS] ends a generation; a sequence longer than the "
                     + "context restarts the cache from its last \((context + 1) / 2) tokens.")
        return notes
    }

    /// A token as the bias tables show it: quoted, so leading spaces are visible.
    static func tokenText(_ id: Int, _ tokenizer: Tokenizer) -> String {
        if let special = SpecialToken(rawValue: TokenID(id)) { return special.text }
        return ((try? tokenizer.bytes(of: TokenID(id))).map { String(decoding: $0, as: UTF8.self) } ?? "#\(id)").debugDescription
    }
}
