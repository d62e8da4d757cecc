import Foundation
import Testing
@testable import MiniGPT
import TensorKernels

/// The Swift model against float64 PyTorch on committed fixtures (see torch_reference.py).
@Suite struct ParityTests {
    /// GPT-2-like shapes, the Qwen3 shape (RMSNorm, RoPE, SwiGLU, QK-norm, no biases), and RoPE
    /// with bias-free LayerNorm and a GELU MLP of non-default width; the Qwen3 shape with a hashed
    /// bigram embedding.
    static let fixtures = ["parity-sinusoidal-untied-erf", "parity-learned-tied-tanh", "parity-qwen3",
                           "parity-rope-layernorm-nobias", "parity-qwen3-bigram"]

    @Test(arguments: fixtures)
    func logitsLossAndGradients(fixture name: String) throws {
        let f = try ParityFixture(name)
        let model = try f.model()
        try model.forward(tokens: f.tokens, batch: f.batch)
        let rows = f.tokens.count
        var logits: [Float] = []
        for row in 0..<rows { logits += model.logits(row: row) }
        let logitsError = relativeError(logits, try f.file.doubles("logits"))
        #expect(logitsError < 1e-5, "logits relative error \(logitsError)")

        model.zeroGradients()
        let result = try model.forward(tokens: f.tokens, targets: f.targets, batch: f.batch, training: true,
                                       labelSmoothing: f.smoothing)
        let loss = try f.file.doubles("loss")[0]
        #expect(abs(Double(result.loss) - loss) / loss < 1e-5, "loss \(result.loss) vs PyTorch \(loss)")
        model.backward()
        for tensor in model.layout.tensors {
            let error = relativeError(model.tensor(tensor.name, in: model.gradients)!, try f.file.doubles("grad." + tensor.name))
            #expect(error < 1e-4, "gradient of \(tensor.name): relative error \(error)")
        }
    }

    /// AdamW alone, and Muon on the block matrices with AdamW for the rest (PyTorch's Muon in
    /// torch_reference.py follows KellerJordan/Muon's update).
    @Test(arguments: fixtures + ["muon-sinusoidal-untied-erf", "muon-qwen3"])
    func tenOptimizerStepsWithClipping(fixture name: String) throws {
        let f = try ParityFixture(name)
        let model = try f.model()
        let expectedLosses = try f.file.doubles("step_losses")
        let expectedNorms = try f.file.doubles("step_grad_norms")
        #expect(expectedNorms.contains { $0 > Double(f.maxNorm) }, "the fixture must exercise clipping")
        for step in 0..<f.steps {
            let r = try model.trainStep(tokens: f.tokens, targets: f.targets, batch: f.batch, learningRate: f.learningRate,
                                        maxGradientNorm: f.maxNorm, labelSmoothing: f.smoothing)
            let lossError = abs(Double(r.loss) - expectedLosses[step]) / expectedLosses[step]
            #expect(lossError < 1e-4, "step \(step + 1): loss \(r.loss) vs PyTorch \(expectedLosses[step])")
            let normError = abs(Double(r.gradientNorm) - expectedNorms[step]) / expectedNorms[step]
            #expect(normError < 1e-4, "step \(step + 1): gradient norm \(r.gradientNorm) vs PyTorch \(expectedNorms[step])")
        }
    }
}
