/// A hashed bigram embedding (modded-nanogpt): the pair (previous token, token) picks one row of a
/// [buckets × width] table, added to the token's embedding. It gives a narrow model the pair
/// statistics a count table has for the cost of a gather. Row buckets − 1 stands for "no previous
/// token" (a sequence's first position); pairs hash into the other buckets − 1 rows.
public enum BigramHash {
    /// A guard against absurd tables, not a tuned limit.
    public static let maxBuckets = 1 << 24

    /// The row of the pair (previous, current): (36313·current XOR 27191·previous) mod (buckets − 1).
    @inline(__always)
    public static func bucket(previous: Int32?, current: Int32, buckets: Int) -> Int32 {
        guard let previous else { return Int32(buckets - 1) }
        return Int32(((36_313 * Int(current)) ^ (27_191 * Int(previous))) % (buckets - 1))
    }

    /// Rows for `batch` sequences of `length` tokens: each position hashes with the token before
    /// it in its own sequence only, so a sequence's rows do not depend on its neighbours.
    public static func buckets(batch: Int, length: Int, tokens: UnsafePointer<Int32>, buckets: Int,
                               into rows: UnsafeMutablePointer<Int32>) {
        for b in 0..<batch {
            let base = b * length
            for t in 0..<length {
                rows[base + t] = bucket(previous: t == 0 ? nil : tokens[base + t - 1], current: tokens[base + t],
                                        buckets: buckets)
            }
        }
    }

    /// x[i] += table[rows[i]] for `count` positions.
    public static func forward(_ pool: WorkerPool, count: Int, width: Int, rows: UnsafePointer<Int32>,
                               table: UnsafePointer<Float>, x: UnsafeMutablePointer<Float>) {
        let perTask = Partition.rowsPerTask(rows: count, width: width)
        pool.run(Partition.chunks(count, of: perTask)) { task, _ in
            for i in Partition.range(task, of: perTask, in: count) {
                VectorOps.axpy(1, table + Int(rows[i]) * width, x + i * width, width)
            }
        }
    }

    /// dTable[rows[i]] += dx[i]: the embedding's scatter, in the same fixed order.
    public static func backward(_ pool: WorkerPool, count: Int, width: Int, rows: UnsafePointer<Int32>,
                                dx: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>) {
        Embedding.backward(pool, count: count, width: width, tokens: rows, dOut: dx, dTable: dTable)
    }
}
