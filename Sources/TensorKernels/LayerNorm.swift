/// LayerNorm over the last dimension: y = (x − μ)·rstd·w + b, rstd = 1/√(σ² + eps); b is optional.
public enum LayerNorm {
    /// Writes y and saves μ and rstd per row for the backward pass.
    public static func forward(
        _ pool: WorkerPool, rows: Int, width: Int, eps: Float,
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        let chunk = Partition.rowsPerTask(rows: rows, width: width)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for i in Partition.range(task, of: chunk, in: rows) {
                let row = x + i * width
                let out = y + i * width
                let mu = VectorOps.sum(row, width) / Float(width)
                let variance = VectorOps.squaredDeviations(row, width, mean: mu) / Float(width)
                let r = 1 / (variance + eps).squareRoot()
                if let bias {
                    for j in 0..<width { out[j] = (row[j] - mu) * r * weight[j] + bias[j] }
                } else {
                    for j in 0..<width { out[j] = (row[j] - mu) * r * weight[j] }
                }
                mean[i] = mu
                rstd[i] = r
            }
        }
    }

    /// dx (+)= rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w; dw += Σ dy·x̂; db += Σ dy.
    public static func backward(
        _ pool: WorkerPool, rows: Int, width: Int,
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, accumulate: Bool,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        let chunk = Partition.rowsPerTask(rows: rows, width: width)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for i in Partition.range(task, of: chunk, in: rows) {
                let row = x + i * width, g = dy + i * width, out = dx + i * width
                let mu = mean[i], r = rstd[i]
                let sumG = VectorOps.dot(g, weight, width)
                let sumGX = r * VectorOps.centredDot(g, weight, row, mean: mu, width)
                let meanG = sumG / Float(width), meanGX = sumGX / Float(width)
                for j in 0..<width {
                    let xhat = (row[j] - mu) * r
                    let value = r * (g[j] * weight[j] - meanG - xhat * meanGX)
                    out[j] = accumulate ? out[j] + value : value
                }
            }
        }
        let block = ColumnSum.blockColumns
        pool.run(Partition.chunks(width, of: block)) { task, _ in
            let cols = Partition.range(task, of: block, in: width)
            for i in 0..<rows {
                let row = x + i * width, g = dy + i * width
                let mu = mean[i], r = rstd[i]
                for j in cols { dWeight[j] += g[j] * (row[j] - mu) * r }
                if let dBias { for j in cols { dBias[j] += g[j] } }
            }
        }
    }
}
