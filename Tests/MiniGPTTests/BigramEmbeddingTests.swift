import Foundation
@testable import MiniGPT
import TensorKernels
import Testing

/// The hashed bigram embedding inside the model. TinyShape.qwen3Bigram runs it through the
/// shared property tests (determinism across thread counts among them); these give it a
/// non-zero table, which a fresh model does not have.
@Suite struct BigramEmbeddingTests {
    let config = TinyShape.qwen3Bigram.config()

    /// A model whose bigram table is filled with N(0, 0.5²) values.
    func modelWithTable(seed: UInt64) throws -> MiniGPT {
        let model = try MiniGPT(config: config, maxBatch: 1, seed: seed, threads: 2)
        let table = model.tensor("bigram_emb.weight")!, rng = CounterRNG(seed: 77)
        for i in table.indices { table[i] = rng.normal(UInt64(i)) * 0.5 }
        return model
    }

    @Test func startsAtZeroWithEveryOtherTensorAsWithoutIt() throws {
        var plainConfig = config
        plainConfig.bigramBuckets = 0
        let plain = try MiniGPT(config: plainConfig, maxBatch: 1, seed: 5, threads: 1)
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 5, threads: 1)
        #expect(model.layout.tensors.last?.name == "bigram_emb.weight" && model.layout["bigram_emb.weight"]?.shape == [13, 32])
        #expect(model.tensor("bigram_emb.weight")!.allSatisfy { $0 == 0 })
        #expect(Array(model.parameters.buffer.prefix(plain.layout.count)) == Array(plain.parameters.buffer))
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 3)
        try plain.forward(tokens: tokens, batch: 1)
        try model.forward(tokens: tokens, batch: 1)
        for t in 0..<config.contextLength { #expect(Array(model.logits(row: t)) == Array(plain.logits(row: t))) }
    }

    /// Position t reads its own token and the one before it: changing token t changes rows t and
    /// t + 1 of the table's contribution and nothing before t, bit for bit.
    @Test func isCausalWithATable() throws {
        let model = try modelWithTable(seed: 7)
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 1)
        try model.forward(tokens: tokens, batch: 1)
        let reference = (0..<config.contextLength).map { Array(model.logits(row: $0)) }
        for changed in 1..<config.contextLength {
            var altered = tokens
            altered[changed] = (altered[changed] + 1) % Int32(config.vocabSize)
            try model.forward(tokens: altered, batch: 1)
            for t in 0..<changed { #expect(Array(model.logits(row: t)) == reference[t], "position \(t) saw position \(changed)") }
        }
        model.tensor("bigram_emb.weight")!.update(repeating: 0)
        try model.forward(tokens: tokens, batch: 1)
        #expect(Array(model.logits(row: 3)) != reference[3], "the table changed no logit")
    }

    @Test func cachedDecodingReadsThePreviousToken() throws {
        let model = try modelWithTable(seed: 9)
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 2)
        try model.forward(tokens: tokens, batch: 1)
        let decoder = CachedDecoder(model: model)
        for round in 0..<2 {
            for (t, token) in tokens.enumerated() {
                let error = relativeError(Array(try decoder.append(token)), model.logits(row: t).map(Double.init))
                #expect(error < 1e-5, "round \(round), position \(t): relative error \(error)")
            }
            decoder.reset()
        }
    }

    @Test func configJSONCarriesTheTableOnlyWhenThereIsOne() throws {
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(json.contains("\"bigram_buckets\":13"))
        #expect(try JSONDecoder().decode(MiniGPTConfig.self, from: Data(json.utf8)) == config)
        #expect(!String(decoding: try JSONEncoder().encode(TinyShape.qwen3.config()), as: UTF8.self).contains("bigram"))
        var bad = config
        bad.bigramBuckets = 1
        #expect(throws: MiniGPTError.invalidConfig("bigram_buckets 1 is outside 2...16777216 (or 0 for none)")) {
            try bad.validate()
        }
    }
}
