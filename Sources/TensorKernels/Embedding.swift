/// Token embedding: rows of a [vocab × width] table gathered by token id.
public enum Embedding {
    /// out[i] = scale · table[tokens[i]] for `count` tokens.
    public static func forward(
        _ pool: WorkerPool, count: Int, width: Int, tokens: UnsafePointer<Int32>,
        table: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, scale: Float = 1
    ) {
        let rows = Partition.rowsPerTask(rows: count, width: width)
        pool.run(Partition.chunks(count, of: rows)) { task, _ in
            for i in Partition.range(task, of: rows, in: count) {
                let row = out + i * width, source = table + Int(tokens[i]) * width
                if scale == 1 {
                    row.update(from: source, count: width)
                } else {
                    for j in 0..<width { row[j] = source[j] * scale }
                }
            }
        }
    }

    /// dTable[tokens[i]] += scale · dOut[i]. Split by column blocks, tokens in order within each,
    /// so a row hit by several tokens sums them in the same order for any thread count.
    public static func backward(
        _ pool: WorkerPool, count: Int, width: Int, tokens: UnsafePointer<Int32>,
        dOut: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>, scale: Float = 1
    ) {
        let block = 64
        pool.run(Partition.chunks(width, of: block)) { task, _ in
            let cols = Partition.range(task, of: block, in: width)
            for i in 0..<count {
                let dst = dTable + Int(tokens[i]) * width
                let src = dOut + i * width
                for j in cols { dst[j] += scale == 1 ? src[j] : src[j] * scale }
            }
        }
    }
}
