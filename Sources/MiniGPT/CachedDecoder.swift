import TensorKernels

/// Token-by-token inference for one sequence with a key/value cache: each `append` costs one
/// pass over the weights instead of re-running the whole prefix.
public final class CachedDecoder {
    public let model: MiniGPT
    /// Tokens consumed so far; at most the context length.
    public private(set) var position = 0

    private let buffer: FloatBuffer
    private let x, normed, qkv, att, branch, hidden, logits: UnsafeMutablePointer<Float>
    private let keys, values: [UnsafeMutablePointer<Float>]
    private let scratch: WorkerScratch

    public init(model: MiniGPT) {
        self.model = model
        let c = model.config, d = c.width
        let cache = c.contextLength * d
        let sizes = [d, d, 3 * d, d, d, 4 * d, c.vocabSize] + Array(repeating: cache, count: 2 * c.layers)
        let storage = FloatBuffer(count: sizes.reduce(0, +))
        buffer = storage
        var offset = 0
        let pointers = sizes.map { size -> UnsafeMutablePointer<Float> in
            defer { offset += size }
            return storage.pointer + offset
        }
        (x, normed, qkv, att, branch, hidden, logits) =
            (pointers[0], pointers[1], pointers[2], pointers[3], pointers[4], pointers[5], pointers[6])
        keys = (0..<c.layers).map { pointers[7 + 2 * $0] }
        values = (0..<c.layers).map { pointers[8 + 2 * $0] }
        scratch = WorkerScratch(workers: model.pool.threadCount)
        scratch.reserve(perWorker: CachedAttention.scratchFloats(context: c.contextLength))
    }

    public func reset() { position = 0 }

    /// Feeds the next token and returns the logits for the token after it (valid until the next call).
    public func append(_ token: Int32) throws(MiniGPTError) -> UnsafeBufferPointer<Float> {
        let c = model.config, d = c.width, t = position, pool = model.pool
        guard t < c.contextLength else {
            throw .invalidBatch("the KV cache is full: \(c.contextLength) tokens; reset() and feed a shorter prefix")
        }
        guard token >= 0, Int(token) < c.vocabSize else { throw .invalidBatch("token \(token) is outside 0..<\(c.vocabSize)") }
        let p = model.parameters.pointer, layout = model.layout
        let embedding = p + layout.tokenEmbedding + Int(token) * d, scale = c.embeddingScale
        for j in 0..<d { x[j] = embedding[j] * scale }
        let table = model.positionTable.map { UnsafePointer($0.pointer) } ?? UnsafePointer(p + layout.positionEmbedding!)
        VectorOps.axpy(1, table + t * d, x, d)
        var stats: (Float, Float) = (0, 0)
        func norm(_ input: UnsafePointer<Float>, _ weight: Int, _ bias: Int) {
            withUnsafeMutablePointer(to: &stats) { s in
                s.withMemoryRebound(to: Float.self, capacity: 2) { f in
                    LayerNorm.forward(pool, rows: 1, width: d, eps: c.layerNormEps, x: input, weight: p + weight,
                                      bias: p + bias, y: normed, mean: f, rstd: f + 1)
                }
            }
        }
        for (l, block) in layout.blocks.enumerated() {
            norm(x, block.ln1Weight, block.ln1Bias)
            MatVec.forward(pool, inFeatures: d, outFeatures: 3 * d, weight: p + block.qkvWeight, x: normed,
                           bias: p + block.qkvBias, y: qkv)
            (keys[l] + t * d).update(from: qkv + d, count: d)
            (values[l] + t * d).update(from: qkv + 2 * d, count: d)
            CachedAttention.forward(pool, scratch: scratch, position: t, width: d, heads: c.heads, q: qkv,
                                    keys: keys[l], values: values[l], out: att)
            MatVec.forward(pool, inFeatures: d, outFeatures: d, weight: p + block.projWeight, x: att,
                           bias: p + block.projBias, y: branch)
            VectorOps.axpy(1, branch, x, d)
            norm(x, block.ln2Weight, block.ln2Bias)
            MatVec.forward(pool, inFeatures: d, outFeatures: 4 * d, weight: p + block.fcWeight, x: normed,
                           bias: p + block.fcBias, y: hidden)
            GELU.forward(pool, kind: c.gelu, count: 4 * d, x: hidden, y: hidden)
            MatVec.forward(pool, inFeatures: 4 * d, outFeatures: d, weight: p + block.fcProjWeight, x: hidden,
                           bias: p + block.fcProjBias, y: branch)
            VectorOps.axpy(1, branch, x, d)
        }
        norm(x, layout.lnfWeight, layout.lnfBias)
        MatVec.forward(pool, inFeatures: d, outFeatures: c.vocabSize, weight: p + layout.head, x: normed, bias: nil, y: logits)
        position += 1
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
