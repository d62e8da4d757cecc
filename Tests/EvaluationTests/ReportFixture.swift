@testable import Evaluation
import Foundation

/// TEST FIXTURE — FAKE NUMBERS. A report shaped like a real run, for rendering tests and the
/// browser check only. The training history is a synthetic curve; the other sections come
/// from this library run on a synthetic Markov token stream and a few Spanish sentences.
enum ReportFixture {
    static func report(title: String = "TEST FIXTURE: synthetic evaluation (fake numbers, not a real run)",
                       lossShift: Double = 0, leaky: Bool = false) throws -> EvaluationReport {
        let vocab = 50
        let train = markovStream(count: 6000, seed: 21), validation = markovStream(count: 1200, seed: 22)
        let test = markovStream(count: 1200, seed: 23)
        let bytes = (0..<vocab).map { 1 + $0 % 5 }
        let baseline = try NGramBaseline.train(tokens: train, vocabSize: vocab)
        let text = { (t: Int) in t % 7 == 0 ? " de" : t % 11 == 0 ? "<&\"'>" : "tok\(t)" }

        var splits: [SplitReport] = []
        var bias: BiasReport?
        for (name, tokens) in [("train", train), ("validation", validation), ("test", test)] {
            // The bigram stands in for the "model" here, slightly worse so the page shows a gap.
            var bigramLogProbs = [Double](repeating: 0, count: tokens.count), unigramLogProbs = bigramLogProbs
            let bigram = bigramLogProbs.withUnsafeMutableBufferPointer {
                baseline.evaluate(.bigram, tokens: tokens, tokenBytes: bytes, logProbs: $0)
            }
            var model = bigram.metrics.scores
            model.meanLoss += 0.05 + lossShift
            model.perplexity = exp(model.meanLoss)
            model.bitsPerByte = model.meanLoss * Double(model.tokens) / Double(model.bytes) / M_LN2
            if leaky { model.perplexity = 1.07; model.top1Accuracy = 0.9855 }
            let unigram = unigramLogProbs.withUnsafeMutableBufferPointer {
                baseline.evaluate(.unigram, tokens: tokens, tokenBytes: bytes, trackBias: false, logProbs: $0)
            }
            // "Articles" of 100 tokens; the model's bits are the bigram's plus its extra loss.
            let articles = stride(from: 1, to: tokens.count, by: 100).map { $0..<min($0 + 100, tokens.count) }
            func bits(_ logProbs: [Double], extra: Double = 0) -> [Double] {
                articles.map { r in r.reduce(0.0) { $0 - logProbs[$1] + extra } / M_LN2 }
            }
            let totals = ArticleTotals(
                bytes: articles.map { r in Double(r.reduce(0) { $0 + bytes[tokens[$1]] }) },
                model: bits(bigramLogProbs, extra: 0.05 + lossShift),
                baselines: name == "train" ? [:] : [NGramBaseline.Kind.unigram.rawValue: bits(unigramLogProbs),
                                                    NGramBaseline.Kind.bigram.rawValue: bits(bigramLogProbs)])
            splits.append(SplitReport(name: name, model: model, baselines: [
                NGramBaseline.Kind.unigram.rawValue: unigram.metrics.scores,
                NGramBaseline.Kind.bigram.rawValue: bigram.metrics.scores,
            ], bitsPerByteIntervals: BitsPerByteIntervals(totals)))
            if name == "test" { bias = BiasReport(split: name, summary: bigram.bias!.summary(top: 8, tokenText: text)) }
        }
        let generalization = Generalization(trainLoss: splits[0].model.meanLoss, validationLoss: splits[1].model.meanLoss)
        let leakage = LeakageAlarm.check(
            heldOut: splits.dropFirst().map { .init(split: $0.name, model: $0.model, bigram: $0.baselines[NGramBaseline.Kind.bigram.rawValue]) },
            generalization: generalization)

        var results: [GenerationResult] = []
        var samples: [GenerationSample] = []
        let prompts = ["En el año 1492,", "Durante la Edad Media,", "La capital de España"]
        for (i, prompt) in prompts.enumerated() {
            for settings in [SamplingSettings.greedy(maxNewTokens: 20),
                             SamplingSettings(temperature: 0.8, topK: 20, topP: 0.95, repetitionPenalty: 1.2, maxNewTokens: 20, seed: 7)] {
                var source = BigramSource(model: baseline)
                let r = try Generation.generate(&source, prompt: [i + 1], settings: settings)
                results.append(r)
                samples.append(GenerationSample(prompt: prompt + " ", settings: settings,
                                                continuation: r.tokens.map(text).joined(separator: " "), result: r))
            }
        }
        let bleu = try BLEU.corpus(
            hypotheses: ["En el año 1492, Colón llegó a las Indias.", "Durante la Edad Media, la ciudad creció."],
            references: ["En el año 1492, Colón llegó a América.", "Durante la Edad Media, la ciudad fue un centro comercial."])

        return EvaluationReport(
            title: title, createdAt: "2026-11-27 (fixture)",
            lineage: Lineage(corpus: "FIXTURE corpus sha256:0123abcd… (50 synthetic tokens)", tokenizer: "FIXTURE bpe-8192 sha256:4567ef01…",
                             config: "FIXTURE seed-v1: d=256 L=2 H=4 T=128", codeVersion: "fixture-0000000",
                             extra: ["checkpoint": "sha256:89ab…", "run": "42"]),
            model: ModelSummary(parameters: 4_150_000, sizeBytes: 16_600_000, description: "FIXTURE MiniGPT d256 L2 H4"),
            splits: splits, generalization: generalization, bias: bias, leakage: leakage,
            bleu: BLEUReport(method: "FIXTURE: 2 hand-written continuations; references are the true sentences.",
                             settings: .greedy(maxNewTokens: 32), result: bleu),
            samples: samples,
            performance: PerformanceReport(generation: GenerationPerformance(results), evaluationTokensPerSecond: 12_345.6,
                                           memory: try MemoryUsage.now()),
            history: history(shift: lossShift),
            notes: ["FAKE DATA: this report is a test fixture; its training history is a synthetic curve."])
    }

    /// Synthetic curves: warmup + cosine learning rate, a loss decaying towards 2.1 with seeded noise.
    static func history(shift: Double) -> [HistoryPoint] {
        var rng = SeededGenerator(seed: 99)
        return stride(from: 0, through: 3000, by: 100).map { step in
            let s = Double(step)
            let lr = step < 200 ? 3e-4 * s / 200 : 3e-4 * 0.5 * (1 + cos(Double.pi * (s - 200) / 2800))
            let train = 2.1 + shift + 6.9 * exp(-s / 350) + 0.03 * (rng.nextUnit() - 0.5)
            let validation = step % 500 == 0 ? 2.2 + shift + 6.8 * exp(-s / 380) : nil
            return HistoryPoint(step: step, trainLoss: train, validationLoss: validation, learningRate: lr,
                                validationAccuracy: validation.map { _ in 0.36 * (1 - exp(-s / 600)) })
        }
    }
}
