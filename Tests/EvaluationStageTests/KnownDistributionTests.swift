import CorpusTestSupport
import DataShards
import Evaluation
@testable import EvaluationStage
import Foundation
import MiniGPT
import MiniStore
import PipelineTestSupport
import Testing
import Tokenizer
import Training
import TrainingStage

/// A MiniGPT whose logits are ln p(t) at every position whatever it reads (final LayerNorm
/// weight 0, bias e₀, head column 0 = ln p), run through the evaluate stage: every figure must
/// equal the one computed by hand from the shard's tokens.
@Suite struct KnownDistributionTests {
    static let p: [Double] = {
        let weights = (0..<300).map { Double($0 % 5 + 1) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }()

    /// The model artifact, written the way the train stage writes it.
    static func model(vocabularySize: Int, tokenizer: ArtifactHash, store: Store) throws -> ArtifactHash {
        let config = MiniGPTConfig(vocabSize: vocabularySize, width: 8, layers: 1, heads: 1, contextLength: 16)
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 0, threads: 1)
        model.parameters.zero()
        model.tensor("ln_f.bias")![0] = 1
        let head = model.tensor("head.weight")!
        for t in 0..<vocabularySize { head[t * config.width] = Float(log(p[t])) }
        let file = TrainingCheckpoint.modelFile(model: model, metadata: ["tokenizer": tokenizer.hex, "step": "7"])
        return try store.put(file, kind: TrainStage.modelKind, mediaType: "application/vnd.minillm.model+safetensors")
    }

    /// The scored positions of a split's first `windows` windows of 16: targets 1…last, without [BOS].
    static func expected(_ reader: ShardReader, windows: Int, tokenBytes: [Int]) -> LanguageModelScores {
        let last = min(windows * 16, reader.count - 1)
        let targets = (1...last).map { Int(reader[$0]) }.filter { $0 != Int(SpecialToken.bos.id) }
        let nll = targets.reduce(0.0) { $0 - log(p[$1]) }
        let rank = { (y: Int) in (0..<p.count).filter { p[$0] > p[y] || ($0 < y && p[$0] == p[y]) }.count }
        let whole = windows * 16 >= reader.count - 1
        let bytes = whole ? reader.header.textBytes : targets.reduce(0) { $0 + tokenBytes[$1] }
        let n = Double(targets.count)
        return LanguageModelScores(tokens: targets.count, bytes: bytes, meanLoss: nll / n, perplexity: exp(nll / n),
                                   bitsPerByte: nll / Double(bytes) / M_LN2,
                                   top1Accuracy: Double(targets.filter { rank($0) == 0 }.count) / n,
                                   top5Accuracy: Double(targets.filter { rank($0) < 5 }.count) / n)
    }

    /// Per article of the first `windows` windows (a new one after each [EOS]): Σ −log₂ p of its
    /// scored targets (the known p, or `logProb(i)` for position i) and their token bytes, scaled
    /// so that they add up to `bytes`.
    static func articleTotals(_ reader: ShardReader, windows: Int, tokenBytes: [Int], bytes: Int,
                              logProb: (Int) -> Double = { _ in .nan }) -> ArticleTotals {
        let last = min(windows * 16, reader.count - 1)
        var articles: [(nats: Double, bytes: Int)] = []
        var open = false
        for i in 1...last {
            if i == 1 || reader[i - 1] == SpecialToken.eos.id { open = false }
            let y = Int(reader[i])
            guard y != Int(SpecialToken.bos.id) else { continue }
            if !open { articles.append((0, 0)); open = true }
            let lp = logProb(i)
            articles[articles.count - 1].nats += lp.isNaN ? log(p[y]) : lp
            articles[articles.count - 1].bytes += tokenBytes[y]
        }
        let scale = Double(bytes) / Double(articles.reduce(0) { $0 + $1.bytes })
        return ArticleTotals(bytes: articles.map { Double($0.bytes) * scale }, model: articles.map { -$0.nats / M_LN2 })
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-5 * max(abs(a), abs(b)) }

    @Test(arguments: [0, 48])
    func everyFigureMatchesTheHandComputation(maxTokens: Int) throws {
        let project = try StageProject.evaluation()
        project.setEvaluate(#""max_tokens": \#(maxTokens), "bleu_articles": 1"#)
        let manifest = try TinyCorpus.writeShards(into: project.store)
        let shards = try ShardSet(store: project.store, manifest: manifest)
        let tokenizer = try shards.tokenizer(in: project.store)
        let model = try Self.model(vocabularySize: tokenizer.vocabularySize, tokenizer: shards.manifest.tokenizer, store: project.store)
        let log = try project.store.put(Data(#"{"kind":"train","step":0,"loss":5.0,"lr":0.001}"#.utf8), kind: TrainStage.logKind,
                                        mediaType: "application/x-ndjson")
        let result = try project.build("evaluate", inputs: ["model": model, "log": log, "shards": manifest])
        let report = try EvaluationReport.decode(try project.store.data(result.outputs["evaluation"]!))

        let tokenBytes = try SplitScorer.tokenBytes(tokenizer)
        let train = shards.tokens(.train)
        #expect((0..<train.count).reduce(0) { $0 + tokenBytes[Int(train[$1])] } == train.header.textBytes,
                "byte-level BPE: the tokens' bytes are the text's bytes")
        func windows(_ reader: ShardReader) -> Int {
            let all = (reader.count - 2) / 16 + 1
            return maxTokens == 0 ? all : min(all, maxTokens / 16)
        }
        let testWindows = windows(shards.tokens(.test))
        for (split, part) in zip(report.splits, [DocumentSplit.Part.train, .val, .test]) {
            let reader = shards.tokens(part)
            // The train split: a sample of the test split's size, its first windows.
            let scored = part == .train ? min(windows(reader), testWindows) : windows(reader)
            let want = Self.expected(reader, windows: scored, tokenBytes: tokenBytes)
            let got = split.model
            #expect(got.tokens == want.tokens && got.bytes == want.bytes, "\(split.name)")
            #expect(Self.close(got.meanLoss, want.meanLoss) && Self.close(got.perplexity, want.perplexity)
                    && Self.close(got.bitsPerByte, want.bitsPerByte), "\(split.name): \(got) vs \(want)")
            #expect(got.top1Accuracy == want.top1Accuracy && got.top5Accuracy == want.top5Accuracy, "\(split.name)")

            // The intervals: the bootstrap of the hand-made per-article sums (the same draws; the
            // sums differ only by rounding, the model's ln p coming from Float logits).
            let totals = Self.articleTotals(reader, windows: scored, tokenBytes: tokenBytes, bytes: want.bytes)
            let intervals = try #require(split.bitsPerByteIntervals, "\(split.name)")
            let byHand = BitsPerByteIntervals(totals).model
            #expect(intervals.articles == totals.articles && Self.close(intervals.model.estimate, byHand.estimate)
                    && Self.close(intervals.model.low, byHand.low) && Self.close(intervals.model.high, byHand.high),
                    "\(split.name): \(intervals.model) vs \(byHand)")
            #expect(Self.close(intervals.model.estimate, got.bitsPerByte), "\(split.name)")
            let slack = 1e-12 * got.bitsPerByte
            #expect(intervals.model.low - slack <= got.bitsPerByte && got.bitsPerByte <= intervals.model.high + slack,
                    "\(split.name): \(intervals.model) vs \(got.bitsPerByte)")
            if maxTokens == 0 && part != .train { #expect(intervals.articles == reader.header.documentCount, "\(split.name)") }
        }
        #expect(report.splits[0].model.tokens <= report.splits[2].model.tokens + 16, "train: a sample the size of test")
        #expect(report.model?.parameters == (tokenizer.vocabularySize * 8 * 2 + 12 * 64 + 13 * 8 + 2 * 8))
        #expect(report.title.hasSuffix(", step 7"))

        // The baselines, scored window by window in parallel, equal one sequential pass.
        let test = shards.tokens(.test)
        let windows = maxTokens == 0 ? (test.count - 2) / 16 + 1 : min((test.count - 2) / 16 + 1, maxTokens / 16)
        let stream = test.tokens(0..<(min(windows * 16, test.count - 1) + 1)).map(Int.init)
        let baseline = try NGramBaseline.train(tokens: train.tokens(0..<train.count).map(Int.init), vocabSize: tokenizer.vocabularySize)
        var logProbs = [Double](repeating: 0, count: stream.count)
        let sequential = logProbs.withUnsafeMutableBufferPointer {
            baseline.evaluate(.bigram, tokens: stream, tokenBytes: tokenBytes, ignoredTargets: [Int(SpecialToken.bos.id)],
                              trackBias: false, logProbs: $0)
        }
        let reported = report.splits[2].baselines[NGramBaseline.Kind.bigram.rawValue]!
        let bytes = report.splits[2].model.bytes
        #expect(reported.tokens == sequential.metrics.tokens
                && abs(reported.meanLoss - sequential.metrics.scores.meanLoss) <= 1e-12 * reported.meanLoss
                && reported.top1Accuracy == sequential.metrics.scores.top1Accuracy)
        #expect(abs(reported.bitsPerByte - sequential.metrics.scores(bytes: bytes).bitsPerByte) <= 1e-12 * reported.bitsPerByte)

        // The bigram's interval and the margin, from the same articles.
        let bigramKey = NGramBaseline.Kind.bigram.rawValue
        let ci = try #require(report.splits[2].bitsPerByteIntervals)
        let byHand = BitsPerByteIntervals(Self.articleTotals(test, windows: windows, tokenBytes: tokenBytes, bytes: bytes) { logProbs[$0] })
        #expect(ci.baselines[bigramKey] == byHand.model, "the baseline's ln p are the same bits, summed in the same order")
        #expect(Self.close(ci.baselines[bigramKey]!.estimate, reported.bitsPerByte))
        let margin = try #require(ci.marginOverBigram)
        #expect(abs(margin.estimate - (reported.bitsPerByte - report.splits[2].model.bitsPerByte)) <= 1e-9)
        #expect(margin.low <= margin.estimate && margin.estimate <= margin.high)
        #expect(Set(ci.baselines.keys) == Set(NGramBaseline.Kind.allCases.map(\.rawValue)) && Set(ci.margins.keys) == Set(ci.baselines.keys))
    }
}
