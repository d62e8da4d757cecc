/// Column sums over many rows (bias and positional gradients), split by column blocks so that
/// each sum runs over the rows in order within one task: exact for any thread count.
public enum ColumnSum {
    static let blockColumns = 64

    /// out[j] += Σ_i x[i*columns + j].
    public static func accumulate(
        _ pool: WorkerPool, rows: Int, columns: Int, x: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) {
        accumulate(pool, rows: rows, columns: columns, rowStride: columns, x: x, into: out)
    }

    public static func accumulate(
        _ pool: WorkerPool, rows: Int, columns: Int, rowStride: Int, x: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) {
        pool.run(Partition.chunks(columns, of: blockColumns)) { task, _ in
            let cols = Partition.range(task, of: blockColumns, in: columns)
            for i in 0..<rows {
                let row = x + i * rowStride
                for j in cols { out[j] += row[j] }
            }
        }
    }
}
