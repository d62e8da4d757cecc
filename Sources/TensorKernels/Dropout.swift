/// Inverted dropout with a mask drawn from a counter-based generator: element i is kept iff the
/// 16-bit field i mod 4 of draw ⌊i/4⌋ is at least p·2¹⁶ (p is thus rounded to a multiple of
/// 2⁻¹⁶), and kept values are scaled by 1/(1−p). The backward pass redraws the same mask from
/// the same generator instead of storing it.
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
        pool.run(Partition.chunks(count, of: Elementwise.chunk)) { task, _ in
            forEachMultiplier(Partition.range(task, of: Elementwise.chunk, in: count), rng: rng, p: p) { i, multiplier in
                let value = input[i] * multiplier
                output[i] = accumulate ? output[i] + value : value
            }
        }
    }

    /// body(i, mask·scale) for every i in range: one 64-bit draw serves four elements.
    @inline(__always)
    static func forEachMultiplier(_ range: Range<Int>, rng: CounterRNG, p: Float, _ body: (Int, Float) -> Void) {
        precondition(p >= 0 && p < 1, "Dropout: probability \(p) is outside [0, 1)")
        let scale = 1 / (1 - p)
        let threshold = UInt64((p * 65_536).rounded())
        var i = range.lowerBound
        while i < range.upperBound {
            let word = threshold == 0 ? UInt64.max : rng.bits(UInt64(i >> 2))
            let end = min(range.upperBound, (i | 3) + 1)
            while i < end {
                body(i, (word >> (16 * UInt64(i & 3))) & 0xFFFF >= threshold ? scale : 0)
                i += 1
            }
        }
    }
}
