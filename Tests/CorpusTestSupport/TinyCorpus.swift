import DataShards
import Foundation
import MiniStore
import StoreTestSupport
import TestSupport
import Tokenizer

/// Shards of a tiny corpus in a scratch store: the training split repeats a few sentences (so a
/// small model can learn them by heart), the held-out splits are other sentences.
public final class TinyCorpus {
    public let dir = TemporaryDirectory("minillm-tiny")
    public let store: Store
    public let manifest: ArtifactHash
    public let shards: ShardSet

    public static let memorable = "el gato come pescado en la cocina y el perro duerme en el jardín. "
    public static let other = [
        "la reina visitó el puerto de sevilla durante el invierno de aquel año.",
        "los ríos del norte llevan agua fría desde las montañas hasta el mar.",
        "una biblioteca antigua guarda mapas, cartas y libros de viajes.",
        "el tren nocturno cruza la meseta bajo un cielo lleno de estrellas.",
    ]

    /// 60 articles split by the default rule: train ones repeat `memorable`, the others pair two
    /// of `other`.
    public static let documents: [CorpusDocument] = {
        let split = try! DocumentSplit()
        return (0..<60).map { i in
            let title = "Artículo \(i)"
            let text = split.part(title: title) == .train
                ? String(repeating: memorable, count: 4)
                : other[i % other.count] + " " + other[(i + 1) % other.count]
            return CorpusDocument(title: title, text: text)
        }
    }()

    public init(documents: [CorpusDocument] = TinyCorpus.documents, tokenizerExtra: [String] = TinyCorpus.other,
                vocabularySize: Int = 300) throws {
        store = try dir.makeStore()
        manifest = try Self.writeShards(into: store, documents: documents, tokenizerExtra: tokenizerExtra,
                                        vocabularySize: vocabularySize)
        shards = try ShardSet(store: store, manifest: manifest)
    }

    /// Trains a BPE tokenizer on the train split's articles plus `tokenizerExtra` (so held-out
    /// text is covered), writes it and the shards into `store`; returns the manifest's hash.
    public static func writeShards(into store: Store, documents: [CorpusDocument] = documents,
                                   tokenizerExtra: [String] = other, vocabularySize: Int = 300) throws -> ArtifactHash {
        let split = try DocumentSplit()
        let trainTexts = documents.filter { split.part(title: $0.title) == .train }.map(\.text) + tokenizerExtra
        let tokenizer = try Tokenizer.train(.bpe, documents: trainTexts, vocabularySize: vocabularySize, threads: 1)
        let tokenizerHash = try store.put(tokenizer.huggingFaceJSON(), kind: "tokenizer", mediaType: "application/json")
        return try ShardSet.build(documents: documents, tokenizer: tokenizer, tokenizerHash: tokenizerHash,
                                  split: split, store: store, threads: 1)
    }
}
