import TensorKernels

/// Token-by-token inference for one sequence with a key/value cache: each `append` costs one
/// pass over the weights instead of re-running the whole prefix.
public final class CachedDecoder {
    public let model: MiniGPT
    /// Tokens consumed so far; at most the context length.
    public private(set) var position = 0
    /// The token fed last, for the hashed bigram embedding.
    private var previous: Int32?

    private let buffer: FloatBuffer
    private let x, normed, qkv, att, branch, hidden, activation, logits, qkRstd: UnsafeMutablePointer<Float>
    private let keys, values: [UnsafeMutablePointer<Float>]
    private let scratch: WorkerScratch

    public init(model: MiniGPT) {
        self.model = model
        let c = model.config, d = c.width
        let cache = c.contextLength * d
        let sizes = [d, d, 3 * d, d, d, c.fcWidth, c.hiddenWidth, c.vocabSize, 2 * c.heads] + Array(repeating: cache, count: 2 * c.layers)
        let storage = FloatBuffer(count: sizes.reduce(0, +))
        buffer = storage
        var offset = 0
        let pointers = sizes.map { size -> UnsafeMutablePointer<Float> in
            defer { offset += size }
            return storage.pointer + offset
        }
        (x, normed, qkv, att, branch, hidden, activation, logits, qkRstd) =
            (pointers[0], pointers[1], pointers[2], pointers[3], pointers[4], pointers[5], pointers[6], pointers[7],
             pointers[8])
        keys = (0..<c.layers).map { pointers[9 + 2 * $0] }
        values = (0..<c.layers).map { pointers[10 + 2 * $0] }
        scratch = WorkerScratch(workers: model.pool.threadCount)
        scratch.reserve(perWorker: CachedAttention.scratchFloats(context: c.contextLength))
    }

    public func reset() {
        position = 0
        previous = nil
    }

    /// Feeds the next token and returns the logits for the token after it (valid until the next call).
    public func append(_ token: Int32) throws(MiniGPTError) -> UnsafeBufferPointer<Float> {
        let c = model.config, d = c.width, t = position, pool = model.pool
        guard t < c.contextLength else {
            throw .invalidBatch("the KV cache is full: \(c.contextLength) tokens; reset() and feed a shorter prefix")
        }
        guard token >= 0, Int(token) < c.vocabSize else { throw .invalidBatch("token \(token) is outside 0..<\(c.vocabSize)") }
        let p = model.parameters.pointer, layout = model.layout, h = c.hiddenWidth
        let embedding = p + layout.tokenEmbedding + Int(token) * d, scale = c.embeddingScale
        for j in 0..<d { x[j] = embedding[j] * scale }
        if let table = model.positionTable.map({ UnsafePointer($0.pointer) })
            ?? layout.positionEmbedding.map({ UnsafePointer(p + $0) }) {
            VectorOps.axpy(1, table + t * d, x, d)
        }
        if let bigram = layout.bigramEmbedding {
            let row = BigramHash.bucket(previous: previous, current: token, buckets: c.bigramBuckets)
            VectorOps.axpy(1, p + bigram + Int(row) * d, x, d)
        }
        var stats: (Float, Float) = (0, 0)
        func norm(_ input: UnsafePointer<Float>, _ weight: Int, _ bias: Int?) {
            withUnsafeMutablePointer(to: &stats) { s in
                s.withMemoryRebound(to: Float.self, capacity: 2) { f in
                    switch c.norm {
                    case .layer:
                        LayerNorm.forward(pool, rows: 1, width: d, eps: c.layerNormEps, x: input, weight: p + weight,
                                          bias: bias.map { UnsafePointer(p + $0) }, y: normed, mean: f, rstd: f + 1)
                    case .rms:
                        RMSNorm.forward(pool, rows: 1, width: d, eps: c.layerNormEps, x: input, weight: p + weight,
                                        y: normed, rstd: f + 1)
                    }
                }
            }
        }
        func bias(_ offset: Int?) -> UnsafePointer<Float>? { offset.map { UnsafePointer(p + $0) } }
        for (l, block) in layout.blocks.enumerated() {
            norm(x, block.ln1Weight, block.ln1Bias)
            MatVec.forward(pool, inFeatures: d, outFeatures: 3 * d, weight: p + block.qkvWeight, x: normed,
                           bias: bias(block.qkvBias), y: qkv)
            if let q = block.qNormWeight, let k = block.kNormWeight {
                QKNorm.forward(pool, tokens: 1, width: d, heads: c.heads, eps: c.layerNormEps, qkv: qkv,
                               qWeight: p + q, kWeight: p + k, out: qkv, rstd: qkRstd)
            }
            model.rotary?.apply(pool, batch: 1, length: 1, start: t, width: d, qkv: qkv)
            (keys[l] + t * d).update(from: qkv + d, count: d)
            (values[l] + t * d).update(from: qkv + 2 * d, count: d)
            CachedAttention.forward(pool, scratch: scratch, position: t, width: d, heads: c.heads, q: qkv,
                                    keys: keys[l], values: values[l], out: att)
            MatVec.forward(pool, inFeatures: d, outFeatures: d, weight: p + block.projWeight, x: att,
                           bias: bias(block.projBias), y: branch)
            VectorOps.axpy(1, branch, x, d)
            norm(x, block.ln2Weight, block.ln2Bias)
            MatVec.forward(pool, inFeatures: d, outFeatures: c.fcWidth, weight: p + block.fcWeight, x: normed,
                           bias: bias(block.fcBias), y: hidden)
            switch c.mlp {
            case .gelu: GELU.forward(pool, kind: c.gelu, count: h, x: hidden, y: activation)
            case .swiglu: SwiGLU.forward(pool, rows: 1, width: h, x: hidden, y: activation)
            }
            MatVec.forward(pool, inFeatures: h, outFeatures: d, weight: p + block.fcProjWeight, x: activation,
                           bias: bias(block.fcProjBias), y: branch)
            VectorOps.axpy(1, branch, x, d)
        }
        norm(x, layout.lnfWeight, layout.lnfBias)
        MatVec.forward(pool, inFeatures: d, outFeatures: c.vocabSize, weight: p + layout.head, x: normed, bias: nil, y: logits)
        position += 1
        previous = token
        return UnsafeBufferPointer(start: logits, count: c.vocabSize)
    }

    /// Greedy continuation of `prompt` by `count` tokens (stops early when the context is full).
    public func greedy(prompt: [Int32], count: Int) throws(MiniGPTError) -> [Int32] {
        reset()
        var next: Int32 = 0
        for token in prompt { next = Int32(VectorOps.argmax(try append(token).baseAddress!, model.config.vocabSize).index) }
        var out: [Int32] = []
        while out.count < count {
            out.append(next)
            guard position < model.config.contextLength else { break }
            next = Int32(VectorOps.argmax(try append(next).baseAddress!, model.config.vocabSize).index)
        }
        return out
    }
}
