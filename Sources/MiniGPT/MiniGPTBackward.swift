import TensorKernels

extension MiniGPT {
    /// Adds ∂loss/∂parameters of the last training forward pass to `gradients`.
    public func backward() {
        guard let (batch, length, rng, differentiable) = last, differentiable else {
            preconditionFailure("MiniGPT.backward: no forward pass with targets and training: true to differentiate")
        }
        let c = config, d = c.width, h = c.hiddenWidth, n = batch * length, p = parameters.pointer, g = gradients.pointer
        let a = arena, dropout = rng == nil ? 0 : c.dropout
        // Head: a.logits holds ∂loss/∂logits.
        Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, dy: a.logits, weight: p + layout.head,
                             dx: a.dNorm, accumulate: false)
        Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, dy: a.logits, x: a.lnf,
                                  dWeight: g + layout.head, dBias: nil)
        normBackward(rows: n, x: a.residual[c.layers], weight: layout.lnfWeight, bias: layout.lnfBias, mean: a.lnfMean,
                     rstd: a.lnfRstd, accumulate: false)
        let attention = Attention(batch: batch, length: length, width: d, heads: c.heads)
        for (l, block) in layout.blocks.enumerated().reversed() {
            let s = a.layers[l]
            // MLP branch: a.dResidual is ∂loss/∂residual[l+1].
            let dMLP = branchGradient(dropout: dropout, rng: dropoutSite(rng, 2 + 2 * l), count: n * d)
            Linear.backwardInput(gemm, rows: n, inFeatures: h, outFeatures: d, dy: dMLP, weight: p + block.fcProjWeight,
                                 dx: a.dHidden, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: h, outFeatures: d, dy: dMLP, x: s.gelu,
                                      dWeight: g + block.fcProjWeight, dBias: block.fcProjBias.map { g + $0 })
            switch c.mlp {
            case .gelu: GELU.backward(pool, kind: c.gelu, count: n * h, x: s.fc, dy: a.dHidden, dx: a.dFC)
            case .swiglu: SwiGLU.backward(pool, rows: n, width: h, x: s.fc, dy: a.dHidden, dx: a.dFC)
            }
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: c.fcWidth, dy: a.dFC, weight: p + block.fcWeight,
                                 dx: a.dNorm, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: c.fcWidth, dy: a.dFC, x: s.ln2,
                                      dWeight: g + block.fcWeight, dBias: block.fcBias.map { g + $0 })
            normBackward(rows: n, x: s.mid, weight: block.ln2Weight, bias: block.ln2Bias, mean: s.ln2Mean, rstd: s.ln2Rstd,
                         accumulate: true)
            // Attention branch: a.dResidual is now ∂loss/∂mid.
            let dAttention = branchGradient(dropout: dropout, rng: dropoutSite(rng, 1 + 2 * l), count: n * d)
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: d, dy: dAttention, weight: p + block.projWeight,
                                 dx: a.dAtt, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: d, dy: dAttention, x: s.att,
                                      dWeight: g + block.projWeight, dBias: block.projBias.map { g + $0 })
            attention.backward(pool, scratch: attentionScratch, qkv: s.attentionInput, out: s.att, lse: s.lse, dOut: a.dAtt,
                               dqkv: a.dQKV)
            queriesAndKeysBackward(block, s, batch: batch, length: length)
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, dy: a.dQKV, weight: p + block.qkvWeight,
                                 dx: a.dNorm, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, dy: a.dQKV, x: s.ln1,
                                      dWeight: g + block.qkvWeight, dBias: block.qkvBias.map { g + $0 })
            normBackward(rows: n, x: a.residual[l], weight: block.ln1Weight, bias: block.ln1Bias, mean: s.ln1Mean,
                         rstd: s.ln1Rstd, accumulate: true)
        }
        let dEmbedding = branchGradient(dropout: dropout, rng: dropoutSite(rng, 0), count: n * d)
        Embedding.backward(pool, count: n, width: d, tokens: a.tokens, dOut: dEmbedding, dTable: g + layout.tokenEmbedding,
                           scale: c.embeddingScale)
        if let bigram = layout.bigramEmbedding, let rows = a.bigramRows {
            BigramHash.backward(pool, count: n, width: d, rows: rows, dx: dEmbedding, dTable: g + bigram)
        }
        if let position = layout.positionEmbedding {
            PositionalEncoding.backward(pool, batch: batch, length: length, width: d, dx: dEmbedding, dTable: g + position)
        }
    }

    /// Turns a.dQKV from ∂loss/∂(attention input) into ∂loss/∂qkv: RoPE rotated back, then QK-norm's backward.
    private func queriesAndKeysBackward(_ block: ParameterLayout.Block, _ s: ActivationArena.Layer, batch: Int, length: Int) {
        let c = config, p = parameters.pointer, g = gradients.pointer
        rotary?.apply(pool, batch: batch, length: length, width: c.width, qkv: arena.dQKV, inverse: true)
        if let q = block.qNormWeight, let k = block.kNormWeight {
            QKNorm.backward(pool, tokens: batch * length, width: c.width, heads: c.heads, qkv: s.qkv, qWeight: p + q,
                            kWeight: p + k, rstd: s.qkRstd, d: arena.dQKV, dqWeight: g + q, dkWeight: g + k)
        }
    }

    /// ∂loss/∂x of a norm over rows of the model width, from a.dNorm into a.dResidual, and its
    /// weight (and bias) gradients.
    private func normBackward(rows: Int, x: UnsafePointer<Float>, weight: Int, bias: Int?,
                              mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, accumulate: Bool) {
        let c = config, p = parameters.pointer, g = gradients.pointer, a = arena
        switch c.norm {
        case .layer:
            LayerNorm.backward(pool, rows: rows, width: c.width, x: x, weight: p + weight, mean: mean, rstd: rstd,
                               dy: a.dNorm, dx: a.dResidual, accumulate: accumulate, dWeight: g + weight,
                               dBias: bias.map { g + $0 })
        case .rms:
            RMSNorm.backward(pool, rows: rows, width: c.width, x: x, weight: p + weight, rstd: rstd, dy: a.dNorm,
                             dx: a.dResidual, accumulate: accumulate, dWeight: g + weight)
        }
    }

    /// ∂loss/∂branch for a branch added through dropout to the residual stream: the stream's
    /// gradient itself without dropout, else its masked copy in `dBranch`.
    private func branchGradient(dropout: Float, rng: CounterRNG, count: Int) -> UnsafeMutablePointer<Float> {
        guard dropout > 0 else { return arena.dResidual }
        Dropout.backward(pool, probability: dropout, rng: rng, count: count, dy: arena.dResidual, dx: arena.dBranch,
                         accumulate: false)
        return arena.dBranch
    }
}
