/// The gated MLP activation of Llama and Qwen3: y = silu(gate)·up, silu(g) = g·σ(g). Each input
/// row holds the gate's `width` values, then up's (one fused [2·width × d] weight makes both).
public enum SwiGLU {
    typealias V = SIMD16<Float>

    /// y [rows × width] from x [rows × 2·width].
    public static func forward(
        _ pool: WorkerPool, rows: Int, width: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        eachRow(pool, rows: rows, width: width) { r, j, lanes in
            let g = Elementwise.load(x + r * 2 * width + j, lanes: lanes)
            let u = Elementwise.load(x + r * 2 * width + width + j, lanes: lanes)
            Elementwise.store(g * sigmoid(g) * u, y + r * width + j, lanes: lanes)
        }
    }

    /// dx [rows × 2·width]: ∂gate = dy·up·σ(g)·(1 + g·(1 − σ(g))), ∂up = dy·silu(g).
    public static func backward(
        _ pool: WorkerPool, rows: Int, width: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>
    ) {
        eachRow(pool, rows: rows, width: width) { r, j, lanes in
            let g = Elementwise.load(x + r * 2 * width + j, lanes: lanes)
            let u = Elementwise.load(x + r * 2 * width + width + j, lanes: lanes)
            let d = Elementwise.load(dy + r * width + j, lanes: lanes)
            let s = sigmoid(g)
            Elementwise.store(d * u * s * (1 + g * (1 - s)), dx + r * 2 * width + j, lanes: lanes)
            Elementwise.store(d * g * s, dx + r * 2 * width + width + j, lanes: lanes)
        }
    }

    @inline(__always)
    static func sigmoid(_ x: V) -> V { 1 / (1 + VectorMath.exp(-x)) }

    /// Row chunks in parallel, 16 columns at a time within a row (lane layout fixed by width).
    @inline(__always)
    static func eachRow(_ pool: WorkerPool, rows: Int, width: Int, _ body: (Int, Int, Int) -> Void) {
        let chunk = Partition.rowsPerTask(rows: rows, width: 3 * width)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for r in Partition.range(task, of: chunk, in: rows) {
                var j = 0
                while j < width {
                    body(r, j, min(16, width - j))
                    j += 16
                }
            }
        }
    }
}
