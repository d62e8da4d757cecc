import Testing
@testable import TensorKernels

func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    let rng = CounterRNG(seed: seed)
    return (0..<count).map { rng.normal(UInt64($0)) * scale }
}

/// max|a − b| / max|b|.
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    var worst = 0.0, scale = 0.0
    for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - y)); scale = max(scale, abs(y)) }
    return worst / max(scale, 1e-30)
}

/// Central-difference gradient of L(x) = Σ_i w_i·f(x)_i, the sum taken in Double so that only
/// the kernel's own fp32 rounding enters the difference quotient.
func numericGradient(of f: ([Float]) -> [Float], at x: [Float], weights w: [Float], step h: Float = 1e-2) -> [Double] {
    func loss(_ input: [Float]) -> Double {
        zip(f(input), w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    return x.indices.map { i in
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        return (loss(plus) - loss(minus)) / (Double(plus[i]) - Double(minus[i]))
    }
}

/// Calls body with mutable pointers to copies of the arrays, returns the arrays afterwards.
func withBuffers(_ arrays: [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
    let buffers = arrays.map { array -> UnsafeMutablePointer<Float> in
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(array.count, 1))
        p.initialize(from: array, count: array.count)
        return p
    }
    body(buffers)
    defer { buffers.forEach { $0.deallocate() } }
    return zip(buffers, arrays).map { Array(UnsafeBufferPointer(start: $0, count: $1.count)) }
}

/// Linear's backward pass on arrays: (dx, dW, db).
func linearBackward(_ gemm: Gemm, rows: Int, inF: Int, outF: Int, x: [Float], w: [Float], dy: [Float])
    -> (dx: [Float], dW: [Float], db: [Float]) {
    let r = withBuffers([x, w, dy, .init(repeating: 0, count: rows * inF), .init(repeating: 0, count: outF * inF),
                         .init(repeating: 0, count: outF)]) { p in
        Linear.backwardInput(gemm, rows: rows, inFeatures: inF, outFeatures: outF, dy: p[2], weight: p[1], dx: p[3],
                             accumulate: false)
        Linear.backwardParameters(gemm, rows: rows, inFeatures: inF, outFeatures: outF, dy: p[2], x: p[0],
                                  dWeight: p[4], dBias: p[5])
    }
    return (r[3], r[4], r[5])
}
