import TensorKernels

extension MiniGPT {
    /// Runs the model on `batch` sequences of `tokens.count / batch` tokens (at most the context
    /// length). With targets, returns the mean cross-entropy (label smoothing applied) and
    /// accuracy and, when `training`, leaves ∂loss/∂logits for `backward`. Without targets the
    /// logits stay readable through `logits(row:)`. `training` turns dropout on.
    @discardableResult
    public func forward(
        tokens: [Int32], targets: [Int32]? = nil, batch: Int, training: Bool = false,
        labelSmoothing: Float = 0, ignoreIndex: Int32 = -100
    ) throws(MiniGPTError) -> CrossEntropy.Result {
        let length = try checkBatch(tokens: tokens, targets: targets, batch: batch)
        let n = batch * length
        tokens.withUnsafeBufferPointer { arena.tokens.update(from: $0.baseAddress!, count: n) }
        if readsNextToken { shiftToNextTokens(batch: batch, length: length) }
        if let targets { targets.withUnsafeBufferPointer { arena.targets.update(from: $0.baseAddress!, count: n) } }
        let rng: CounterRNG? = training && config.dropout > 0 ? dropoutRNG.derived(dropoutStep) : nil
        if training { dropoutStep += 1 }
        last = (batch, length, rng, training && targets != nil)
        forwardLogits(batch: batch, length: length, rng: rng)
        guard targets != nil else {
            return CrossEntropy.Result(loss: .nan, accuracy: .nan, counted: 0, targetNLLSum: 0)
        }
        return CrossEntropy.compute(
            pool, rows: n, vocab: config.vocabSize, logits: arena.logits, targets: arena.targets,
            ignoreIndex: ignoreIndex, smoothing: labelSmoothing, gradient: training, rowScratch: arena.rowScratch)
    }

    /// Logits of token row `row` (sequence-major) after a forward pass without targets.
    public func logits(row: Int) -> UnsafeBufferPointer<Float> {
        .init(start: arena.logits + row * config.vocabSize, count: config.vocabSize)
    }

    func checkBatch(tokens: [Int32], targets: [Int32]?, batch: Int) throws(MiniGPTError) -> Int {
        guard batch > 0, batch <= maxBatch else {
            throw .invalidBatch("batch \(batch) is outside 1...\(maxBatch) (the model's maxBatch)")
        }
        guard tokens.count % batch == 0, tokens.count / batch >= 1, tokens.count / batch <= config.contextLength else {
            throw .invalidBatch("\(tokens.count) tokens do not split into \(batch) sequences of 1...\(config.contextLength)")
        }
        if let targets, targets.count != tokens.count {
            throw .invalidBatch("\(targets.count) targets for \(tokens.count) tokens")
        }
        if let bad = tokens.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw .invalidBatch("token \(tokens[bad]) at index \(bad) is outside 0..<\(config.vocabSize)")
        }
        return tokens.count / batch
    }

    /// Site of a dropout mask within a step: 0 embeddings, then two per block.
    func dropoutSite(_ rng: CounterRNG?, _ site: Int) -> CounterRNG {
        (rng ?? dropoutRNG).derived(UInt64(site))
    }

    func forwardLogits(batch: Int, length: Int, rng: CounterRNG?) {
        let c = config, d = c.width, n = batch * length, p = parameters.pointer, a = arena
        let dropout = rng == nil ? 0 : c.dropout
        Embedding.forward(pool, count: n, width: d, tokens: a.tokens, table: p + layout.tokenEmbedding, out: a.residual[0],
                          scale: c.embeddingScale)
        let table = positionTable.map { UnsafePointer($0.pointer) } ?? UnsafePointer(p + layout.positionEmbedding!)
        PositionalEncoding.add(pool, batch: batch, length: length, width: d, table: table, x: a.residual[0])
        if dropout > 0 {
            Dropout.forward(pool, probability: dropout, rng: dropoutSite(rng, 0), count: n * d,
                            x: a.residual[0], y: a.residual[0])
        }
        let attention = Attention(batch: batch, length: length, width: d, heads: c.heads)
        for (l, block) in layout.blocks.enumerated() {
            let s = a.layers[l], x = a.residual[l]
            LayerNorm.forward(pool, rows: n, width: d, eps: c.layerNormEps, x: x, weight: p + block.ln1Weight,
                              bias: p + block.ln1Bias, y: s.ln1, mean: s.ln1Mean, rstd: s.ln1Rstd)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, x: s.ln1, weight: p + block.qkvWeight,
                           bias: p + block.qkvBias, y: s.qkv)
            attention.forward(pool, scratch: attentionScratch, qkv: s.qkv, out: s.att, lse: s.lse)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: d, x: s.att, weight: p + block.projWeight,
                           bias: p + block.projBias, y: a.branch)
            Residual.forward(pool, count: n * d, x: x, branch: a.branch, dropout: dropout,
                             rng: dropoutSite(rng, 1 + 2 * l), out: s.mid)
            LayerNorm.forward(pool, rows: n, width: d, eps: c.layerNormEps, x: s.mid, weight: p + block.ln2Weight,
                              bias: p + block.ln2Bias, y: s.ln2, mean: s.ln2Mean, rstd: s.ln2Rstd)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: 4 * d, x: s.ln2, weight: p + block.fcWeight,
                           bias: p + block.fcBias, y: s.fc)
            GELU.forward(pool, kind: c.gelu, count: n * 4 * d, x: s.fc, y: s.gelu)
            Linear.forward(gemm, rows: n, inFeatures: 4 * d, outFeatures: d, x: s.gelu, weight: p + block.fcProjWeight,
                           bias: p + block.fcProjBias, y: a.branch)
            Residual.forward(pool, count: n * d, x: s.mid, branch: a.branch, dropout: dropout,
                             rng: dropoutSite(rng, 2 + 2 * l), out: a.residual[l + 1])
        }
        LayerNorm.forward(pool, rows: n, width: d, eps: c.layerNormEps, x: a.residual[c.layers],
                          weight: p + layout.lnfWeight, bias: p + layout.lnfBias,
                          y: a.lnf, mean: a.lnfMean, rstd: a.lnfRstd)
        Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, x: a.lnf, weight: p + layout.head,
                       bias: nil, y: a.logits)
    }
}
