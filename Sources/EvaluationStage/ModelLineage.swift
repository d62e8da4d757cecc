import DataShards
import Evaluation
import Foundation
import MiniGPT
import MiniPipeline
import MiniStore
import Tokenizer

/// Which corpus, tokenizer, config and code made a model, read from the catalogue: the
/// succeeded runs that produced the model or any of its ancestors (the `lineage` view), and the
/// external files among those ancestors (their paths from `file_hashes`).
enum ModelLineage {
    static func make(store: Store, model: ArtifactHash, config: MiniGPTConfig, shards: ShardSet, shardsHash: ArtifactHash,
                     tokenizer: Tokenizer, metadata: [String: String], evaluateVersion: Int) throws -> Lineage {
        let catalogue = store.catalogue
        // Newest first; keep one run per stage (a forced rebuild leaves several with the same outputs).
        var runs: [String: RunRecord] = [:]
        for run in try catalogue.succeededRunsInLineage(of: model) where runs[run.stage] == nil {
            runs[run.stage] = run
        }
        let ordered = runs.values.sorted { $0.id < $1.id }
        let files = try catalogue.externalFiles(amongAncestorsOf: model).map { "\($0.path ?? "file") (\($0.hash.short))" }

        let parts = DocumentSplit.Part.allCases.map { part in
            "\(part.rawValue) \(shards.manifest.parts[part.rawValue]?.documents ?? 0)"
        }.joined(separator: ", ")
        let articles = shards.manifest.parts.values.reduce(0) { $0 + $1.documents }
        let corpusHash = runs["shard"]?.inputs["corpus"].map { "clean corpus \($0.short), " } ?? ""
        let source = files.isEmpty ? "" : " from " + files.joined(separator: ", ")
        let corpus = corpusHash + "\(articles) articles (\(parts))" + source

        var extra: [String: String] = ["model": model.hex, "shards": shardsHash.hex]
        if let step = metadata["step"] { extra["model step"] = step }
        if let loss = metadata["val_loss"] { extra["model validation loss"] = loss }
        // "stage 1: extract", … so that the report, which lists keys in order, follows the pipeline.
        for (index, run) in ordered.enumerated() {
            extra["stage \(index + 1): \(run.stage)"] = "run #\(run.id), v\(run.stageVersion), key \(run.cacheKey.prefix(12)), "
                + "ended \(run.endedAt ?? "?"), parameters \(run.parameters)"
        }
        let stages = ordered.map { "\($0.stage) v\($0.stageVersion)" } + ["evaluate v\(evaluateVersion)"]
        return Lineage(
            corpus: corpus,
            tokenizer: "\(shards.manifest.tokenizer.short): \(tokenizer.kind.rawValue), \(tokenizer.vocabularySize) tokens",
            config: String(decoding: try JSONEncoder.sorted.encode(config), as: UTF8.self),
            codeVersion: "minillm \(MinillmVersion.current); " + stages.joined(separator: ", "),
            extra: extra)
    }
}

extension JSONEncoder {
    /// Compact JSON with sorted keys: the same value always gives the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
