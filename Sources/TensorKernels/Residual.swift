/// Residual connection: out = x + dropout(h). Its backward is the identity on the skip path plus
/// `Dropout.backward` on the branch.
public enum Residual {
    public static func forward(
        _ pool: WorkerPool, count: Int, x: UnsafePointer<Float>, branch: UnsafePointer<Float>,
        dropout p: Float, rng: CounterRNG, out: UnsafeMutablePointer<Float>
    ) {
        pool.run(Partition.chunks(count, of: Elementwise.chunk)) { task, _ in
            let range = Partition.range(task, of: Elementwise.chunk, in: count)
            if p == 0 {
                for i in range { out[i] = x[i] + branch[i] }
            } else {
                Dropout.forEachMultiplier(range, rng: rng, p: p) { i, multiplier in out[i] = x[i] + branch[i] * multiplier }
            }
        }
    }
}
