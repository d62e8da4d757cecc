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
        let c = config, d = c.width, h = c.hiddenWidth, n = batch * length, p = parameters.pointer, a = arena
        let dropout = rng == nil ? 0 : c.dropout
        Embedding.forward(pool, count: n, width: d, tokens: a.tokens, table: p + layout.tokenEmbedding, out: a.residual[0],
                          scale: c.embeddingScale)
        if let table = positionTable.map({ UnsafePointer($0.pointer) }) ?? layout.positionEmbedding.map({ UnsafePointer(p + $0) }) {
            PositionalEncoding.add(pool, batch: batch, length: length, width: d, table: table, x: a.residual[0])
        }
        if let bigram = layout.bigramEmbedding, let rows = a.bigramRows {
            BigramHash.buckets(batch: batch, length: length, tokens: a.tokens, buckets: c.bigramBuckets, into: rows)
            BigramHash.forward(pool, count: n, width: d, rows: rows, table: p + bigram, x: a.residual[0])
        }
        if dropout > 0 {
            Dropout.forward(pool, probability: dropout, rng: dropoutSite(rng, 0), count: n * d,
                            x: a.residual[0], y: a.residual[0])
        }
        let attention = Attention(batch: batch, length: length, width: d, heads: c.heads)
        for (l, block) in layout.blocks.enumerated() {
            let s = a.layers[l], x = a.residual[l]
            normForward(rows: n, x: x, weight: block.ln1Weight, bias: block.ln1Bias, y: s.ln1, mean: s.ln1Mean,
                        rstd: s.ln1Rstd)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: 3 * d, x: s.ln1, weight: p + block.qkvWeight,
                           bias: block.qkvBias.map { p + $0 }, y: s.qkv)
            transformQueriesAndKeys(block, s, batch: batch, length: length)
            attention.forward(pool, scratch: attentionScratch, qkv: s.attentionInput, out: s.att, lse: s.lse)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: d, x: s.att, weight: p + block.projWeight,
                           bias: block.projBias.map { p + $0 }, y: a.branch)
            Residual.forward(pool, count: n * d, x: x, branch: a.branch, dropout: dropout,
                             rng: dropoutSite(rng, 1 + 2 * l), out: s.mid)
            normForward(rows: n, x: s.mid, weight: block.ln2Weight, bias: block.ln2Bias, y: s.ln2, mean: s.ln2Mean,
                        rstd: s.ln2Rstd)
            Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: c.fcWidth, x: s.ln2, weight: p + block.fcWeight,
                           bias: block.fcBias.map { p + $0 }, y: s.fc)
            switch c.mlp {
            case .gelu: GELU.forward(pool, kind: c.gelu, count: n * h, x: s.fc, y: s.gelu)
            case .swiglu: SwiGLU.forward(pool, rows: n, width: h, x: s.fc, y: s.gelu)
            }
            Linear.forward(gemm, rows: n, inFeatures: h, outFeatures: d, x: s.gelu, weight: p + block.fcProjWeight,
                           bias: block.fcProjBias.map { p + $0 }, y: a.branch)
            Residual.forward(pool, count: n * d, x: s.mid, branch: a.branch, dropout: dropout,
                             rng: dropoutSite(rng, 2 + 2 * l), out: a.residual[l + 1])
        }
        normForward(rows: n, x: a.residual[c.layers], weight: layout.lnfWeight, bias: layout.lnfBias, y: a.lnf,
                    mean: a.lnfMean, rstd: a.lnfRstd)
        Linear.forward(gemm, rows: n, inFeatures: d, outFeatures: c.vocabSize, x: a.lnf, weight: p + layout.head,
                       bias: nil, y: a.logits)
    }

    /// Fills what attention reads: q and k after QK-norm (if any) and RoPE (if any), v as projected.
    func transformQueriesAndKeys(_ block: ParameterLayout.Block, _ s: ActivationArena.Layer, batch: Int, length: Int) {
        let c = config, n = batch * length, p = parameters.pointer
        guard c.transformsQueriesAndKeys else { return }
        if let q = block.qNormWeight, let k = block.kNormWeight {
            QKNorm.forward(pool, tokens: n, width: c.width, heads: c.heads, eps: c.layerNormEps, qkv: s.qkv,
                           qWeight: p + q, kWeight: p + k, out: s.attentionInput, rstd: s.qkRstd)
            copyValues(from: s.qkv, to: s.attentionInput, tokens: n)
        } else {
            s.attentionInput.update(from: s.qkv, count: n * 3 * c.width)
        }
        rotary?.apply(pool, batch: batch, length: length, width: c.width, qkv: s.attentionInput)
    }

    /// The v columns of a packed q|k|v buffer.
    func copyValues(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, tokens: Int) {
        let d = config.width
        for t in 0..<tokens { (target + t * 3 * d + 2 * d).update(from: source + t * 3 * d + 2 * d, count: d) }
    }

    /// LayerNorm or RMSNorm over rows of the model width (mean is unused by RMSNorm).
    func normForward(rows: Int, x: UnsafePointer<Float>, weight: Int, bias: Int?, y: UnsafeMutablePointer<Float>,
                     mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        let c = config, p = parameters.pointer
        switch c.norm {
        case .layer:
            LayerNorm.forward(pool, rows: rows, width: c.width, eps: c.layerNormEps, x: x, weight: p + weight,
                              bias: bias.map { UnsafePointer(p + $0) }, y: y, mean: mean, rstd: rstd)
        case .rms:
            RMSNorm.forward(pool, rows: rows, width: c.width, eps: c.layerNormEps, x: x, weight: p + weight, y: y, rstd: rstd)
        }
    }
}
