import TensorKernels

/// One named tensor inside a flat parameter buffer, named as in the PyTorch reference module's
/// state_dict (pipeline/scripts/torch_reference.py).
public struct ParameterTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// Weight decay applies to matrices and embeddings, not to biases and LayerNorm parameters.
    public var decays: Bool { shape.count >= 2 }
    /// Linear and embedding weights are drawn from N(0, std²); others start at `constant`.
    let initStd: Float
    let constant: Float
}

/// Where every parameter lives in the flat buffers (values, gradients, AdamW moments).
public struct ParameterLayout: Sendable {
    public let tensors: [ParameterTensor]
    public let count: Int
    private let index: [String: Int]

    /// Offsets of one block's tensors.
    struct Block {
        let ln1Weight, ln1Bias, qkvWeight, qkvBias, projWeight, projBias: Int
        let ln2Weight, ln2Bias, fcWeight, fcBias, fcProjWeight, fcProjBias: Int
    }
    let tokenEmbedding: Int
    let positionEmbedding: Int?
    let blocks: [Block]
    let lnfWeight, lnfBias, head: Int

    init(_ c: MiniGPTConfig) {
        var tensors: [ParameterTensor] = []
        var offset = 0
        let std: Float = 0.02
        // GPT-2: residual projections scaled by 1/√(2·layers) so the stream's variance stays put.
        let projectionStd = std / Float(2 * c.layers).squareRoot()
        func add(_ name: String, _ shape: [Int], std: Float = 0, constant: Float = 0) -> Int {
            let tensor = ParameterTensor(name: name, shape: shape, offset: offset, initStd: std, constant: constant)
            tensors.append(tensor)
            offset += tensor.count
            return tensor.offset
        }
        let d = c.width
        tokenEmbedding = add("tok_emb.weight", [c.vocabSize, d], std: std)
        positionEmbedding = c.positions == .learned ? add("pos_emb.weight", [c.contextLength, d], std: std) : nil
        blocks = (0..<c.layers).map { l in
            let p = "blocks.\(l)."
            return Block(
                ln1Weight: add(p + "ln1.weight", [d], constant: 1), ln1Bias: add(p + "ln1.bias", [d]),
                qkvWeight: add(p + "attn.qkv.weight", [3 * d, d], std: std), qkvBias: add(p + "attn.qkv.bias", [3 * d]),
                projWeight: add(p + "attn.proj.weight", [d, d], std: projectionStd), projBias: add(p + "attn.proj.bias", [d]),
                ln2Weight: add(p + "ln2.weight", [d], constant: 1), ln2Bias: add(p + "ln2.bias", [d]),
                fcWeight: add(p + "mlp.fc.weight", [4 * d, d], std: std), fcBias: add(p + "mlp.fc.bias", [4 * d]),
                fcProjWeight: add(p + "mlp.proj.weight", [d, 4 * d], std: projectionStd),
                fcProjBias: add(p + "mlp.proj.bias", [d]))
        }
        lnfWeight = add("ln_f.weight", [d], constant: 1)
        lnfBias = add("ln_f.bias", [d])
        head = c.tieWeights ? tokenEmbedding : add("head.weight", [c.vocabSize, d], std: std)
        self.tensors = tensors
        count = offset
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public subscript(name: String) -> ParameterTensor? { index[name].map { tensors[$0] } }

    /// The 2-D matrices inside the blocks (attention qkv and projection, MLP in and out): what
    /// Muon updates. Embeddings, the head, biases and norms stay with AdamW.
    public var hiddenMatrices: [Muon.Matrix] {
        blocks.flatMap { [$0.qkvWeight, $0.projWeight, $0.fcWeight, $0.fcProjWeight] }.map { offset in
            let shape = tensors.first { $0.offset == offset }!.shape
            return Muon.Matrix(offset: offset, rows: shape[0], cols: shape[1])
        }
    }
}
