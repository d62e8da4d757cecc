/// The three matrix products of a linear layer `y = x·Wᵀ + b` with W stored [out × in]
/// (PyTorch's layout), over `rows` tokens.
public enum Linear {
    /// y[rows×out] = x[rows×in] · Wᵀ (+ b).
    public static func forward(
        _ gemm: Gemm, rows: Int, inFeatures: Int, outFeatures: Int,
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        gemm.multiply(
            m: rows, n: outFeatures, k: inFeatures,
            a: StridedMatrix(x, rowStride: inFeatures),
            b: StridedMatrix(weight, rowStride: inFeatures).transposed,
            c: y, ldc: outFeatures, initial: bias.map { .bias($0) } ?? .overwrite)
    }

    /// dx[rows×in] (+)= dy[rows×out] · W.
    public static func backwardInput(
        _ gemm: Gemm, rows: Int, inFeatures: Int, outFeatures: Int,
        dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        gemm.multiply(
            m: rows, n: inFeatures, k: outFeatures,
            a: StridedMatrix(dy, rowStride: outFeatures),
            b: StridedMatrix(weight, rowStride: inFeatures),
            c: dx, ldc: inFeatures, initial: accumulate ? .accumulate : .overwrite)
    }

    /// dW[out×in] += dyᵀ · x and db[out] += Σ_rows dy.
    public static func backwardParameters(
        _ gemm: Gemm, rows: Int, inFeatures: Int, outFeatures: Int,
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?
    ) {
        gemm.multiply(
            m: outFeatures, n: inFeatures, k: rows,
            a: StridedMatrix(dy, rowStride: outFeatures).transposed,
            b: StridedMatrix(x, rowStride: inFeatures),
            c: dWeight, ldc: inFeatures, initial: .accumulate)
        if let dBias {
            ColumnSum.accumulate(gemm.pool, rows: rows, columns: outFeatures, x: dy, into: dBias)
        }
    }
}
