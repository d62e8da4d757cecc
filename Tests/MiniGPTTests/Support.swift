import Foundation
import Testing
@testable import MiniGPT
import TensorKernels

/// max|actual − expected| relative to max|expected|: the scale-aware relative error used by
/// every parity check (elementwise relative error is meaningless for entries near zero).
func relativeError(_ actual: some Collection<Float>, _ expected: some Collection<Double>) -> Double {
    precondition(actual.count == expected.count, "relativeError: \(actual.count) vs \(expected.count) values")
    var worst = 0.0, scale = 0.0
    for (a, e) in zip(actual, expected) {
        worst = max(worst, abs(Double(a) - e))
        scale = max(scale, abs(e))
    }
    return worst / max(scale, 1e-30)
}

func fixturePath(_ name: String) throws -> String {
    try #require(Bundle.module.path(forResource: name, ofType: "safetensors", inDirectory: "Fixtures"),
                 "fixture \(name).safetensors is missing: run pipeline/scripts/torch_reference.py fixtures")
}

/// A PyTorch parity fixture written by pipeline/scripts/torch_reference.py.
struct ParityFixture {
    let file: Safetensors
    let config: MiniGPTConfig
    let batch: Int, smoothing: Float, learningRate: Float, weightDecay: Float, maxNorm: Float, steps: Int
    /// Muon's settings, for a fixture trained with Muon on the block matrices.
    let muon: Muon.Settings?
    let tokens: [Int32], targets: [Int32]

    init(_ name: String) throws {
        file = try Safetensors(path: try fixturePath(name))
        let configJSON = try #require(file.metadata["config"])
        config = try JSONDecoder().decode(MiniGPTConfig.self, from: Data(configJSON.utf8))
        let trainingJSON = try #require(file.metadata["training"])
        let parsed = try JSONSerialization.jsonObject(with: Data(trainingJSON.utf8))
        let training = try #require(parsed as? [String: Double])
        batch = Int(training["batch"]!)
        smoothing = Float(training["smoothing"]!)
        learningRate = Float(training["lr"]!)
        weightDecay = Float(training["weight_decay"]!)
        maxNorm = Float(training["max_norm"]!)
        steps = Int(training["steps"]!)
        muon = training["muon_lr"].map { lr in
            Muon.Settings(learningRateScale: Float(lr / training["lr"]!), momentum: 0.95,
                          momentumWarmupSteps: Int(training["muon_warmup_steps"]!), weightDecay: Float(training["weight_decay"]!))
        }
        tokens = try file.int32s("tokens")
        targets = try file.int32s("targets")
    }

    func model(threads: Int = 2) throws -> MiniGPT {
        let model = try MiniGPT(config: config, maxBatch: batch, seed: 0, threads: threads,
                                optimizer: AdamW.Settings(weightDecay: weightDecay), muon: muon)
        try model.loadWeights(from: file.path, prefix: "weight.")
        return model
    }
}

/// A small random model for the property tests (causality, determinism, generation).
func tinyConfig(dropout: Float = 0, positions: MiniGPTConfig.Positions = .sinusoidal, tied: Bool = false) -> MiniGPTConfig {
    MiniGPTConfig(vocabSize: 23, width: 32, layers: 2, heads: 2, contextLength: 10, dropout: dropout,
                  positions: positions, tieWeights: tied)
}

/// The tiny model in each architecture the property tests cover.
enum TinyShape: String, CaseIterable, CustomTestStringConvertible {
    case sinusoidal, learnedTied, qwen3, ropeLayerNormBias, qwen3Bigram

    func config(dropout: Float = 0) -> MiniGPTConfig {
        switch self {
        case .sinusoidal: tinyConfig(dropout: dropout)
        case .learnedTied: tinyConfig(dropout: dropout, positions: .learned, tied: true)
        case .qwen3:
            MiniGPTConfig(vocabSize: 23, width: 32, layers: 2, heads: 2, contextLength: 10, dropout: dropout,
                          positions: .rope, layerNormEps: 1e-6, norm: .rms, mlp: .swiglu, qkNorm: true, bias: false)
        case .qwen3Bigram:
            MiniGPTConfig(vocabSize: 23, width: 32, layers: 2, heads: 2, contextLength: 10, dropout: dropout,
                          positions: .rope, layerNormEps: 1e-6, norm: .rms, mlp: .swiglu, qkNorm: true, bias: false,
                          bigramBuckets: 13)
        case .ropeLayerNormBias:
            MiniGPTConfig(vocabSize: 23, width: 32, layers: 2, heads: 4, contextLength: 10, dropout: dropout,
                          gelu: .tanh, positions: .rope, hiddenWidth: 48, ropeTheta: 300)
        }
    }

    var testDescription: String { rawValue }
}

func randomTokens(_ count: Int, vocab: Int, seed: UInt64) -> [Int32] {
    let rng = CounterRNG(seed: seed)
    return (0..<count).map { Int32(rng.bits(UInt64($0)) % UInt64(vocab)) }
}
