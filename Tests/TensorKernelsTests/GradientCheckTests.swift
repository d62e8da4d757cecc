import Testing
@testable import TensorKernels

/// Every backward pass against central differences of its forward pass (step 1e-2, loss summed
/// in Double). Tolerance: max|analytic − numeric| ≤ 2e-3·max|numeric| — the fp32 rounding of
/// the forward outputs divided by the step dominates the difference quotient's error.
@Suite struct GradientCheckTests {
    let pool = WorkerPool(threads: 2)
    static let tolerance = 2e-3

    func check(_ name: String, analytic: [Float], numeric: [Double]) {
        let error = relativeError(analytic, numeric)
        #expect(error < Self.tolerance, "\(name): relative error \(error)")
    }

    @Test func linear() {
        let gemm = Gemm(pool: pool)
        let rows = 5, inF = 7, outF = 6
        let x = randomFloats(rows * inF, seed: 1), w = randomFloats(outF * inF, seed: 2), b = randomFloats(outF, seed: 3)
        let dy = randomFloats(rows * outF, seed: 4)
        func forward(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            withBuffers([x, w, b, .init(repeating: 0, count: rows * outF)]) { p in
                Linear.forward(gemm, rows: rows, inFeatures: inF, outFeatures: outF, x: p[0], weight: p[1], bias: p[2], y: p[3])
            }[3]
        }
        let g = linearBackward(gemm, rows: rows, inF: inF, outF: outF, x: x, w: w, dy: dy)
        check("linear dx", analytic: g.dx, numeric: numericGradient(of: { forward($0, w, b) }, at: x, weights: dy))
        check("linear dW", analytic: g.dW, numeric: numericGradient(of: { forward(x, $0, b) }, at: w, weights: dy))
        check("linear db", analytic: g.db, numeric: numericGradient(of: { forward(x, w, $0) }, at: b, weights: dy))
    }

    @Test func layerNorm() {
        let rows = 4, width = 19
        let x = randomFloats(rows * width, seed: 5, scale: 2), w = randomFloats(width, seed: 6), b = randomFloats(width, seed: 7)
        let dy = randomFloats(rows * width, seed: 8)
        func forward(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            withBuffers([x, w, b, .init(repeating: 0, count: rows * width), .init(repeating: 0, count: 2 * rows)]) { p in
                LayerNorm.forward(pool, rows: rows, width: width, eps: 1e-5, x: p[0], weight: p[1], bias: p[2], y: p[3],
                                  mean: p[4], rstd: p[4] + rows)
            }[3]
        }
        let g = withBuffers([x, w, dy, .init(repeating: 0, count: 2 * rows), .init(repeating: 0, count: rows * width),
                             .init(repeating: 0, count: width), .init(repeating: 0, count: width),
                             .init(repeating: 0, count: rows * width)]) { p in
            LayerNorm.forward(pool, rows: rows, width: width, eps: 1e-5, x: p[0], weight: p[1], bias: p[1], y: p[7],
                              mean: p[3], rstd: p[3] + rows)
            LayerNorm.backward(pool, rows: rows, width: width, x: p[0], weight: p[1], mean: p[3], rstd: p[3] + rows,
                               dy: p[2], dx: p[4], accumulate: false, dWeight: p[5], dBias: p[6])
        }
        check("layernorm dx", analytic: g[4], numeric: numericGradient(of: { forward($0, w, b) }, at: x, weights: dy))
        check("layernorm dw", analytic: g[5], numeric: numericGradient(of: { forward(x, $0, b) }, at: w, weights: dy))
        check("layernorm db", analytic: g[6], numeric: numericGradient(of: { forward(x, w, $0) }, at: b, weights: dy))
    }

    @Test(arguments: [(2, 5, 12, 3), (1, 18, 32, 2)])
    func attention(batch: Int, length: Int, width: Int, heads: Int) {
        let attention = Attention(batch: batch, length: length, width: width, heads: heads)
        let scratch = WorkerScratch(workers: pool.threadCount)
        scratch.reserve(perWorker: attention.scratchFloats)
        let n = batch * length
        let qkv = randomFloats(n * 3 * width, seed: 9), dy = randomFloats(n * width, seed: 10)
        func forward(_ qkv: [Float]) -> [Float] {
            withBuffers([qkv, .init(repeating: 0, count: n * width), .init(repeating: 0, count: batch * heads * length)]) { p in
                attention.forward(pool, scratch: scratch, qkv: p[0], out: p[1], lse: p[2])
            }[1]
        }
        let g = withBuffers([qkv, .init(repeating: 0, count: n * width), .init(repeating: 0, count: batch * heads * length),
                             dy, .init(repeating: 0, count: n * 3 * width)]) { p in
            attention.forward(pool, scratch: scratch, qkv: p[0], out: p[1], lse: p[2])
            attention.backward(pool, scratch: scratch, qkv: p[0], out: p[1], lse: p[2], dOut: p[3], dqkv: p[4])
        }
        check("attention dqkv", analytic: g[4], numeric: numericGradient(of: forward, at: qkv, weights: dy))
    }

    @Test(arguments: [GELU.Kind.erf, .tanh])
    func gelu(kind: GELU.Kind) {
        let count = 37
        let x = randomFloats(count, seed: 11, scale: 2), dy = randomFloats(count, seed: 12)
        func forward(_ x: [Float]) -> [Float] {
            withBuffers([x, .init(repeating: 0, count: count)]) { p in
                GELU.forward(pool, kind: kind, count: count, x: p[0], y: p[1])
            }[1]
        }
        let g = withBuffers([x, dy]) { p in GELU.backward(pool, kind: kind, count: count, x: p[0], dy: p[1], dx: p[1]) }
        check("gelu \(kind)", analytic: g[1], numeric: numericGradient(of: forward, at: x, weights: dy, step: 1e-3))
    }

    @Test func crossEntropyWithSmoothingAndIgnoredRows() {
        let rows = 4, vocab = 21
        let logits = randomFloats(rows * vocab, seed: 13, scale: 3)
        let targets: [Int32] = [3, -100, 20, 0]
        func loss(_ z: [Float]) -> [Float] {
            var result: Float = 0
            _ = withBuffers([z, .init(repeating: 0, count: 3 * rows)]) { p in
                result = targets.withUnsafeBufferPointer {
                    CrossEntropy.compute(pool, rows: rows, vocab: vocab, logits: p[0], targets: $0.baseAddress!,
                                         smoothing: 0.1, gradient: false, rowScratch: p[1]).loss
                }
            }
            return [result]
        }
        let g = withBuffers([logits, .init(repeating: 0, count: 3 * rows)]) { p in
            _ = targets.withUnsafeBufferPointer {
                CrossEntropy.compute(pool, rows: rows, vocab: vocab, logits: p[0], targets: $0.baseAddress!,
                                     smoothing: 0.1, gradient: true, rowScratch: p[1])
            }
        }
        check("cross-entropy dlogits", analytic: g[0], numeric: numericGradient(of: loss, at: logits, weights: [1]))
        #expect(g[0][vocab..<2 * vocab].allSatisfy { $0 == 0 }, "an ignored row has no gradient")
    }

    /// Scale 1 (learned positions) and √d-like scaling (fixed sinusoids) of the token embedding.
    @Test(arguments: [Float(1), 2.5]) func embeddingAndLearnedPositions(scale: Float) {
        let batch = 2, length = 3, width = 5, vocab = 4
        let tokens: [Int32] = [1, 3, 1, 0, 1, 2]
        let table = randomFloats(vocab * width, seed: 14), positions = randomFloats(length * width, seed: 15)
        let dy = randomFloats(batch * length * width, seed: 16)
        func forward(_ table: [Float], _ positions: [Float]) -> [Float] {
            withBuffers([table, positions, .init(repeating: 0, count: batch * length * width)]) { p in
                tokens.withUnsafeBufferPointer {
                    Embedding.forward(pool, count: batch * length, width: width, tokens: $0.baseAddress!, table: p[0], out: p[2],
                                      scale: scale)
                }
                PositionalEncoding.add(pool, batch: batch, length: length, width: width, table: p[1], x: p[2])
            }[2]
        }
        let g = withBuffers([dy, .init(repeating: 0, count: vocab * width), .init(repeating: 0, count: length * width)]) { p in
            tokens.withUnsafeBufferPointer {
                Embedding.backward(pool, count: batch * length, width: width, tokens: $0.baseAddress!, dOut: p[0], dTable: p[1],
                                   scale: scale)
            }
            PositionalEncoding.backward(pool, batch: batch, length: length, width: width, dx: p[0], dTable: p[2])
        }
        check("embedding", analytic: g[1], numeric: numericGradient(of: { forward($0, positions) }, at: table, weights: dy))
        check("positions", analytic: g[2], numeric: numericGradient(of: { forward(table, $0) }, at: positions, weights: dy))
    }

    @Test func dropoutAndResidual() {
        let count = 40
        let rng = CounterRNG(seed: 17)
        let x = randomFloats(count, seed: 18), h = randomFloats(count, seed: 19), dy = randomFloats(count, seed: 20)
        func forward(_ h: [Float]) -> [Float] {
            withBuffers([x, h, .init(repeating: 0, count: count)]) { p in
                Residual.forward(pool, count: count, x: p[0], branch: p[1], dropout: 0.3, rng: rng, out: p[2])
            }[2]
        }
        let g = withBuffers([dy, .init(repeating: 0, count: count)]) { p in
            Dropout.backward(pool, probability: 0.3, rng: rng, count: count, dy: p[0], dx: p[1], accumulate: false)
        }
        check("dropout", analytic: g[1], numeric: numericGradient(of: forward, at: h, weights: dy))
        let kept = g[1].filter { $0 != 0 }.count
        #expect(kept > 10 && kept < count, "dropout 0.3 kept \(kept) of \(count)")
    }
}
