import TensorKernels

extension MiniGPT {
    /// Adds ∂loss/∂parameters of the last training forward pass to `gradients`.
    public func backward() {
        guard let (batch, length, rng, differentiable) = last, differentiable else {
            preconditionFailure("MiniGPT.backward: no forward pass with targets and training: true to differentiate")
        }
        let c = config, d = c.width, n = batch * length, p = parameters.pointer, g = gradients.pointer, a = arena
        let dropout = rng == nil ? 0 : c.dropout
        // Head: a.logits holds ∂loss/∂logits.
        Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, dy: a.logits, weight: p + layout.head,
                             dx: a.dNorm, accumulate: false)
        Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, dy: a.logits, x: a.lnf,
                                  dWeight: g + layout.head, dBias: nil)
        LayerNorm.backward(pool, rows: n, width: d, x: a.residual[c.layers], weight: p + layout.lnfWeight,
                           mean: a.lnfMean, rstd: a.lnfRstd, dy: a.dNorm, dx: a.dResidual, accumulate: false,
                           dWeight: g + layout.lnfWeight, dBias: g + layout.lnfBias)
        let attention = Attention(batch: batch, length: length, width: d, heads: c.heads)
        for (l, block) in layout.blocks.enumerated().reversed() {
            let s = a.layers[l]
            // MLP branch: a.dResidual is ∂loss/∂residual[l+1].
            let dMLP = branchGradient(dropout: dropout, rng: dropoutSite(rng, 2 + 2 * l), count: n * d)
            Linear.backwardInput(gemm, rows: n, inFeatures: 4 * d, outFeatures: d, dy: dMLP, weight: p + block.fcProjWeight,
                                 dx: a.dHidden, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: 4 * d, outFeatures: d, dy: dMLP, x: s.gelu,
                                      dWeight: g + block.fcProjWeight, dBias: g + block.fcProjBias)
            GELU.backward(pool, kind: c.gelu, count: n * 4 * d, x: s.fc, dy: a.dHidden, dx: a.dHidden)
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: 4 * d, dy: a.dHidden, weight: p + block.fcWeight,
                                 dx: a.dNorm, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: 4 * d, dy: a.dHidden, x: s.ln2,
                                      dWeight: g + block.fcWeight, dBias: g + block.fcBias)
            LayerNorm.backward(pool, rows: n, width: d, x: s.mid, weight: p + block.ln2Weight, mean: s.ln2Mean,
                               rstd: s.ln2Rstd, dy: a.dNorm, dx: a.dResidual, accumulate: true,
                               dWeight: g + block.ln2Weight, dBias: g + block.ln2Bias)
            // Attention branch: a.dResidual is now ∂loss/∂mid.
            let dAttention = branchGradient(dropout: dropout, rng: dropoutSite(rng, 1 + 2 * l), count: n * d)
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: d, dy: dAttention, weight: p + block.projWeight,
                                 dx: a.dAtt, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: d, dy: dAttention, x: s.att,
                                      dWeight: g + block.projWeight, dBias: g + block.projBias)
            attention.backward(pool, scratch: attentionScratch, qkv: s.qkv, out: s.att, lse: s.lse, dOut: a.dAtt,
                               dqkv: a.dQKV)
            Linear.backwardInput(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, dy: a.dQKV, weight: p + block.qkvWeight,
                                 dx: a.dNorm, accumulate: false)
            Linear.backwardParameters(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, dy: a.dQKV, x: s.ln1,
                                      dWeight: g + block.qkvWeight, dBias: g + block.qkvBias)
            LayerNorm.backward(pool, rows: n, width: d, x: a.residual[l], weight: p + block.ln1Weight, mean: s.ln1Mean,
                               rstd: s.ln1Rstd, dy: a.dNorm, dx: a.dResidual, accumulate: true,
                               dWeight: g + block.ln1Weight, dBias: g + block.ln1Bias)
        }
        let dEmbedding = branchGradient(dropout: dropout, rng: dropoutSite(rng, 0), count: n * d)
        Embedding.backward(pool, count: n, width: d, tokens: a.tokens, dOut: dEmbedding, dTable: g + layout.tokenEmbedding,
                           scale: c.embeddingScale)
        if let position = layout.positionEmbedding {
            PositionalEncoding.backward(pool, batch: batch, length: length, width: d, dx: dEmbedding, dTable: g + position)
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
