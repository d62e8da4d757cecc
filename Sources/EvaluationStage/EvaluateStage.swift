import CoreSupport
import DataShards
import Evaluation
import Foundation
import MiniPipeline
import MiniStore
import StageParameters

/// `minillm-evaluate`: scores the trained model on every split against n-gram baselines, runs
/// the leakage checks, generates, measures, and writes the evaluation (JSON) and its report
/// (a self-contained HTML page). docs/evaluate-stage.md describes every figure.
public struct EvaluateStage: Stage {
    public init() {}

    public let name = "evaluate"
    public let version = 2
    public let summary = "Score the model against baselines, generate, and write the evaluation and its HTML report"
    public let inputs = [StageInput("model", from: "train"), StageInput("log", from: "train"), StageInput("shards", from: "shard")]
    public let parameters = EvaluationSettings.specs

    public static let evaluationKind = "evaluation", reportKind = "evaluation-report"

    public func externalFiles(_ parameters: Parameters) throws -> [String: String] {
        let path = try EvaluationSettings(parameters).extraText
        return path.isEmpty ? [:] : ["extra_text": path]
    }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let peakReset = MemoryUsage.resetPeak()
        let settings = try EvaluationSettings(context.parameters)
        let store = context.store
        let shardsHash = context.inputs["shards"]!, modelHash = context.inputs["model"]!
        let shards = try ShardSet(store: store, manifest: shardsHash)
        let tokenizer = try shards.tokenizer(in: store)
        let threads = ThreadCount.requested
        let loaded = try EvaluatedModel.load(path: try context.inputPath("model"), maxBatch: settings.batchSize, threads: threads)
        if let trainedWith = loaded.tokenizer, trainedWith != shards.manifest.tokenizer {
            throw EvaluationError.tokenizerMismatch(model: trainedWith.short, shards: shards.manifest.tokenizer.short)
        }
        guard loaded.model.config.vocabSize == tokenizer.vocabularySize else {
            throw EvaluationError.vocabularyMismatch(model: loaded.model.config.vocabSize, shards: tokenizer.vocabularySize)
        }
        let extra = try context.inputs["extra_text"].map { _ in
            try ExtraText(path: try context.inputPath("extra_text"), name: settings.extraText, tokenizer: tokenizer,
                          tokenizerHash: shards.manifest.tokenizer)
        }
        let inputs = EvaluationInputs(
            model: loaded.model, summary: EvaluatedModel.summary(loaded.model, sizeBytes: loaded.sizeBytes),
            shards: shards, tokenizer: tokenizer, history: try TrainingHistory.parse(try context.inputData("log")),
            extra: extra,
            lineage: try ModelLineage.make(store: store, model: modelHash, config: loaded.model.config, shards: shards,
                                           shardsHash: shardsHash, tokenizer: tokenizer, metadata: loaded.metadata,
                                           evaluateVersion: version),
            title: "minillm evaluation: model \(modelHash.short)" + (loaded.step.map { ", step \($0)" } ?? ""))
        var report = try Evaluator(settings: settings, log: context.log).report(inputs)
        report.notes.append(peakReset
            ? "Peak resident memory is the high-water mark since this stage started "
                + "(VmHWM, reset through /proc/self/clear_refs)."
            : "Peak resident memory is the process's high-water mark (VmHWM could not be reset), "
                + "so it may include earlier stages run in the same process.")
        let evaluation = try store.put(try report.json(), kind: Self.evaluationKind, mediaType: "application/json")

        let previous = try Self.previousEvaluation(store: store, before: context.runID)
        if let (run, _) = previous {
            report.notes.append("The comparison with evaluate run #\(run) is presentational only: it is read from the catalogue "
                                + "when this page is made and is neither part of this run's cache key nor of the evaluation JSON.")
        }
        let page = HTMLReport.render(report: report, previous: previous?.report)
        let reportHash = try store.put(Data(page.utf8), kind: Self.reportKind, mediaType: "text/html")
        try context.recordMetrics(step: Int64(loaded.step ?? 0), Self.headline(report))
        context.log.info("report: \(try store.ensureIntact(reportHash))")
        return ["evaluation": evaluation, "report": reportHash]
    }

    /// The evaluation of the latest succeeded evaluate run before `run`, if its artifact is
    /// still intact and readable.
    static func previousEvaluation(store: Store, before run: Int64) throws -> (run: Int64, report: EvaluationReport)? {
        guard let last = try store.catalogue.latestSucceededRun(stage: "evaluate", before: run), let hash = last.outputs["evaluation"], store.check(hash) == .intact,
              let report = try? EvaluationReport.decode(try store.data(hash)) else { return nil }
        return (last.id, report)
    }

    /// The figures `minillm status` shows: every name starts with `headline_`.
    static func headline(_ r: EvaluationReport) -> [(String, Double)] {
        var values: [(String, Double)] = [("headline_leak_suspected", r.leakage.suspected ? 1 : 0)]
        for split in r.splits where split.name != "train" {
            let key = split.name == "validation" ? "val" : split.name
            values += [("headline_\(key)_perplexity", split.model.perplexity), ("headline_\(key)_bits_per_byte", split.model.bitsPerByte),
                       ("headline_\(key)_top1", split.model.top1Accuracy)]
            if let ci = split.bitsPerByteIntervals?.model {
                values += [("headline_\(key)_bits_per_byte_ci_low", ci.low), ("headline_\(key)_bits_per_byte_ci_high", ci.high)]
            }
        }
        if let test = r.splits.first(where: { $0.name == "test" }) {
            for kind in NGramBaseline.Kind.allCases {
                let short = kind == .bigram ? "bigram" : "unigram"
                if let s = test.baselines[kind.rawValue] { values.append(("headline_\(short)_bits_per_byte", s.bitsPerByte)) }
            }
            if let ci = test.bitsPerByteIntervals?.baselines[NGramBaseline.Kind.bigram.rawValue] {
                values += [("headline_bigram_bits_per_byte_ci_low", ci.low), ("headline_bigram_bits_per_byte_ci_high", ci.high)]
            }
            if let margin = test.bitsPerByteIntervals?.marginOverBigram {
                values += [("headline_margin_over_bigram", margin.estimate), ("headline_margin_over_bigram_ci_low", margin.low),
                           ("headline_margin_over_bigram_ci_high", margin.high)]
            }
        }
        if let bleu = r.bleu?.result.scores.last { values.append(("headline_bleu4", bleu.score)) }
        if let generation = r.performance.generation { values.append(("headline_decode_tokens_per_s", generation.decodeTokensPerSecond)) }
        return values
    }
}
