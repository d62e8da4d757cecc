import Foundation
@testable import MiniGPT
import TensorKernels
import Testing
import TestSupport

@Suite struct ModelPropertyTests {
    /// Changing any token after position t changes no logit at positions ≤ t, bit for bit.
    @Test(arguments: TinyShape.allCases)
    func causality(shape: TinyShape) throws {
        let config = shape.config()
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 7, threads: 2)
        let length = config.contextLength, vocab = config.vocabSize
        let tokens = randomTokens(length, vocab: vocab, seed: 1)
        try model.forward(tokens: tokens, batch: 1)
        let reference = (0..<length).map { Array(model.logits(row: $0)) }
        for changed in 1..<length {
            var altered = tokens
            altered[changed] = (altered[changed] + 1) % Int32(vocab)
            try model.forward(tokens: altered, batch: 1)
            for t in 0..<changed {
                #expect(Array(model.logits(row: t)) == reference[t], "position \(t) saw a change at \(changed)")
            }
            #expect(Array(model.logits(row: changed)) != reference[changed], "position \(changed) ignored its own token")
        }
    }

    /// Same seed ⇒ same weights after N steps (dropout on), bitwise, with 1, 2 and 3 threads: with
    /// AdamW, and with Muon on the block matrices, in every architecture.
    @Test(arguments: TinyShape.allCases, [false, true])
    func trainingIsBitwiseDeterministicAcrossThreadCounts(shape: TinyShape, muon: Bool) throws {
        let config = shape.config(dropout: 0.2)
        let settings = muon ? Muon.Settings(learningRateScale: 2, momentumWarmupSteps: 2) : nil
        func train(threads: Int) throws -> [Float] {
            let model = try MiniGPT(config: config, maxBatch: 2, seed: 11, threads: threads, muon: settings)
            for step in 0..<3 {
                let tokens = randomTokens(2 * config.contextLength, vocab: config.vocabSize, seed: UInt64(step))
                let targets = randomTokens(2 * config.contextLength, vocab: config.vocabSize, seed: UInt64(100 + step))
                _ = try model.trainStep(tokens: tokens, targets: targets, batch: 2, learningRate: 1e-2,
                                        maxGradientNorm: 0.5, labelSmoothing: 0.1)
            }
            return Array(model.parameters.buffer)
        }
        let one = try train(threads: 1)
        #expect(try train(threads: 2) == one)
        #expect(try train(threads: 3) == one)
        let initial = try MiniGPT(config: config, maxBatch: 2, seed: 11, threads: 1, muon: settings)
        #expect(Array(initial.parameters.buffer) != one, "training changed nothing")
    }

    @Test func dropoutIsOnlyActiveInTraining() throws {
        let config = tinyConfig(dropout: 0.5)
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 3, threads: 2)
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 5)
        let evaluation = try model.forward(tokens: tokens, targets: tokens, batch: 1).loss
        #expect(try model.forward(tokens: tokens, targets: tokens, batch: 1).loss == evaluation)
        let first = try model.forward(tokens: tokens, targets: tokens, batch: 1, training: true).loss
        let second = try model.forward(tokens: tokens, targets: tokens, batch: 1, training: true).loss
        #expect(first != evaluation && first != second, "each training pass draws a fresh mask")
    }

    @Test(arguments: TinyShape.allCases)
    func cachedGenerationMatchesTheFullForwardPass(shape: TinyShape) throws {
        let config = shape.config()
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 9, threads: 2)
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 2)
        try model.forward(tokens: tokens, batch: 1)
        let generator = CachedDecoder(model: model)
        for (t, token) in tokens.enumerated() {
            let cached = Array(try generator.append(token))
            let error = relativeError(cached, model.logits(row: t).map(Double.init))
            #expect(error < 1e-5, "position \(t): relative error \(error)")
        }
        #expect(throws: MiniGPTError.self) { _ = try generator.append(0) }
        let continuation = try generator.greedy(prompt: Array(tokens.prefix(3)), count: 4)
        #expect(continuation.count == 4 && continuation.allSatisfy { $0 >= 0 && Int($0) < config.vocabSize })
    }

    @Test func exportRoundTripsThroughSafetensorsAndConfigJSON() throws {
        let config = tinyConfig(dropout: 0.1, positions: .learned, tied: true)
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 4, threads: 2)
        let scratch = TemporaryDirectory("minigpt-export")
        let directory = scratch.file("model")
        defer { withExtendedLifetime(scratch) {} }
        try model.export(to: directory)
        let loaded = try MiniGPT.load(from: directory, maxBatch: 1, threads: 1)
        #expect(loaded.config == config)
        #expect(Array(loaded.parameters.buffer) == Array(model.parameters.buffer))
        let json = try String(contentsOfFile: directory + "/config.json", encoding: .utf8)
        #expect(json.contains("\"dropout\" : 0.1,"), "config.json: \(json)")
        let weights = try Safetensors(path: directory + "/model.safetensors")
        #expect(weights.entries["head.weight"] == nil && weights.entries["tok_emb.weight"] != nil, "tied head is stored once")
        let first = try Data(contentsOf: URL(fileURLWithPath: directory + "/model.safetensors"))
        try loaded.export(to: directory)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/model.safetensors")) == first, "export is byte-stable")
    }

    /// The options after the first architecture reach config.json only when set, and read back.
    @Test func newOptionsRoundTripThroughConfigJSON() throws {
        let qwen3 = TinyShape.qwen3.config()
        let json = String(decoding: try JSONEncoder().encode(qwen3), as: UTF8.self)
        for key in ["\"norm\":\"rms\"", "\"mlp\":\"swiglu\"", "\"qk_norm\":true", "\"bias\":false", "\"rope_theta\":10000",
                    "\"ffn_width\":96"] {
            #expect(json.contains(key), "\(key) missing from \(json)")
        }
        #expect(try JSONDecoder().decode(MiniGPTConfig.self, from: Data(json.utf8)) == qwen3)
        // A SwiGLU MLP 4·width wide is not SwiGLU's default (⅔ of that), so its width is written.
        var wide = qwen3
        wide.hiddenWidth = 4 * wide.width
        #expect(try JSONDecoder().decode(MiniGPTConfig.self, from: JSONEncoder().encode(wide)) == wide)
        var scaled = qwen3
        scaled.embeddingScale = 5.5
        let scaledJSON = String(decoding: try JSONEncoder().encode(scaled), as: UTF8.self)
        #expect(scaledJSON.contains("\"embedding_scale\":5.5"))
        #expect(try JSONDecoder().decode(MiniGPTConfig.self, from: Data(scaledJSON.utf8)) == scaled)
        let legacy = String(decoding: try JSONEncoder().encode(tinyConfig()), as: UTF8.self)
        #expect(tinyConfig().embeddingScale == Float(32).squareRoot() && qwen3.embeddingScale == 1)
        for key in ["norm", "mlp", "qk_norm", "bias", "rope_theta", "ffn_width", "embedding_scale"] {
            #expect(!legacy.contains("\"\(key)\""), "\(key) written for a first-architecture model: \(legacy)")
        }
        #expect(throws: MiniGPTError.invalidConfig("rope needs an even head width; d_model 30 / n_heads 10 = 3")) {
            try MiniGPTConfig(vocabSize: 5, width: 30, layers: 1, heads: 10, contextLength: 4, positions: .rope).validate()
        }
    }

    @Test func rejectsBadInputsWithMessages() throws {
        #expect(throws: MiniGPTError.invalidConfig("d_model 30 is not divisible by n_heads 4")) {
            _ = try MiniGPT(config: MiniGPTConfig(vocabSize: 5, width: 30, layers: 1, heads: 4, contextLength: 4),
                            maxBatch: 1, seed: 0)
        }
        let model = try MiniGPT(config: tinyConfig(), maxBatch: 1, seed: 0, threads: 1)
        #expect(throws: MiniGPTError.invalidBatch("token 23 at index 1 is outside 0..<23")) {
            try model.forward(tokens: [0, 23], batch: 1)
        }
        #expect(throws: MiniGPTError.self) { try model.forward(tokens: [0, 1, 2, 3], batch: 2) }
        let scratch = TemporaryDirectory("minigpt-bad")
        let path = scratch.file("bad.safetensors")
        defer { withExtendedLifetime(scratch) {} }
        try Data([200, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: URL(fileURLWithPath: path))
        #expect(throws: MiniGPTError.safetensors(path: path, reason: "header length 200 exceeds the file")) {
            _ = try Safetensors(path: path)
        }
    }
}

@Suite struct ZeroInitTests {
    /// With `zeroInitOutputs` the head and every block's output projections start at zero, every
    /// other tensor as without it; the first prediction is then uniform (loss ln V) and a step
    /// moves the zeroed matrices off zero.
    @Test func zeroInitStartsOutputsAtZeroAndTrains() throws {
        let config = TinyShape.qwen3.config()
        let plain = try MiniGPT(config: config, maxBatch: 1, seed: 3, threads: 1)
        let zeroed = try MiniGPT(config: config, maxBatch: 1, seed: 3, threads: 1, zeroInitOutputs: true)
        let outputs = Set(["head.weight"] + (0..<config.layers).flatMap { ["blocks.\($0).attn.proj.weight", "blocks.\($0).mlp.proj.weight"] })
        for tensor in zeroed.layout.tensors {
            let values = Array(zeroed.tensor(tensor.name)!), reference = Array(plain.tensor(tensor.name)!)
            if outputs.contains(tensor.name) {
                #expect(values.allSatisfy { $0 == 0 }, "\(tensor.name) is not zero")
                #expect(reference.contains { $0 != 0 }, "\(tensor.name) is zero without the option")
            } else {
                #expect(values == reference, "\(tensor.name) changed")
            }
        }
        let tokens = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 1)
        let targets = randomTokens(config.contextLength, vocab: config.vocabSize, seed: 2)
        let first = try zeroed.trainStep(tokens: tokens, targets: targets, batch: 1, learningRate: 1e-2)
        #expect(abs(first.loss - Float(log(Double(config.vocabSize)))) < 1e-5)
        #expect(zeroed.tensor("head.weight")!.contains { $0 != 0 })
    }
}
