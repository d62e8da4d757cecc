import Foundation

/// Causal attention of one new token against cached keys and values (generation, batch 1).
/// The caches are [context × width] with head h in columns h·hw..<(h+1)·hw; row `position` must
/// already hold the new token's key and value.
public enum CachedAttention {
    /// Per-worker scratch floats: one score per cached position.
    public static func scratchFloats(context: Int) -> Int { context }

    public static func forward(
        _ pool: WorkerPool, scratch: WorkerScratch, position: Int, width: Int, heads: Int,
        q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        let hw = width / heads
        let scale = 1 / Float(hw).squareRoot()
        pool.run(heads) { h, worker in
            let s = scratch.pointer(worker: worker)
            let column = h * hw
            var m = -Float.infinity
            for j in 0...position {
                s[j] = VectorOps.dot(q + column, keys + j * width + column, hw) * scale
                m = max(m, s[j])
            }
            var total: Float = 0
            for j in 0...position {
                s[j] = VectorMath.exp(s[j] - m)
                total += s[j]
            }
            let o = out + column
            o.update(repeating: 0, count: hw)
            let inverse = 1 / total
            for j in 0...position { VectorOps.axpy(s[j] * inverse, values + j * width + column, o, hw) }
        }
    }
}
