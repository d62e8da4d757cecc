import TensorKernels

/// Every activation and activation gradient of a training step, planned once for at most
/// `maxTokens` tokens and carved out of one allocation: a step never allocates.
final class ActivationArena {
    struct Layer {
        let ln1, ln1Mean, ln1Rstd, qkv, att, lse, mid, ln2, ln2Mean, ln2Rstd, fc, gelu: UnsafeMutablePointer<Float>
        /// What attention reads: qkv after QK-norm and RoPE (qkv itself when the model has neither),
        /// and QK-norm's rstd per token and head.
        let attentionInput, qkRstd: UnsafeMutablePointer<Float>
    }

    let storage: FloatBuffer
    /// residual[l] is the input of block l; residual[layers] feeds the final LayerNorm.
    let residual: [UnsafeMutablePointer<Float>]
    let layers: [Layer]
    let lnf, lnfMean, lnfRstd, logits, branch: UnsafeMutablePointer<Float>
    // Gradient buffers, reused by every layer.
    let dResidual, dBranch, dNorm, dQKV, dAtt, dHidden, dFC, rowScratch: UnsafeMutablePointer<Float>
    let tokens, targets: UnsafeMutablePointer<Int32>
    /// Each position's row of the hashed bigram table (allocated only when the model has one).
    let bigramRows: UnsafeMutablePointer<Int32>?

    init(config c: MiniGPTConfig, maxBatch: Int) {
        let n = maxBatch * c.contextLength, d = c.width
        var sizes: [Int] = []
        func plan(_ count: Int) -> Int {
            sizes.append((count + 15) / 16 * 16)
            return sizes.count - 1
        }
        let residualSlots = (0...c.layers).map { _ in plan(n * d) }
        let h = c.hiddenWidth, transformed = c.transformsQueriesAndKeys
        let layerSlots = (0..<c.layers).map { _ in
            [plan(n * d), plan(n), plan(n), plan(n * 3 * d), plan(n * d), plan(maxBatch * c.heads * c.contextLength),
             plan(n * d), plan(n * d), plan(n), plan(n), plan(n * c.fcWidth), plan(n * h),
             transformed ? plan(n * 3 * d) : -1, c.qkNorm ? plan(n * 2 * c.heads) : -1]
        }
        let tail = [plan(n * d), plan(n), plan(n), plan(n * c.vocabSize), plan(n * d),
                    plan(n * d), plan(n * d), plan(n * d), plan(n * 3 * d), plan(n * d), plan(n * h),
                    c.mlp == .swiglu ? plan(n * c.fcWidth) : -1, plan(CrossEntropy.scratchFloats(rows: n))]
        storage = FloatBuffer(count: sizes.reduce(0, +))
        var offsets: [Int] = []
        var running = 0
        for size in sizes { offsets.append(running); running += size }
        let base = storage.pointer
        func at(_ slot: Int) -> UnsafeMutablePointer<Float> { base + offsets[slot] }
        residual = residualSlots.map(at)
        layers = layerSlots.map { s in
            Layer(ln1: at(s[0]), ln1Mean: at(s[1]), ln1Rstd: at(s[2]), qkv: at(s[3]), att: at(s[4]), lse: at(s[5]),
                  mid: at(s[6]), ln2: at(s[7]), ln2Mean: at(s[8]), ln2Rstd: at(s[9]), fc: at(s[10]), gelu: at(s[11]),
                  attentionInput: s[12] < 0 ? at(s[3]) : at(s[12]), qkRstd: s[13] < 0 ? at(s[2]) : at(s[13]))
        }
        (lnf, lnfMean, lnfRstd, logits, branch) = (at(tail[0]), at(tail[1]), at(tail[2]), at(tail[3]), at(tail[4]))
        (dResidual, dBranch, dNorm, dQKV, dAtt, dHidden, rowScratch) =
            (at(tail[5]), at(tail[6]), at(tail[7]), at(tail[8]), at(tail[9]), at(tail[10]), at(tail[12]))
        dFC = tail[11] < 0 ? dHidden : at(tail[11])
        tokens = .allocate(capacity: n)
        targets = .allocate(capacity: n)
        bigramRows = c.bigramBuckets > 0 ? .allocate(capacity: n) : nil
    }

    deinit {
        tokens.deallocate()
        targets.deallocate()
        bigramRows?.deallocate()
    }

    var bytes: Int { storage.count * 4 }
}
