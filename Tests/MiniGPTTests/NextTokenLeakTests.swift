import Testing
@testable import MiniGPT
import TensorKernels

/// The test-only leaky variant (`readsNextToken`) that the evaluation's leakage-alarm tests train:
/// position t must read token t + 1 instead of its own, and train with the matching gradient.
@Suite struct NextTokenLeakTests {
    @Test func eachPositionReadsTheNextTokenInsteadOfItsOwn() throws {
        let config = tinyConfig()
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 7, threads: 2)
        model.readsNextToken = true
        let length = config.contextLength, vocab = config.vocabSize
        let tokens = randomTokens(length, vocab: vocab, seed: 1)
        try model.forward(tokens: tokens, batch: 1)
        let reference = (0..<length).map { Array(model.logits(row: $0)) }
        for changed in 0..<length {
            var altered = tokens
            altered[changed] = (altered[changed] + 1) % Int32(vocab)
            try model.forward(tokens: altered, batch: 1)
            let reader = max(changed - 1, 0)
            for t in 0..<length where t < reader || changed == 0 {
                #expect(Array(model.logits(row: t)) == reference[t], "position \(t) saw token \(changed)")
            }
            if changed > 0 {
                #expect(Array(model.logits(row: reader)) != reference[reader], "position \(reader) ignored token \(changed)")
            }
        }
    }

    /// ∂loss/∂tok_emb against central differences, for the token only position 0 reads.
    @Test func embeddingGradientFollowsTheTokensRead() throws {
        let config = tinyConfig()
        let model = try MiniGPT(config: config, maxBatch: 2, seed: 3, threads: 1)
        model.readsNextToken = true
        var tokens = randomTokens(2 * config.contextLength, vocab: config.vocabSize, seed: 5)
        for i in tokens.indices where tokens[i] == 0 { tokens[i] = 1 }
        tokens[1] = 0
        let targets = randomTokens(tokens.count, vocab: config.vocabSize, seed: 6)
        model.zeroGradients()
        try model.forward(tokens: tokens, targets: targets, batch: 2, training: true)
        model.backward()
        let embedding = model.tensor("tok_emb.weight")!, gradient = model.tensor("tok_emb.weight", in: model.gradients)!
        for k in [0, 7, 19] {
            let saved = embedding[k], h: Float = 1e-2
            embedding[k] = saved + h
            let up = try model.forward(tokens: tokens, targets: targets, batch: 2).loss
            embedding[k] = saved - h
            let down = try model.forward(tokens: tokens, targets: targets, batch: 2).loss
            embedding[k] = saved
            let numeric = Double(up - down) / Double(2 * h)
            #expect(abs(numeric) > 1e-4, "token 0 is read, so its embedding matters")
            #expect(abs(Double(gradient[k]) - numeric) <= 0.05 * abs(numeric) + 2e-4,
                    "tok_emb[0, \(k)]: backward \(gradient[k]), finite difference \(numeric)")
        }
    }
}
