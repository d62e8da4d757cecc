/// RMSNorm over the last dimension (Llama, Qwen3): y = x·rstd·w, rstd = 1/√(mean(x²) + eps).
/// No centring and no bias; the row helpers are shared with `QKNorm`, which normalises heads.
public enum RMSNorm {
    /// Writes y and saves rstd per row for the backward pass.
    public static func forward(
        _ pool: WorkerPool, rows: Int, width: Int, eps: Float,
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        let chunk = Partition.rowsPerTask(rows: rows, width: width)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for i in Partition.range(task, of: chunk, in: rows) {
                rstd[i] = row(x + i * width, width, eps: eps, weight: weight, y: y + i * width)
            }
        }
    }

    /// dx (+)= rstd·(g − x̂·mean(g·x̂)) with g = dy·w and x̂ = x·rstd; dw += Σ dy·x̂.
    public static func backward(
        _ pool: WorkerPool, rows: Int, width: Int,
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool,
        dWeight: UnsafeMutablePointer<Float>
    ) {
        let chunk = Partition.rowsPerTask(rows: rows, width: width)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for i in Partition.range(task, of: chunk, in: rows) {
                rowBackward(x + i * width, width, rstd: rstd[i], weight: weight, dy: dy + i * width,
                            dx: dx + i * width, accumulate: accumulate)
            }
        }
        let block = ColumnSum.blockColumns
        pool.run(Partition.chunks(width, of: block)) { task, _ in
            let cols = Partition.range(task, of: block, in: width)
            for i in 0..<rows {
                let row = x + i * width, g = dy + i * width, r = rstd[i]
                for j in cols { dWeight[j] += g[j] * row[j] * r }
            }
        }
    }

    /// Normalises one row into `y` (which may alias `x`) and returns its rstd.
    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ width: Int, eps: Float, weight: UnsafePointer<Float>,
                    y: UnsafeMutablePointer<Float>) -> Float {
        let r = 1 / (VectorOps.dot(x, x, width) / Float(width) + eps).squareRoot()
        for j in 0..<width { y[j] = x[j] * r * weight[j] }
        return r
    }

    /// One row's input gradient; `dx` may alias `dy` (the row's dot product is taken first).
    @inline(__always)
    static func rowBackward(_ x: UnsafePointer<Float>, _ width: Int, rstd r: Float, weight: UnsafePointer<Float>,
                            dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        var sumGX: Float = 0
        for j in 0..<width { sumGX += dy[j] * weight[j] * x[j] }
        let meanGX = r * r * sumGX / Float(width)
        for j in 0..<width {
            let value = r * (dy[j] * weight[j] - x[j] * meanGX)
            dx[j] = accumulate ? dx[j] + value : value
        }
    }
}
