import TensorKernels

/// The shape and options of a MiniGPT model. Its JSON form is the exported `config.json`
/// (snake_case keys, documented in docs/kernels.md). The options that came after the first
/// architecture (norm, rope, mlp, qk_norm, bias) are written only when they differ from it, so
/// models trained before them keep their bytes and still load.
public struct MiniGPTConfig: Sendable, Equatable, Codable {
    /// Additive positions (a fixed sinusoidal table or a learned one) or rotary q/k rotation.
    public enum Positions: String, Sendable, Codable, CaseIterable { case sinusoidal, learned, rope }
    public enum Norm: String, Sendable, Codable, CaseIterable { case layer, rms }
    /// The MLP: 4·d GELU (GPT-2) or a SwiGLU gate (Llama, Qwen3).
    public enum MLP: String, Sendable, Codable, CaseIterable { case gelu, swiglu }

    public var vocabSize: Int
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var contextLength: Int
    public var dropout: Float
    public var gelu: GELU.Kind
    public var positions: Positions
    public var tieWeights: Bool
    /// The epsilon of every norm (LayerNorm or RMSNorm, QK-norm included).
    public var layerNormEps: Float
    public var norm: Norm
    public var mlp: MLP
    /// The MLP's hidden width (the gate's and up's, for SwiGLU).
    public var hiddenWidth: Int
    public var qkNorm: Bool
    /// Biases in the linear layers and LayerNorms.
    public var bias: Bool
    public var ropeTheta: Double
    /// What token embeddings are multiplied by before anything is added to them.
    public var embeddingScale: Float
    /// Rows of a hashed bigram embedding added to the token embedding (0 = none); see BigramHash.
    /// Not part of any standard architecture, so such a model does not export.
    public var bigramBuckets: Int

    public init(
        vocabSize: Int, width: Int, layers: Int, heads: Int, contextLength: Int, dropout: Float = 0,
        gelu: GELU.Kind = .erf, positions: Positions = .sinusoidal, tieWeights: Bool = false,
        layerNormEps: Float = 1e-5, norm: Norm = .layer, mlp: MLP = .gelu, hiddenWidth: Int? = nil,
        qkNorm: Bool = false, bias: Bool = true, ropeTheta: Double = 10_000, embeddingScale: Float? = nil,
        bigramBuckets: Int = 0
    ) {
        self.vocabSize = vocabSize
        self.width = width
        self.layers = layers
        self.heads = heads
        self.contextLength = contextLength
        self.dropout = dropout
        self.gelu = gelu
        self.positions = positions
        self.tieWeights = tieWeights
        self.layerNormEps = layerNormEps
        self.norm = norm
        self.mlp = mlp
        self.hiddenWidth = hiddenWidth ?? Self.defaultHiddenWidth(width: width, mlp: mlp)
        self.qkNorm = qkNorm
        self.bias = bias
        self.ropeTheta = ropeTheta
        self.embeddingScale = embeddingScale ?? Self.defaultEmbeddingScale(width: width, positions: positions)
        self.bigramBuckets = bigramBuckets
    }

    /// Token embeddings are multiplied by √d before fixed sinusoids are added, as the original
    /// Transformer does: with N(0, 0.02²) embeddings, amplitude-1 sinusoids would outweigh the
    /// tokens ~35× in norm. Learned positions start at the embeddings' scale and RoPE adds nothing
    /// to the stream, so neither needs it by default.
    public static func defaultEmbeddingScale(width: Int, positions: Positions) -> Float {
        positions == .sinusoidal ? Float(width).squareRoot() : 1
    }

    /// 4·d for GELU; for SwiGLU ⅔ of that (the same parameter count), rounded up to a multiple of 32.
    public static func defaultHiddenWidth(width: Int, mlp: MLP) -> Int {
        switch mlp {
        case .gelu: 4 * width
        case .swiglu: (8 * width / 3 + 31) / 32 * 32
        }
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", width = "d_model", layers = "n_layers", heads = "n_heads"
        case contextLength = "context_length", dropout, gelu, positions, tieWeights = "tie_weights"
        case layerNormEps = "layer_norm_eps", norm, mlp, hiddenWidth = "ffn_width", qkNorm = "qk_norm", bias
        case ropeTheta = "rope_theta", embeddingScale = "embedding_scale", bigramBuckets = "bigram_buckets"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let width = try c.decode(Int.self, forKey: .width)
        let mlp = try c.decodeIfPresent(MLP.self, forKey: .mlp) ?? .gelu
        self.init(
            vocabSize: try c.decode(Int.self, forKey: .vocabSize), width: width,
            layers: try c.decode(Int.self, forKey: .layers), heads: try c.decode(Int.self, forKey: .heads),
            contextLength: try c.decode(Int.self, forKey: .contextLength),
            dropout: Float(try c.decode(Double.self, forKey: .dropout)),
            gelu: try c.decode(GELU.Kind.self, forKey: .gelu), positions: try c.decode(Positions.self, forKey: .positions),
            tieWeights: try c.decode(Bool.self, forKey: .tieWeights),
            layerNormEps: Float(try c.decode(Double.self, forKey: .layerNormEps)),
            norm: try c.decodeIfPresent(Norm.self, forKey: .norm) ?? .layer, mlp: mlp,
            hiddenWidth: try c.decodeIfPresent(Int.self, forKey: .hiddenWidth),
            qkNorm: try c.decodeIfPresent(Bool.self, forKey: .qkNorm) ?? false,
            bias: try c.decodeIfPresent(Bool.self, forKey: .bias) ?? true,
            ropeTheta: try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10_000,
            embeddingScale: try c.decodeIfPresent(Double.self, forKey: .embeddingScale).map(Float.init),
            bigramBuckets: try c.decodeIfPresent(Int.self, forKey: .bigramBuckets) ?? 0)
    }

    /// Floats are written through their shortest decimal form (0.1, not 0.10000000149011612).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(width, forKey: .width)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(contextLength, forKey: .contextLength)
        try c.encode(Double("\(dropout)")!, forKey: .dropout)
        try c.encode(gelu, forKey: .gelu)
        try c.encode(positions, forKey: .positions)
        try c.encode(tieWeights, forKey: .tieWeights)
        try c.encode(Double("\(layerNormEps)")!, forKey: .layerNormEps)
        if norm != .layer { try c.encode(norm, forKey: .norm) }
        if mlp != .gelu { try c.encode(mlp, forKey: .mlp) }
        // Left out only for GELU's default (4·width), as files always have; absent reads as the MLP's default.
        if hiddenWidth != 4 * width || hiddenWidth != Self.defaultHiddenWidth(width: width, mlp: mlp) {
            try c.encode(hiddenWidth, forKey: .hiddenWidth)
        }
        if qkNorm { try c.encode(qkNorm, forKey: .qkNorm) }
        if !bias { try c.encode(bias, forKey: .bias) }
        if positions == .rope { try c.encode(ropeTheta, forKey: .ropeTheta) }
        if embeddingScale != Self.defaultEmbeddingScale(width: width, positions: positions) {
            try c.encode(Double("\(embeddingScale)")!, forKey: .embeddingScale)
        }
        if bigramBuckets > 0 { try c.encode(bigramBuckets, forKey: .bigramBuckets) }
    }

    /// Output columns of the MLP's first linear layer (gate and up, for SwiGLU).
    public var fcWidth: Int { mlp == .swiglu ? 2 * hiddenWidth : hiddenWidth }
    /// Whether attention reads q and k transformed (QK-norm, RoPE) rather than as projected.
    var transformsQueriesAndKeys: Bool { qkNorm || positions == .rope }

    public var headWidth: Int { width / heads }

    public func validate() throws(MiniGPTError) {
        func check(_ ok: Bool, _ message: String) throws(MiniGPTError) {
            if !ok { throw .invalidConfig(message) }
        }
        try check(vocabSize > 0, "vocab_size \(vocabSize) must be positive")
        try check(width > 0 && layers > 0 && heads > 0 && contextLength > 0,
                  "d_model \(width), n_layers \(layers), n_heads \(heads), context_length \(contextLength) must be positive")
        try check(width % heads == 0, "d_model \(width) is not divisible by n_heads \(heads)")
        try check(dropout >= 0 && dropout < 1, "dropout \(dropout) is outside [0, 1)")
        try check(vocabSize < Int(Int32.max), "vocab_size \(vocabSize) does not fit token ids in Int32")
        try check(hiddenWidth > 0, "ffn_width \(hiddenWidth) must be positive")
        try check(positions != .rope || headWidth % 2 == 0,
                  "rope needs an even head width; d_model \(width) / n_heads \(heads) = \(headWidth)")
        try check(ropeTheta > 1, "rope_theta \(ropeTheta) must exceed 1")
        try check(embeddingScale.isFinite && embeddingScale > 0, "embedding_scale \(embeddingScale) must be positive")
        try check(bigramBuckets == 0 || (2...BigramHash.maxBuckets).contains(bigramBuckets),
                  "bigram_buckets \(bigramBuckets) is outside 2...\(BigramHash.maxBuckets) (or 0 for none)")
    }

    /// Parameters in the linear layers (attention, MLP and the LM head), for the FLOP formula
    /// 6·N_linear + 12·L·d·T per token.
    public var linearParameterCount: Int {
        layers * (4 * width * width + (mlp == .swiglu ? 3 : 2) * width * hiddenWidth) + vocabSize * width
    }

    /// Training FLOPs per token (forward + backward): 6·N_linear + 12·L·d·T.
    public var trainingFLOPsPerToken: Double {
        6 * Double(linearParameterCount) + 12 * Double(layers * width * contextLength)
    }
}

public enum MiniGPTError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    case invalidBatch(String)
    case safetensors(path: String, reason: String)
    case missingTensor(name: String, path: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int], path: String)
    case io(path: String, reason: String)
    case nonFiniteStep(loss: Float, gradientNorm: Float)

    public var description: String {
        switch self {
        case .invalidConfig(let m): "invalid MiniGPT config: \(m)"
        case .invalidBatch(let m): "invalid batch: \(m)"
        case .nonFiniteStep(let loss, let norm): "non-finite training step (loss \(loss), gradient norm \(norm)); weights not updated"
        case .safetensors(let path, let reason): "\(path): not a valid safetensors file: \(reason)"
        case .missingTensor(let name, let path): "\(path): tensor '\(name)' is missing"
        case .shapeMismatch(let name, let expected, let found, let path):
            "\(path): tensor '\(name)' has shape \(found), expected \(expected)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
