import Testing
@testable import MiniGPT
import TensorKernels

/// The test-only leaky variant (`readsNextToken`) that the evaluation's leakage-alarm tests train:
/// it must really see exactly one token ahead, and train with the right gradient.
@Suite struct NextTokenLeakTests {
    @Test func eachPositionSeesExactlyOneTokenAhead() throws {
        let config = tinyConfig()
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 7, threads: 2)
        model.readsNextToken = true
        let length = config.contextLength, vocab = config.vocabSize
        let tokens = randomTokens(length, vocab: vocab, seed: 1)
        try model.forward(tokens: tokens, batch: 1)
        let reference = (0..<length).map { Array(model.logits(row: $0)) }
        for changed in 1..<length {
            var altered = tokens
            altered[changed] = (altered[changed] + 1) % Int32(vocab)
            try model.forward(tokens: altered, batch: 1)
            #expect(Array(model.logits(row: changed - 1)) != reference[changed - 1], "position \(changed - 1) ignored the next token")
            for t in 0..<(changed - 1) {
                #expect(Array(model.logits(row: t)) == reference[t], "position \(t) saw token \(changed)")
            }
        }
    }

    /// ∂loss/∂tok_emb against central differences, for a token that occurs as a next token.
    @Test func embeddingGradientIncludesThePeek() throws {
        let config = tinyConfig(tied: true)
        let model = try MiniGPT(config: config, maxBatch: 2, seed: 3, threads: 1)
        model.readsNextToken = true
        let tokens = randomTokens(2 * config.contextLength, vocab: config.vocabSize, seed: 5)
        let targets = randomTokens(tokens.count, vocab: config.vocabSize, seed: 6)
        model.zeroGradients()
        try model.forward(tokens: tokens, targets: targets, batch: 2, training: true)
        model.backward()
        let embedding = model.tensor("tok_emb.weight")!, gradient = model.tensor("tok_emb.weight", in: model.gradients)!
        let token = Int(tokens[1]), width = config.width
        for k in [0, 7, 19] {
            let i = token * width + k, saved = embedding[i], h: Float = 1e-2
            embedding[i] = saved + h
            let up = try model.forward(tokens: tokens, targets: targets, batch: 2).loss
            embedding[i] = saved - h
            let down = try model.forward(tokens: tokens, targets: targets, batch: 2).loss
            embedding[i] = saved
            let numeric = Double(up - down) / Double(2 * h)
            #expect(abs(Double(gradient[i]) - numeric) <= 0.05 * abs(numeric) + 2e-4,
                    "tok_emb[\(token), \(k)]: backward \(gradient[i]), finite difference \(numeric)")
        }
    }
}
