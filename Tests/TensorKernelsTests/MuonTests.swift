import Testing
@testable import TensorKernels

/// Muon against a plain Double implementation of the same update (KellerJordan/Muon's
/// `muon_update` and `zeropower_via_newtonschulz5`, written out with loops).
@Suite struct MuonTests {
    /// Row-major [r × c] product helpers in Double.
    static func multiply(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for p in 0..<k { for j in 0..<n { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    static func transpose(_ x: [Double], _ rows: Int, _ cols: Int) -> [Double] {
        (0..<(rows * cols)).map { x[($0 % rows) * cols + $0 / rows] }
    }

    /// One reference update: returns (new weights, new momentum).
    static func reference(weights: [Float], gradient: [Float], momentum: [Float], rows: Int, cols: Int,
                          lr: Double, beta: Double, weightDecay: Double) -> ([Double], [Double]) {
        let g = gradient.map(Double.init)
        let m = zip(momentum, g).map { Double($0) + (1 - beta) * ($1 - Double($0)) }
        var x = zip(g, m).map { $0 + beta * ($1 - $0) }
        let tall = rows > cols
        var (p, q) = (rows, cols)
        if tall { x = transpose(x, rows, cols); (p, q) = (cols, rows) }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        x = x.map { $0 / (norm + 1e-7) }
        let (a, b, c) = (3.4445, -4.7750, 2.0315)
        for _ in 0..<5 {
            let gram = multiply(x, transpose(x, p, q), p, q, p)
            let square = multiply(gram, gram, p, p, p)
            let poly = zip(gram, square).map { b * $0 + c * $1 }
            let bx = multiply(poly, x, p, p, q)
            x = zip(x, bx).map { a * $0 + $1 }
        }
        if tall { x = transpose(x, p, q) }
        let scale = lr * max(1, Double(rows) / Double(cols)).squareRoot()
        let w = zip(weights, x).map { Double($0) * (1 - lr * weightDecay) - scale * $1 }
        return (w, m)
    }

    /// Runs one Muon update on one matrix with `threads` workers; returns (weights, momentum).
    static func update(weights: [Float], gradient: [Float], momentum: [Float], rows: Int, cols: Int,
                       settings: Muon.Settings, step: Int, lr: Float, threads: Int) -> ([Float], [Float]) {
        let pool = WorkerPool(threads: threads)
        let muon = Muon(settings: settings, matrices: [Muon.Matrix(offset: 0, rows: rows, cols: cols)])
        let out = withBuffers([weights, gradient, momentum]) { p in
            muon.update(Gemm(pool: pool), step: step, learningRate: lr, parameters: p[0], gradients: p[1], momentum: p[2])
        }
        return (out[0], out[2])
    }

    @Test(arguments: [(8, 24), (24, 8), (16, 16)]) func matchesTheDoubleReference(shape: (Int, Int)) {
        let (rows, cols) = shape
        let w = randomFloats(rows * cols, seed: 1, scale: 0.1), g = randomFloats(rows * cols, seed: 2)
        let m = randomFloats(rows * cols, seed: 3, scale: 0.5)
        let settings = Muon.Settings(learningRateScale: 2, momentum: 0.95, weightDecay: 0.1)
        let (weights, momentum) = Self.update(weights: w, gradient: g, momentum: m, rows: rows, cols: cols,
                                              settings: settings, step: 10, lr: 0.01, threads: 2)
        let (expectedW, expectedM) = Self.reference(weights: w, gradient: g, momentum: m, rows: rows, cols: cols,
                                                    lr: 0.02, beta: 0.95, weightDecay: 0.1)
        #expect(relativeError(momentum, expectedM) < 1e-6)
        #expect(relativeError(weights, expectedW) < 1e-5)
        // The update is close to orthogonal: the diagonal of X·Xᵀ (wide orientation) sits near 1.
        let lr = 0.02, scale: Double = lr * max(1, Double(rows) / Double(cols)).squareRoot()
        var step: [Double] = []
        for (new, old) in zip(expectedW, w) { step.append((Double(old) * (1 - lr * 0.1) - new) / scale) }
        let (p, q) = rows > cols ? (cols, rows) : (rows, cols)
        let wide = rows > cols ? Self.transpose(step, rows, cols) : step
        let gram = Self.multiply(wide, Self.transpose(wide, p, q), p, q, p)
        let diagonal = (0..<p).map { gram[$0 * p + $0] }
        #expect(diagonal.allSatisfy { $0 > 0.25 && $0 < 1.7 }, "\(diagonal)")
    }

    @Test func bitwiseIdenticalForAnyThreadCount() {
        let rows = 48, cols = 160
        let w = randomFloats(rows * cols, seed: 4, scale: 0.1), g = randomFloats(rows * cols, seed: 5)
        let m = [Float](repeating: 0, count: rows * cols)
        let settings = Muon.Settings(learningRateScale: 1)
        let results = [1, 2, 3].map {
            Self.update(weights: w, gradient: g, momentum: m, rows: rows, cols: cols, settings: settings, step: 1,
                        lr: 0.02, threads: $0)
        }
        #expect(results[0].0 == results[1].0 && results[0].0 == results[2].0)
        #expect(results[0].1 == results[1].1)
    }

    @Test func momentumWarmsUpLinearly() {
        let s = Muon.Settings(learningRateScale: 1, momentum: 0.95, momentumWarmupSteps: 100, warmupMomentum: 0.85)
        #expect(s.momentum(at: 0) == 0.85)
        #expect(abs(s.momentum(at: 50) - 0.90) < 1e-6)
        #expect(s.momentum(at: 100) == 0.95 && s.momentum(at: 5000) == 0.95)
        #expect(Muon.Settings(learningRateScale: 1).momentum(at: 1) == 0.95)
    }
}
