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

    /// Offsets of one block's tensors; nil where the config has no such tensor.
    struct Block {
        let ln1Weight: Int, ln1Bias: Int?, qkvWeight: Int, qkvBias: Int?, projWeight: Int, projBias: Int?
        let qNormWeight: Int?, kNormWeight: Int?
        let ln2Weight: Int, ln2Bias: Int?, fcWeight: Int, fcBias: Int?, fcProjWeight: Int, fcProjBias: Int?
    }
    let tokenEmbedding: Int
    let positionEmbedding: Int?
    /// The hashed bigram table, zero at the start; last, so the other tensors draw as without it.
    let bigramEmbedding: Int?
    let blocks: [Block]
    let lnfWeight: Int, lnfBias: Int?, head: Int

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
        func bias(_ name: String, _ count: Int) -> Int? { c.bias ? add(name, [count]) : nil }
        // LayerNorm's bias follows `bias`; RMSNorm has none.
        func normBias(_ name: String, _ count: Int) -> Int? { c.norm == .layer ? bias(name, count) : nil }
        let d = c.width, h = c.hiddenWidth, hw = c.headWidth
        tokenEmbedding = add("tok_emb.weight", [c.vocabSize, d], std: std)
        positionEmbedding = c.positions == .learned ? add("pos_emb.weight", [c.contextLength, d], std: std) : nil
        blocks = (0..<c.layers).map { l in
            let p = "blocks.\(l)."
            return Block(
                ln1Weight: add(p + "ln1.weight", [d], constant: 1), ln1Bias: normBias(p + "ln1.bias", d),
                qkvWeight: add(p + "attn.qkv.weight", [3 * d, d], std: std), qkvBias: bias(p + "attn.qkv.bias", 3 * d),
                projWeight: add(p + "attn.proj.weight", [d, d], std: projectionStd), projBias: bias(p + "attn.proj.bias", d),
                qNormWeight: c.qkNorm ? add(p + "attn.q_norm.weight", [hw], constant: 1) : nil,
                kNormWeight: c.qkNorm ? add(p + "attn.k_norm.weight", [hw], constant: 1) : nil,
                ln2Weight: add(p + "ln2.weight", [d], constant: 1), ln2Bias: normBias(p + "ln2.bias", d),
                fcWeight: add(p + "mlp.fc.weight", [c.fcWidth, d], std: std), fcBias: bias(p + "mlp.fc.bias", c.fcWidth),
                fcProjWeight: add(p + "mlp.proj.weight", [d, h], std: projectionStd),
                fcProjBias: bias(p + "mlp.proj.bias", d))
        }
        lnfWeight = add("ln_f.weight", [d], constant: 1)
        lnfBias = normBias("ln_f.bias", d)
        head = c.tieWeights ? tokenEmbedding : add("head.weight", [c.vocabSize, d], std: std)
        bigramEmbedding = c.bigramBuckets > 0 ? add("bigram_emb.weight", [c.bigramBuckets, d]) : nil
        self.tensors = tensors
        count = offset
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public subscript(name: String) -> ParameterTensor? { index[name].map { tensors[$0] } }

    /// Offsets of the matrices that write into the residual stream or the logits: each block's
    /// attention and MLP output projections, and the head unless it is the tied embedding.
    var outputMatrices: Set<Int> {
        var offsets = Set(blocks.flatMap { [$0.projWeight, $0.fcProjWeight] })
        if head != tokenEmbedding { offsets.insert(head) }
        return offsets
    }

    /// The 2-D matrices inside the blocks (attention qkv and projection, MLP in and out): what
    /// Muon updates. Embeddings, the head, biases and norms stay with AdamW.
    public var hiddenMatrices: [Muon.Matrix] {
        blocks.flatMap { [$0.qkvWeight, $0.projWeight, $0.fcWeight, $0.fcProjWeight] }.map { offset in
            let shape = tensors.first { $0.offset == offset }!.shape
            return Muon.Matrix(offset: offset, rows: shape[0], cols: shape[1])
        }
    }
}
