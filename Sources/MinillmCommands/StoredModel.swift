import ArgumentParser
import CoreSupport
import EvaluationStage
import Foundation
import MiniPipeline
import MiniGPT
import MiniStore
import Tokenizer
import PipelineCommands
import Training
import TrainingStage

/// A trained model artifact of the store with the tokenizer it was trained with: what
/// `minillm export` and `minillm generate` work on.
struct StoredModel {
    let hash: ArtifactHash
    let path: String
    let loaded: EvaluatedModel
    let tokenizer: Tokenizer

    var model: MiniGPT { loaded.model }

    /// `train` or nil: the model of the latest succeeded train run (none yet: exit 3, the store
    /// holds no model); otherwise a hash or prefix.
    static func resolve(_ reference: String?, in store: Store) throws -> ArtifactHash {
        guard let reference, reference != "train" else {
            guard let run = try store.catalogue.latestSucceededRun(stage: "train"), let output = run.outputs["model"] else {
                Log.write("minillm: error: \(store.root) holds no trained model yet (stage train has no succeeded run); "
                          + "run `minillm run` first\n")
                throw ExitCode(MinillmExit.store.rawValue)
            }
            return output
        }
        return try store.catalogue.resolve(prefix: reference)
    }

    /// Refuses an artifact that is not a trained model as a usage error, naming its kind.
    init(store: Store, hash: ArtifactHash, maxBatch: Int = 1) throws {
        let kind = try store.catalogue.artifact(hash)?.kind
        guard kind == TrainStage.modelKind else {
            throw ParameterConflict("artifact \(hash.short) is \(kind.map { "a \($0)" } ?? "unknown"), not a trained model (\(TrainStage.modelKind))")
        }
        path = try store.ensureIntact(hash, full: true)
        let loaded = try EvaluatedModel.load(path: path, maxBatch: maxBatch, threads: nil)
        guard let tokenizerHash = loaded.tokenizer else {
            throw TrainingError.refused("artifact \(hash.short) is not a trained model (no tokenizer in its metadata)")
        }
        tokenizer = try Tokenizer(huggingFaceJSON: try store.data(tokenizerHash))
        guard tokenizer.vocabularySize == loaded.model.config.vocabSize else {
            throw TrainingError.refused("model \(hash.short) has \(loaded.model.config.vocabSize) output tokens but its tokenizer "
                                        + "\(tokenizerHash.short) has \(tokenizer.vocabularySize)")
        }
        (self.hash, self.loaded) = (hash, loaded)
    }
}
