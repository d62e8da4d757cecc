import TensorKernels

/// The shape and options of a MiniGPT model. Its JSON form is the exported `config.json`
/// (snake_case keys, documented in docs/kernels.md).
public struct MiniGPTConfig: Sendable, Equatable, Codable {
    public enum Positions: String, Sendable, Codable { case sinusoidal, learned }

    public var vocabSize: Int
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var contextLength: Int
    public var dropout: Float
    public var gelu: GELU.Kind
    public var positions: Positions
    public var tieWeights: Bool
    public var layerNormEps: Float

    public init(
        vocabSize: Int, width: Int, layers: Int, heads: Int, contextLength: Int, dropout: Float = 0,
        gelu: GELU.Kind = .erf, positions: Positions = .sinusoidal, tieWeights: Bool = false,
        layerNormEps: Float = 1e-5
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
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", width = "d_model", layers = "n_layers", heads = "n_heads"
        case contextLength = "context_length", dropout, gelu, positions, tieWeights = "tie_weights"
        case layerNormEps = "layer_norm_eps"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            vocabSize: try c.decode(Int.self, forKey: .vocabSize), width: try c.decode(Int.self, forKey: .width),
            layers: try c.decode(Int.self, forKey: .layers), heads: try c.decode(Int.self, forKey: .heads),
            contextLength: try c.decode(Int.self, forKey: .contextLength),
            dropout: Float(try c.decode(Double.self, forKey: .dropout)),
            gelu: try c.decode(GELU.Kind.self, forKey: .gelu), positions: try c.decode(Positions.self, forKey: .positions),
            tieWeights: try c.decode(Bool.self, forKey: .tieWeights),
            layerNormEps: Float(try c.decode(Double.self, forKey: .layerNormEps)))
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
    }

    /// Token embeddings are multiplied by √d before fixed sinusoids are added, as the original
    /// Transformer does: with N(0, 0.02²) embeddings, amplitude-1 sinusoids would outweigh
    /// the tokens ~35× in norm. Learned positions start at the embeddings' scale and need none.
    public var embeddingScale: Float { positions == .sinusoidal ? Float(width).squareRoot() : 1 }

    public var headWidth: Int { width / heads }
    public var hiddenWidth: Int { 4 * width }

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
    }

    /// Parameters in the linear layers (attention, MLP and the LM head), for the FLOP formula
    /// 6·N_linear + 12·L·d·T per token.
    public var linearParameterCount: Int { layers * 12 * width * width + vocabSize * width }

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
