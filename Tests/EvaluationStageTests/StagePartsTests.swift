import CorpusTestSupport
import DataShards
import Evaluation
@testable import EvaluationStage
import Foundation
import MiniGPT
import MiniPipeline
import MiniStore
import PipelineTestSupport
import StoreTestSupport
import TestSupport
import Testing
import Tokenizer

@Suite struct StagePartsTests {
    @Test func trainingLogBecomesOnePointPerStep() throws {
        let log = """
            {"kind":"train","step":0,"loss":5.5,"lr":0.001,"accuracy":0.1}
            {"kind":"train","step":1,"loss":null,"lr":0.002}
            {"kind":"val","step":1,"loss":4.0,"perplexity":54.6,"accuracy":0.2}

            """
        let points = try TrainingHistory.parse(Data(log.utf8))
        #expect(points == [HistoryPoint(step: 0, trainLoss: 5.5, learningRate: 0.001),
                           HistoryPoint(step: 1, validationLoss: 4.0, learningRate: 0.002, validationAccuracy: 0.2)])
        #expect(throws: EvaluationError.badLog(line: 2, reason: "not a JSON object")) {
            try TrainingHistory.parse(Data("{\"kind\":\"train\",\"step\":0}\nnot json\n".utf8))
        }
        #expect(throws: EvaluationError.badLog(line: 1, reason: "unknown kind \"test\"")) {
            try TrainingHistory.parse(Data("{\"kind\":\"test\",\"step\":0}\n".utf8))
        }
    }

    @Test func extraTextIsTokenisedLikeAShard() throws {
        let corpus = try TinyCorpus()
        let tokenizer = try corpus.shards.tokenizer(in: corpus.store), hash = corpus.shards.manifest.tokenizer
        let dir = TemporaryDirectory("minillm-extra")
        let text = "el perro duerme en la cocina.\n\nla reina visitó el puerto."
        dir.write("plain.txt", text)
        let plain = try ExtraText(path: dir.file("plain.txt"), name: dir.file("plain.txt"), tokenizer: tokenizer, tokenizerHash: hash)
        #expect(plain.documents == 1 && plain.reader.header.textBytes == text.utf8.count)
        #expect(plain.reader.tokens(0..<plain.reader.count) == [SpecialToken.bos.id] + tokenizer.encode(text) + [SpecialToken.eos.id])

        dir.write("docs.jsonl", "{\"title\": \"a\", \"text\": \"el gato\"}\n\n{\"title\": \"b\", \"text\": \"el mar\"}\n")
        let jsonl = try ExtraText(path: dir.file("docs.jsonl"), name: dir.file("docs.jsonl"), tokenizer: tokenizer, tokenizerHash: hash)
        #expect(jsonl.documents == 2 && jsonl.reader.header.documentCount == 2 && jsonl.reader.header.textBytes == 13)

        dir.write("bad.jsonl", "{\"title\": \"a\", \"text\": \"el gato\"}\n{\"title\": \"b\"}\n")
        #expect { try ExtraText(path: dir.file("bad.jsonl"), name: dir.file("bad.jsonl"), tokenizer: tokenizer, tokenizerHash: hash) } throws: {
            "\($0)".contains("bad.jsonl") && "\($0)".contains("line 2")
        }
        try Data([0x65, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: dir.file("binary.txt")))
        #expect(throws: EvaluationError.badExtraText(path: dir.file("binary.txt"), reason: "is not valid UTF-8")) {
            try ExtraText(path: dir.file("binary.txt"), name: dir.file("binary.txt"), tokenizer: tokenizer, tokenizerHash: hash)
        }
        #expect(throws: EvaluationError.badExtraText(path: dir.file("missing.txt"), reason: "cannot be read")) {
            try ExtraText(path: dir.file("missing.txt"), name: dir.file("missing.txt"), tokenizer: tokenizer, tokenizerHash: hash)
        }
    }

    /// Past the context, the cache restarts from the last ⌈T/2⌉ tokens: every step's logits are
    /// those of a full forward pass over the tokens the cache holds.
    @Test func cachedSourceSlidesPastTheContext() throws {
        let config = MiniGPTConfig(vocabSize: 23, width: 16, layers: 1, heads: 2, contextLength: 8)
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 4, threads: 1)
        var source = CachedModelSource(model: model)
        var window = [3, 5, 7]
        var logits = try source.start(prompt: window)
        for step in 0..<14 {
            try model.forward(tokens: window.map(Int32.init), batch: 1)
            let full = model.logits(row: window.count - 1)
            let error = zip(logits, full).map { abs($0 - $1) }.max()!
            #expect(error < 1e-4, "step \(step): cached and full logits differ by \(error)")
            let token = (step * 5 + 1) % 23
            window = window.count < 8 ? window + [token] : Array((window + [token]).suffix(4))
            logits = try source.append(token)
        }
        #expect(throws: EvaluationError.emptyPrompt) { try source.start(prompt: []) }
    }

    /// Windows are scored on the worker pool and merged in window order: the same bits for any
    /// number of threads.
    @Test func scoresAreIndependentOfTheThreadCount() throws {
        let corpus = try TinyCorpus()
        let tokenizer = try corpus.shards.tokenizer(in: corpus.store), test = corpus.shards.tokens(.test)
        let train = corpus.shards.tokens(.train)
        let baseline = try NGramBaseline.train(tokens: train.tokens(0..<train.count).map(Int.init), vocabSize: tokenizer.vocabularySize)
        let config = MiniGPTConfig(vocabSize: tokenizer.vocabularySize, width: 16, layers: 1, heads: 2, contextLength: 16)
        let scores = try [1, 3].map { threads in
            let model = try MiniGPT(config: config, maxBatch: 3, seed: 11, threads: threads)
            let scorer = SplitScorer(model: model, batchSize: 3, maxTokens: 0, tokenBytes: try SplitScorer.tokenBytes(tokenizer))
            let scored = try scorer.score("test", tokens: test, baseline: baseline, trackBias: true)
            return (scored.report, scored.model.bias!.summary())
        }
        #expect(scores[0].0 == scores[1].0 && scores[0].1 == scores[1].1)
        #expect(scores[0].0.model.tokens == test.count - 1 - (test.header.documentCount - 1), "every target but the [BOS]s")
    }

    @Test func refusesAModelTrainedWithAnotherTokenizer() throws {
        let project = try StageProject.evaluation()
        let manifest = try TinyCorpus.writeShards(into: project.store)
        let vocabulary = try ShardSet(store: project.store, manifest: manifest).manifest.vocabularySize
        let other = ArtifactHash.of(Data("another tokenizer".utf8))
        let model = try KnownDistributionTests.model(vocabularySize: vocabulary, tokenizer: other, store: project.store)
        let log = try project.store.put(Data("{}\n".utf8), kind: "training-log", mediaType: "application/x-ndjson")
        #expect { try project.build("evaluate", inputs: ["model": model, "log": log, "shards": manifest]) } throws: {
            "\($0)".contains("tokenizer \(other.short)")
        }
        let run = try #require(try project.store.catalogue.latestRun(stage: "evaluate"))
        #expect(run.status == .failed && run.error!.contains("trained with tokenizer"))
    }

    /// `minillm report` on a store without an evaluate run says so and exits 6.
    @Test func reportCommandNeedsAnEvaluation() throws {
        let dir = TemporaryDirectory("minillm-report")
        _ = try dir.makeStore()
        let result = try ChildProcess.run(BuiltProducts.path("minillm"), ["report", "--store", dir.file("store")])
        #expect(result.status == 6 && result.stdout.isEmpty && result.stderr.contains("has no succeeded evaluate run yet"))
    }
}
