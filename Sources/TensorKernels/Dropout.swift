/// Inverted dropout with a mask drawn from a counter-based generator: element i of a call is
/// kept iff uniform(i) ≥ p, and kept values are scaled by 1/(1−p). The backward pass redraws the
/// same mask from the same generator instead of storing it.
public enum Dropout {
    /// y = x·mask/(1−p); y may alias x. p = 0 copies.
    public static func forward(
        _ pool: WorkerPool, probability p: Float, rng: CounterRNG, count: Int,
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        apply(pool, probability: p, rng: rng, count: count, input: x, output: y, accumulate: false)
    }

    /// dx (+)= dy·mask/(1−p) with the forward pass's mask.
    public static func backward(
        _ pool: WorkerPool, probability p: Float, rng: CounterRNG, count: Int,
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        apply(pool, probability: p, rng: rng, count: count, input: dy, output: dx, accumulate: accumulate)
    }

    static func apply(
        _ pool: WorkerPool, probability p: Float, rng: CounterRNG, count: Int,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        precondition(p >= 0 && p < 1, "Dropout: probability \(p) is outside [0, 1)")
        let scale = 1 / (1 - p)
        pool.run(Partition.chunks(count, of: Elementwise.chunk)) { task, _ in
            for i in Partition.range(task, of: Elementwise.chunk, in: count) {
                let value = input[i] * multiplier(rng, i, p: p, scale: scale)
                output[i] = accumulate ? output[i] + value : value
            }
        }
    }

    /// The mask times the scale for element i: scale if kept, 0 if dropped.
    @inline(__always)
    static func multiplier(_ rng: CounterRNG, _ i: Int, p: Float, scale: Float) -> Float {
        p == 0 || rng.uniform(UInt64(i)) >= p ? scale : 0
    }
}
