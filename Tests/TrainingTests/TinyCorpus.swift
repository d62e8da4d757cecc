import DataShards
import Foundation
import MiniGPT
import MiniStore
import TestSupport
import Tokenizer
@testable import Training

/// Shards of a tiny corpus in a scratch store: the training split repeats a few sentences (so a
/// small model can learn them by heart), the held-out splits are other sentences.
final class TinyCorpus {
    let dir = TemporaryDirectory("minillm-train")
    let store: Store
    let shards: ShardSet

    static let memorable = "el gato come pescado en la cocina y el perro duerme en el jardín. "
    static let other = [
        "la reina visitó el puerto de sevilla durante el invierno de aquel año.",
        "los ríos del norte llevan agua fría desde las montañas hasta el mar.",
        "una biblioteca antigua guarda mapas, cartas y libros de viajes.",
        "el tren nocturno cruza la meseta bajo un cielo lleno de estrellas.",
    ]

    init() throws {
        store = try Store(at: dir.path)
        let split = try DocumentSplit()
        var documents: [CorpusDocument] = []
        for i in 0..<60 {
            let title = "Artículo \(i)"
            let text = split.part(title: title) == .train
                ? String(repeating: Self.memorable, count: 4)
                : Self.other[i % Self.other.count] + " " + Self.other[(i + 1) % Self.other.count]
            documents.append(CorpusDocument(title: title, text: text))
        }
        let trainTexts = documents.filter { split.part(title: $0.title) == .train }.map(\.text) + Self.other
        let tokenizer = try Tokenizer.train(.bpe, documents: trainTexts, vocabularySize: 300, threads: 1)
        let tokenizerHash = try store.put(tokenizer.huggingFaceJSON(), kind: "tokenizer", mediaType: "application/json")
        let manifest = try ShardSet.build(documents: documents, tokenizer: tokenizer, tokenizerHash: tokenizerHash,
                                          split: split, store: store, threads: 1)
        shards = try ShardSet(store: store, manifest: manifest)
    }

    static func settings(steps: Int = 120) -> TrainingSettings {
        var s = TrainingSettings()
        s.width = 32; s.layers = 1; s.heads = 2; s.context = 16; s.batchSize = 4
        s.dropout = 0; s.labelSmoothing = 0; s.learningRate = 1e-2; s.warmupSteps = 10
        s.maxSteps = steps; s.evalEvery = 20; s.evalBatches = 4; s.checkpointEvery = 10; s.patience = 0
        return s
    }

    func trainer(_ settings: TrainingSettings, threads: Int = 1) throws -> Trainer {
        try Trainer.checkData(settings: settings, train: shards.tokens(.train), validation: shards.tokens(.val))
        let model = try TrainStage.model(settings: settings, vocabularySize: shards.manifest.vocabularySize, threads: threads)
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
