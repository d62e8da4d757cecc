import Foundation

/// Positions added to token embeddings: a fixed sinusoidal table or a learned one.
public enum PositionalEncoding {
    /// table[p][2i] = sin(p / 10000^(2i/width)), table[p][2i+1] = cos(same), computed in Double.
    public static func sinusoidal(positions: Int, width: Int, into table: UnsafeMutablePointer<Float>) {
        for p in 0..<positions {
            for i in stride(from: 0, to: width, by: 2) {
                let angle = Double(p) * Foundation.exp(Double(i) * -Foundation.log(10_000.0) / Double(width))
                table[p * width + i] = Float(Foundation.sin(angle))
                if i + 1 < width { table[p * width + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
    }

    /// x[b][t] += table[t] for `batch` sequences of `length` positions.
    public static func add(
        _ pool: WorkerPool, batch: Int, length: Int, width: Int,
        table: UnsafePointer<Float>, x: UnsafeMutablePointer<Float>
    ) {
        pool.run(batch) { b, _ in
            for t in 0..<length {
                VectorOps.axpy(1, table + t * width, x + (b * length + t) * width, width)
            }
        }
    }

    /// dTable[t] += Σ_b dx[b][t] (learned positions); each position sums the batch in order.
    public static func backward(
        _ pool: WorkerPool, batch: Int, length: Int, width: Int,
        dx: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>
    ) {
        let rows = Partition.rowsPerTask(rows: length, width: width * batch)
        pool.run(Partition.chunks(length, of: rows)) { task, _ in
            for t in Partition.range(task, of: rows, in: length) {
                for b in 0..<batch {
                    VectorOps.axpy(1, dx + (b * length + t) * width, dTable + t * width, width)
                }
            }
        }
    }
}
