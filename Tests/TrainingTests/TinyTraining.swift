import CorpusTestSupport
import DataShards
import Foundation
import MiniGPT
import MiniStore
import TestSupport
import Tokenizer
@testable import Training

/// The trainer's settings and trainer for the shared tiny corpus.
extension TinyCorpus {
    static func settings(steps: Int = 120) -> TrainingSettings {
        var s = TrainingSettings()
        s.width = 32; s.layers = 1; s.heads = 2; s.context = 16; s.batchSize = 4
        s.dropout = 0; s.labelSmoothing = 0; s.learningRate = 1e-2; s.warmupSteps = 10
        s.maxSteps = steps; s.evalEvery = 20; s.evalBatches = 4; s.checkpointEvery = 10; s.patience = 0
        return s
    }

    func trainer(_ settings: TrainingSettings, threads: Int = 1) throws -> Trainer {
        try Trainer.checkData(settings: settings, train: shards.tokens(.train), validation: shards.tokens(.val))
        let model = try settings.makeModel(vocabularySize: shards.manifest.vocabularySize, threads: threads)
        return try Trainer(settings: settings, model: model, train: shards.tokens(.train), validation: shards.tokens(.val))
    }
}

/// Sinks that keep checkpoints and best weights in memory (as bytes), for tests.
final class MemorySinks {
    var checkpoints: [(state: TrainingState, bytes: Data)] = []
    var best: [(step: Int, loss: Double, bytes: Data)] = []
    var stopAfterCheckpoints = Int.max

    struct Interrupted: Error {}

    func sinks(_ model: MiniGPT) -> Trainer.Sinks {
        Trainer.Sinks(
            checkpoint: { [self] state, _ in
                checkpoints.append((state, TrainingCheckpoint.encode(model: model, state: state, parameters: "{}")))
                if checkpoints.count >= stopAfterCheckpoints { throw Interrupted() }
            },
            bestModel: { [self] step, loss in
                let bytes = TrainingCheckpoint.modelFile(model: model, metadata: [:])
                best.append((step, loss, bytes))
                return ArtifactHash.of(bytes)
            })
    }
}
