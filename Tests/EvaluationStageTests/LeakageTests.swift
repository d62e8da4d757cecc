import CoreSupport
import CorpusTestSupport
import DataShards
import Evaluation
@testable import EvaluationStage
import Foundation
@testable import MiniGPT
import MiniPipeline
import MiniStore
import ReportTestSupport
import Testing
import TestSupport
import Tokenizer
@testable import Training

/// The leakage alarm on a deliberately non-causal model: in MiniGPT's test-only `readsNextToken`
/// variant each position reads the token it is asked to predict. Trained for a few steps on real
/// articles it scores held-out text far better than any honest model could; the same training
/// without the switch must not raise the alarm.
@Suite struct LeakageTests {
    static func trainAndEvaluate(readsNextToken: Bool) throws -> EvaluationReport {
        let corpus = try TinyCorpus(documents: try Corpus.read(path: Repo.articles), tokenizerExtra: [])
        var settings = TrainingSettings()
        settings.width = 32; settings.layers = 1; settings.heads = 2; settings.context = 16; settings.batchSize = 4
        settings.tieWeights = true; settings.positions = .learned; settings.dropout = 0; settings.labelSmoothing = 0
        settings.learningRate = 2e-2; settings.warmupSteps = 5; settings.maxSteps = 30
        settings.evalEvery = 30; settings.evalBatches = 1; settings.checkpointEvery = 1000; settings.patience = 0
        let model = try settings.makeModel(vocabularySize: corpus.shards.manifest.vocabularySize, threads: 2)
        model.readsNextToken = readsNextToken
        let trainer = try Trainer(settings: settings, model: model, train: corpus.shards.tokens(.train),
                                  validation: corpus.shards.tokens(.val))
        _ = try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0)),
                            log: MetricsLog(totalSteps: trainer.totalSteps),
                            sinks: Trainer.Sinks(checkpoint: { _, _ in }, bestModel: { _, _ in ArtifactHash.of(Data()) }))

        var evaluation = EvaluationSettings()
        evaluation.batchSize = settings.batchSize; evaluation.maxTokens = 512; evaluation.bleuArticles = 1; evaluation.maxNewTokens = 2
        let inputs = EvaluationInputs(
            model: model, summary: EvaluatedModel.summary(model, sizeBytes: 0), shards: corpus.shards,
            tokenizer: try corpus.shards.tokenizer(in: corpus.store), history: [], extra: nil,
            lineage: Lineage(corpus: "Tests/Fixtures/eswiki-articles.jsonl", tokenizer: "bpe 300", config: "test", codeVersion: "test"),
            title: readsNextToken ? "leaky model" : "honest model")
        return try Evaluator(settings: evaluation, log: Log(prefix: "test", quiet: true)).report(inputs)
    }

    @Test func firesOnTheModelThatReadsTheTokenItPredicts() throws {
        let leaky = try Self.trainAndEvaluate(readsNextToken: true)
        let fired = Set(leaky.leakage.checks.filter(\.fired).map { "\($0.rule) on \($0.split)" })
        #expect(leaky.leakage.suspected, "\(leaky.leakage.summary)")
        #expect(fired.isSuperset(of: ["top1-accuracy-far-above-bigram on validation", "top1-accuracy-far-above-bigram on test"]),
                "\(leaky.leakage.summary)")
        let html = HTMLReport.render(report: leaky)
        #expect(PageScan(html).error == nil && html.contains("<div id=\"leakage-banner\" class=\"alarm\"><strong>Suspected leak:"))

        let honest = try Self.trainAndEvaluate(readsNextToken: false)
        #expect(!honest.leakage.suspected, "\(honest.leakage.summary)")
        let test = { (r: EvaluationReport) in r.splits.first { $0.name == "test" }!.model }
        #expect(test(leaky).perplexity < test(honest).perplexity / 2, "leaky \(test(leaky)), honest \(test(honest))")
    }
}
