import CoreSupport
import DataShards
import Foundation
import MiniPipeline
import MiniStore
import StageParameters
import Tokenizer

/// `minillm-shard`: encodes every article as `[BOS] text [EOS]` into one binary shard per split
/// (by the vocab stage's split rule). Output `shards`: a manifest naming the shards, which are
/// also recorded in the catalogue as its members under the roles `train`, `val` and `test`.
public struct ShardStage: Stage {
    public init() {}

    public let name = "shard"
    public let version = 1
    public let summary = "Encode the corpus into train/val/test token shards"
    public let inputs = [
        StageInput("corpus", from: "clean"),
        StageInput("tokenizer", from: "vocab"),
        StageInput("split", from: "vocab"),
    ]
    public let parameters: [ParameterSpec] = []

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let tokenizer = try Tokenizer(huggingFaceJSON: try context.inputData("tokenizer"))
        let split: DocumentSplit
        do {
            split = try JSONDecoder().decode(DocumentSplit.self, from: try context.inputData("split"))
        } catch let error as ShardError {
            throw error
        } catch {
            throw PipelineError.stageFailed(stage: name, reason: "the split artifact is not a split rule: \(MessageText.describe(decoding: error))")
        }
        let threads = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        let started = Date()
        let manifest = try ShardSet.build(corpus: try context.inputPath("corpus"), tokenizer: tokenizer,
                                          tokenizerHash: context.inputs["tokenizer"]!, split: split, store: context.store,
                                          threads: threads)
        // The manifest alone: opening the shards would map them all (resident memory as large as
        // the shards), and the runner verifies every output anyway.
        let written = try ShardManifest.decode(try context.store.data(manifest))
        var metrics: [(String, Double)] = []
        var bytes = 0
        for part in DocumentSplit.Part.allCases {
            let entry = try written.part(part)
            bytes += entry.textBytes
            context.log.info("\(part.rawValue): \(entry.documents) articles, \(entry.tokens) tokens, \(entry.textBytes) bytes of text")
            metrics += [("\(part.rawValue)_documents", Double(entry.documents)), ("\(part.rawValue)_tokens", Double(entry.tokens))]
        }
        let seconds = Date().timeIntervalSince(started)
        context.log.info(String(format: "sharded %.1f MB of text in %.2f s (%.1f MB/s)", Double(bytes) / 1e6, seconds,
                                Double(bytes) / 1e6 / seconds))
        try context.recordMetrics(step: 0, metrics)
        return ["shards": manifest]
    }
}
