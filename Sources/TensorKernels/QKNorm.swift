/// QK-norm (Qwen3, OLMo 2): RMSNorm over each head's query and key inside a packed
/// [tokens × 3·width] q|k|v buffer, one weight of head width shared by all heads (one for q,
/// one for k). It bounds attention logits, which lets the learning rate rise without spikes.
public enum QKNorm {
    /// out's q and k columns = the normalised heads of qkv's; its v columns are not touched.
    /// rstd holds tokens × 2·heads values (q heads, then k heads, per token).
    public static func forward(
        _ pool: WorkerPool, tokens: Int, width: Int, heads: Int, eps: Float,
        qkv: UnsafePointer<Float>, qWeight: UnsafePointer<Float>, kWeight: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        eachHead(pool, tokens: tokens, width: width, heads: heads) { column, stat, part in
            rstd[stat] = RMSNorm.row(qkv + column, width / heads, eps: eps, weight: part == 0 ? qWeight : kWeight,
                                     y: out + column)
        }
    }

    /// Replaces the q and k columns of `d` (∂loss/∂out) by ∂loss/∂qkv and adds the weight
    /// gradients; `qkv` is the forward input. v columns pass through unchanged.
    public static func backward(
        _ pool: WorkerPool, tokens: Int, width: Int, heads: Int,
        qkv: UnsafePointer<Float>, qWeight: UnsafePointer<Float>, kWeight: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, d: UnsafeMutablePointer<Float>,
        dqWeight: UnsafeMutablePointer<Float>, dkWeight: UnsafeMutablePointer<Float>
    ) {
        let hw = width / heads
        // Weight gradients first, while `d` still holds ∂loss/∂out; rows summed in order.
        pool.run(2) { part, _ in
            let dWeight = part == 0 ? dqWeight : dkWeight
            for t in 0..<tokens {
                for h in 0..<heads {
                    let column = t * 3 * width + part * width + h * hw
                    let r = rstd[t * 2 * heads + part * heads + h]
                    for j in 0..<hw { dWeight[j] += d[column + j] * qkv[column + j] * r }
                }
            }
        }
        eachHead(pool, tokens: tokens, width: width, heads: heads) { column, stat, part in
            RMSNorm.rowBackward(qkv + column, hw, rstd: rstd[stat], weight: part == 0 ? qWeight : kWeight,
                                dy: d + column, dx: d + column, accumulate: false)
        }
    }

    /// Calls `body(column, statIndex, part)` for every q (part 0) and k (part 1) head of every
    /// token, tokens split in fixed chunks: `column` is the head's first float in the packed
    /// buffer, `statIndex` its place in the rstd array.
    @inline(__always)
    static func eachHead(_ pool: WorkerPool, tokens: Int, width: Int, heads: Int,
                         _ body: (_ column: Int, _ statIndex: Int, _ part: Int) -> Void) {
        let hw = width / heads
        let chunk = Partition.rowsPerTask(rows: tokens, width: 2 * width)
        pool.run(Partition.chunks(tokens, of: chunk)) { task, _ in
            for t in Partition.range(task, of: chunk, in: tokens) {
                for part in 0..<2 {
                    for h in 0..<heads { body(t * 3 * width + part * width + h * hw, t * 2 * heads + part * heads + h, part) }
                }
            }
        }
    }
}
