import MiniGPT

/// The benchmark configurations of issue 5, named as in docs/kernels.md.
struct BenchConfig {
    let name: String
    let model: MiniGPTConfig
    let batch: Int

    static let all: [BenchConfig] = [
        .init(name: "seed-v1", model: config(vocab: 5000, width: 256, layers: 2, heads: 4, context: 128), batch: 32),
        .init(name: "seed-v2", model: config(vocab: 8000, width: 512, layers: 2, heads: 8, context: 128), batch: 32),
        .init(name: "deep", model: config(vocab: 8192, width: 384, layers: 6, heads: 6, context: 256), batch: 16),
        // The Qwen3 architecture (RMSNorm, RoPE, SwiGLU, QK-norm, no biases) at the width `quick` had
        // until 2026-12-02, and at the default preset's width now.
        .init(name: "qwen3", model: config(vocab: 8192, width: 256, layers: 2, heads: 4, context: 128, positions: .rope,
                                           norm: .rms, mlp: .swiglu, qkNorm: true, bias: false), batch: 16),
        .init(name: "quick", model: config(vocab: 8192, width: 96, layers: 2, heads: 3, context: 128, positions: .rope,
                                           norm: .rms, mlp: .swiglu, qkNorm: true, bias: false), batch: 16),
    ]

    /// Training settings shared with the PyTorch side (torch_bench.py): dropout 0.1, label
    /// smoothing 0.1, clipping at 1.0, AdamW.
    static func config(vocab: Int, width: Int, layers: Int, heads: Int, context: Int,
                       positions: MiniGPTConfig.Positions = .sinusoidal, norm: MiniGPTConfig.Norm = .layer,
                       mlp: MiniGPTConfig.MLP = .gelu, qkNorm: Bool = false, bias: Bool = true) -> MiniGPTConfig {
        MiniGPTConfig(vocabSize: vocab, width: width, layers: layers, heads: heads, contextLength: context, dropout: 0.1,
                      positions: positions, norm: norm, mlp: mlp, qkNorm: qkNorm, bias: bias)
    }

    static func named(_ name: String) -> BenchConfig? { all.first { $0.name == name } }
}

struct Summary {
    let values: [Double]
    var sorted: [Double] { values.sorted() }
    var min: Double { sorted.first! }
    var median: Double { sorted[sorted.count / 2] }
    var max: Double { sorted.last! }
}
