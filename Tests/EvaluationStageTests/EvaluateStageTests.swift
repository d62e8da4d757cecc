import CorpusTestSupport
import DataShards
import Evaluation
@testable import EvaluationStage
import Foundation
import MiniPipeline
import MiniStore
import PipelineTestSupport
import ReportTestSupport
import TestSupport
import Testing
import TrainingStage
import Training

extension StageProject {
    /// Stands in for vocab and shard: writes the tiny corpus's tokenizer and shards.
    static let tinyShards = StandInStage("shard", summary: "shards of the tiny corpus") {
        ["shards": try TinyCorpus.writeShards(into: $0.store)]
    }
    static let evaluationRegistry = StageRegistry([tinyShards, TrainStage(), EvaluateStage()])
    static let tinyTrain = #""train": {"width": 32, "layers": 1, "heads": 2, "context": 16, "batch_size": 4, "dropout": 0, "#
        + #""label_smoothing": 0, "lr": 0.01, "warmup_steps": 5, "max_steps": 20, "eval_every": 10, "eval_batches": 2, "#
        + #""checkpoint_every": 20, "patience": 0}"#
    static let evaluateDefaults = #""batch_size": 4, "max_tokens": 0, "bleu_articles": 4, "bleu_prompt_words": 6, "#
        + #""bleu_reference_words": 6, "max_new_tokens": 8"#

    /// The pipeline with these evaluate parameters added to the defaults above.
    static func evaluationPipeline(_ extra: String) -> String {
        let evaluate = Self.evaluateDefaults + (extra.isEmpty ? "" : ", " + extra)
        return #"{"stages": {\#(Self.tinyTrain), "evaluate": {\#(evaluate)}}}"#
    }

    /// shard (stand-in) → train → evaluate, with a model small enough for a debug build.
    static func evaluation() throws -> StageProject {
        try StageProject("minillm-evaluate", registry: evaluationRegistry, pipeline: evaluationPipeline(""))
    }

    func setEvaluate(_ extra: String) { setPipeline(Self.evaluationPipeline(extra)) }
}

@Suite struct EvaluateStageTests {
    /// The full stage through the real planner and runner: every section present, the page shows
    /// exactly the JSON's numbers, headline metrics in the catalogue, a rerun is fresh.
    @Test func evaluatesTheTrainedModelAndReportsIt() throws {
        let project = try StageProject.evaluation()
        project.dir.write("extra.jsonl", #"{"title": "Extra", "text": "el gato duerme en el puerto de sevilla."}"# + "\n")
        project.setEvaluate(#""extra_text": "\#(project.dir.file("extra.jsonl"))""#)
        let first = try project.build()
        let result = first["evaluate"]!
        #expect(result.outcome == .built && Set(result.outputs.keys) == ["evaluation", "report"])
        let json = try project.store.data(result.outputs["evaluation"]!)
        let report = try EvaluationReport.decode(json)

        #expect(report.splits.map(\.name) == ["train", "validation", "test", "extra"])
        for split in report.splits {
            #expect(split.model.tokens > 0 && split.model.perplexity > 1 && split.model.bitsPerByte > 0, "\(split.name)")
            #expect(split.baselines.count == (split.name == "train" ? 0 : 2), "\(split.name)")
        }
        let shards = try ShardSet(store: project.store, manifest: first["shard"]!.outputs["shards"]!)
        #expect(report.splits[2].model.bytes == shards.tokens(.test).header.textBytes, "whole split scored: the header's bytes")
        for (split, documents) in zip(report.splits, [nil, shards.tokens(.val).header.documentCount,
                                                      shards.tokens(.test).header.documentCount, 1]) {
            let ci = try #require(split.bitsPerByteIntervals, "\(split.name)")
            #expect(ci.resamples == 1000 && ci.level == 0.95 && ci.seed == ArticleBootstrap.defaultSeed)
            if let documents { #expect(ci.articles == documents, "\(split.name): every article of the split") }
            #expect(abs(ci.model.estimate - split.model.bitsPerByte) <= 1e-9 * split.model.bitsPerByte, "\(split.name)")
            #expect(ci.model.low <= ci.model.estimate && ci.model.estimate <= ci.model.high, "\(split.name)")
            #expect(Set(ci.baselines.keys) == Set(split.baselines.keys) && Set(ci.margins.keys) == Set(split.baselines.keys))
            for (key, scores) in split.baselines {
                #expect(abs(ci.baselines[key]!.estimate - scores.bitsPerByte) <= 1e-9 * scores.bitsPerByte, "\(split.name) \(key)")
                #expect(abs(ci.margins[key]!.estimate - (scores.bitsPerByte - split.model.bitsPerByte)) <= 1e-9)
            }
        }
        #expect(report.splits[3].bitsPerByteIntervals!.model.width == 0, "one article: nothing to resample")
        #expect(report.splits[0].model.tokens <= report.splits[2].model.tokens + 16, "train: a sample of the test split's size")
        #expect(!report.leakage.suspected && report.leakage.checks.count == 3 * 4 + 1)
        #expect(report.bias?.split == "test" && report.bias!.summary.positions == report.splits[2].model.tokens)
        #expect(report.samples.count == StandardPrompts.prompts.count * 5 && report.samples[0].prompt == "En el año 1492,")
        #expect(report.bleu?.result.scores.count == 4 && report.bleu!.result.segments == 4)
        #expect(report.history.count == 20 && report.history.filter { $0.validationLoss != nil }.count == 2)
        #expect(report.lineage.codeVersion.hasSuffix("shard v1, train v1, evaluate v2"))
        #expect(report.lineage.tokenizer.hasPrefix(shards.manifest.tokenizer.short + ": bpe, 300 tokens"))
        #expect(report.lineage.extra["model"] == first["train"]!.outputs["model"]!.hex)
        #expect(report.performance.memory!.peakResidentBytes > 1 << 20 && report.performance.generation!.generatedTokens > 0)
        #expect(report.performance.evaluationTokensPerSecond! > 0)

        let page = PageScan(String(decoding: try project.store.data(result.outputs["report"]!), as: UTF8.self))
        #expect(page.error == nil)
        #expect(page.counts["svg"] == 5 && !page.ids.contains("comparison"))
        #expect(page.ids.isSuperset(of: ["leakage-banner", "language-model", "charts", "bias", "bleu", "samples",
                                         "performance", "lineage", "leakage"]))
        #expect(page.tagged.count > 50)
        #expect(page.mismatches(json: try JSONSerialization.jsonObject(with: json)) == [])
        #expect(page.ids.isSuperset(of: ["margin-validation", "margin-test", "margin-extra"]))
        #expect(page.tagged.filter { $0.pointer.contains("/bitsPerByteIntervals/") }.count == 3 * 3 + 3 * 3 * 2 + 2,
                "3 margin sentences, 3 held-out splits × 3 interval cells of 2 numbers, train's model interval")
        let margin = report.splits[2].bitsPerByteIntervals!.marginOverBigram!
        let verdict = margin.low > 0 ? "beats the Kneser–Ney bigram by" : margin.high < 0
            ? "loses to the Kneser–Ney bigram: its margin is" : "and the Kneser–Ney bigram cannot be told apart"
        #expect(page.text.contains("test: minillm " + verdict), "the page states the margin over the bigram")

        let run = try #require(try project.store.catalogue.latestSucceededRun(stage: "evaluate"))
        let metrics = Dictionary(uniqueKeysWithValues: try project.store.catalogue.latestMetrics(run: run.id).map { ($0.name, $0.value) })
        #expect(metrics["headline_test_perplexity"] == report.splits[2].model.perplexity)
        #expect(metrics["headline_bigram_bits_per_byte"] == report.splits[2].baselines[NGramBaseline.Kind.bigram.rawValue]!.bitsPerByte)
        #expect(metrics["headline_leak_suspected"] == 0 && metrics["headline_bleu4"] != nil)
        let test = report.splits[2].bitsPerByteIntervals!
        #expect(metrics["headline_test_bits_per_byte_ci_low"] == test.model.low && metrics["headline_test_bits_per_byte_ci_high"] == test.model.high)
        #expect(metrics["headline_val_bits_per_byte_ci_low"] == report.splits[1].bitsPerByteIntervals!.model.low)
        #expect(metrics["headline_margin_over_bigram"] == margin.estimate && metrics["headline_margin_over_bigram_ci_low"] == margin.low
                && metrics["headline_margin_over_bigram_ci_high"] == margin.high)
        #expect(metrics["headline_bigram_bits_per_byte_ci_high"] == test.baselines[NGramBaseline.Kind.bigram.rawValue]!.high)
        #expect(metrics.keys.allSatisfy { $0.hasPrefix("headline_") })

        #expect(try project.build()["evaluate"]!.outcome == .fresh)
        let command = try project.run(["report", "--store", project.storePath])
        let path = try project.store.ensureIntact(result.outputs["report"]!)
        let latest = project.store.root + "/reports/latest.html"
        #expect(command.status == 0 && command.stdout == latest + "\n", "\(command.stderr)")
        let named = project.store.root + "/reports/evaluate-\(run.id)-model-\(run.inputs["model"]!.short).html"
        for file in [latest, named] {
            #expect(FileManager.default.contents(atPath: file) == FileManager.default.contents(atPath: path), "\(file)")
        }
        // A second evaluation becomes latest.html; the first keeps its named file.
        let second = try project.build(force: ["evaluate"])["evaluate"]!
        #expect(try project.run(["report", "--store", project.storePath]).status == 0)
        #expect(FileManager.default.contents(atPath: latest) == (try project.store.data(second.outputs["report"]!)))
        #expect(FileManager.default.contents(atPath: named) == FileManager.default.contents(atPath: path))
        let files = try FileManager.default.contentsOfDirectory(atPath: project.store.root + "/reports")
        #expect(files.count == 3, "latest.html and one file per evaluation: \(files)")
        let open = try project.run(["report", "--open", "--store", project.storePath], environment: ["PATH": "/nonexistent"])
        #expect(open.status == 0 && open.stderr.contains("xdg-open is not installed; open \(latest) in a browser"))
    }

    /// A forced rerun gives the same figures (only timings, memory and the date may differ) and
    /// its page compares with the previous run.
    @Test func rerunGivesTheSameFiguresAndComparesWithThePreviousRun() throws {
        let project = try StageProject.evaluation()
        let first = try project.build()["evaluate"]!
        let second = try project.build(force: ["evaluate"])["evaluate"]!
        func figures(_ result: StageResult) throws -> EvaluationReport {
            var r = try EvaluationReport.decode(try project.store.data(result.outputs["evaluation"]!))
            r.createdAt = nil
            r.performance = PerformanceReport()
            for i in r.samples.indices { r.samples[i].timeToFirstToken = 0; r.samples[i].decodeTokensPerSecond = 0 }
            return r
        }
        #expect(try figures(first) == figures(second))
        let html = String(decoding: try project.store.data(second.outputs["report"]!), as: UTF8.self)
        let page = PageScan(html)
        #expect(page.ids.contains("comparison") && html.contains("presentational only"))
        let previous = try JSONSerialization.jsonObject(with: try project.store.data(first.outputs["evaluation"]!))
        #expect(page.tagged.filter(\.previous).count >= 9 && page.mismatches(json: previous, previous: true) == [])
    }
}
