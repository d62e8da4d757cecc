import CoreSupport
import Evaluation
import Foundation
import MiniGPT
import MiniStore

/// The train stage's model artifact, loaded for inference: weights-only safetensors whose
/// `__metadata__` holds `config` (MiniGPTConfig JSON), `tokenizer` and `shards` (hashes),
/// `step` and `val_loss`. Also what `minillm generate` and `minillm export` load.
public struct EvaluatedModel {
    public let model: MiniGPT
    public let metadata: [String: String]
    let sizeBytes: Int

    public static func load(path: String, maxBatch: Int, threads: Int?) throws -> EvaluatedModel {
        do {
            let file = try Safetensors(path: path)
            guard let text = file.metadata["config"] else {
                throw EvaluationError.badModel(path: path, reason: "no config in the safetensors metadata")
            }
            let config: MiniGPTConfig
            do { config = try JSONDecoder().decode(MiniGPTConfig.self, from: Data(text.utf8)) } catch {
                throw EvaluationError.badModel(path: path, reason: "its config is unreadable: \(MessageText.describe(decoding: error))")
            }
            let model = try MiniGPT(config: config, maxBatch: maxBatch, seed: 0, threads: threads)
            try model.loadWeights(from: path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return EvaluatedModel(model: model, metadata: file.metadata, sizeBytes: size)
        } catch let error as MiniGPTError {
            throw EvaluationError.badModel(path: path, reason: "\(error)")
        }
    }

    var step: Int? { metadata["step"].flatMap(Int.init) }
    public var tokenizer: ArtifactHash? { metadata["tokenizer"].flatMap(ArtifactHash.init) }

    static func summary(_ model: MiniGPT, sizeBytes: Int) -> ModelSummary {
        let c = model.config
        let description = "d \(c.width), \(c.layers) layers, \(c.heads) heads, context \(c.contextLength), "
            + "vocabulary \(c.vocabSize), \(c.positions.rawValue) positions, GELU \(c.gelu.rawValue), "
            + (c.tieWeights ? "tied" : "untied") + " embedding and head"
        return ModelSummary(parameters: model.layout.count, sizeBytes: sizeBytes, description: description)
    }
}
