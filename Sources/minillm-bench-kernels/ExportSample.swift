import Foundation
import MiniGPT
import TensorKernels

/// Trains a small model for a few steps, exports it with a batch and prints its loss, so that
/// `torch_reference.py loss` can be checked against the Swift model on an exported directory.
func exportSample(directory: String, threads: Int) throws {
    let config = MiniGPTConfig(vocabSize: 300, width: 64, layers: 2, heads: 4, contextLength: 32, dropout: 0.1)
    let model = try MiniGPT(config: config, maxBatch: 4, seed: 5, threads: threads)
    let n = 4 * config.contextLength
    let rng = CounterRNG(seed: 6)
    let tokens = (0..<n).map { Int32(rng.bits(UInt64($0)) % 300) }
    var targets = Array(tokens.dropFirst()) + [0]
    targets[5] = -100
    for _ in 0..<5 {
        _ = try model.trainStep(tokens: tokens, targets: targets, batch: 4, learningRate: 1e-2, labelSmoothing: 0.1)
    }
    try model.export(to: directory)
    try tokens.withUnsafeBytes { t in
        try targets.withUnsafeBytes { y in
            try Safetensors.write(path: directory + "/batch.safetensors", entries: [
                .init(name: "tokens", shape: [4, config.contextLength], dtype: .i32, bytes: t),
                .init(name: "targets", shape: [4, config.contextLength], dtype: .i32, bytes: y),
            ])
        }
    }
    let result = try model.forward(tokens: tokens, targets: targets, batch: 4)
    print(String(format: "{\"loss\": %.7f, \"accuracy\": %.6f, \"tokens\": %d}", result.loss, result.accuracy, result.counted))
}
