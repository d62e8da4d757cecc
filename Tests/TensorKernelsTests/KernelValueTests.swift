import Foundation
import Testing
@testable import TensorKernels

/// Forward values against double-precision definitions, and bitwise thread-count independence.
@Suite struct KernelValueTests {
    @Test func vectorMathAccuracy() {
        var worstExp = 0.0, worstErf = 0.0, worstTanh = 0.0
        for i in -4000...4000 {
            let x = Float(i) / 100
            worstExp = max(worstExp, abs(Double(VectorMath.exp(x)) / Foundation.exp(Double(x)) - 1))
            worstErf = max(worstErf, abs(Double(VectorMath.erf(x / 4)) - Foundation.erf(Double(x / 4))))
            worstTanh = max(worstTanh, abs(Double(VectorMath.tanh(x / 4)) - Foundation.tanh(Double(x / 4))))
        }
        #expect(worstExp < 3e-7, "exp relative error \(worstExp)")
        #expect(worstErf < 4e-7, "erf absolute error \(worstErf)")
        #expect(worstTanh < 4e-7, "tanh absolute error \(worstTanh)")
        #expect(VectorMath.exp(-Float.infinity) < 1e-37 && VectorMath.exp(1000).isFinite)
    }

    @Test func crossEntropyMatchesDefinition() {
        let pool = WorkerPool(threads: 2)
        let rows = 3, vocab = 50, smoothing: Float = 0.2
        let logits = randomFloats(rows * vocab, seed: 1, scale: 4)
        let targets: [Int32] = [7, 49, -100]
        var result: CrossEntropy.Result?
        _ = withBuffers([logits, .init(repeating: 0, count: 3 * rows)]) { p in
            result = targets.withUnsafeBufferPointer {
                CrossEntropy.compute(pool, rows: rows, vocab: vocab, logits: p[0], targets: $0.baseAddress!,
                                     smoothing: smoothing, gradient: false, rowScratch: p[1])
            }
        }
        var expected = 0.0, nll = 0.0
        for r in 0..<2 {
            let z = logits[r * vocab..<(r + 1) * vocab].map(Double.init)
            let lse = Foundation.log(z.map { Foundation.exp($0) }.reduce(0, +))
            let targetNLL = lse - z[Int(targets[r])]
            nll += targetNLL
            expected += (1 - Double(smoothing)) * targetNLL + Double(smoothing) * (lse - z.reduce(0, +) / Double(vocab))
        }
        let r = try! #require(result)
        #expect(abs(Double(r.loss) - expected / 2) < 1e-5 * expected)
        #expect(abs(r.targetNLLSum - nll) < 1e-5 * nll)
        #expect(r.counted == 2)
    }

    @Test func adamWAndClippingMatchTheirDefinitions() {
        let pool = WorkerPool(threads: 2)
        let count = 40_000
        let p0 = randomFloats(count, seed: 2), g = randomFloats(count, seed: 3, scale: 0.1)
        let settings = AdamW.Settings(weightDecay: 0.1)
        let adam = AdamW(settings: settings, segments: [.init(offset: 0, count: 30_000, decays: true),
                                                        .init(offset: 30_000, count: 10_000, decays: false)])
        let lr: Float = 1e-2
        let out = withBuffers([p0, g, .init(repeating: 0, count: count), .init(repeating: 0, count: count)]) { b in
            for step in 1...2 {
                adam.update(pool, step: step, learningRate: lr, parameters: b[0], gradients: b[1], firstMoment: b[2], secondMoment: b[3])
            }
        }[0]
        var expected: [Double] = []
        for i in 0..<count {
            var p = Double(p0[i]), m = 0.0, v = 0.0
            let gi = Double(g[i])
            for t in 1...2 {
                if i < 30_000 { p *= 1 - Double(lr) * 0.1 }
                m = 0.9 * m + 0.1 * gi
                v = 0.999 * v + 0.001 * gi * gi
                let mHat = m / (1 - Foundation.pow(0.9, Double(t))), vHat = v / (1 - Foundation.pow(0.999, Double(t)))
                p -= Double(lr) * mHat / (vHat.squareRoot() + 1e-8)
            }
            expected.append(p)
        }
        #expect(relativeError(out, expected) < 1e-6)

        let clipping = GradientClipping(count: count)
        let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let clipped = withBuffers([g]) { b in
            let before = clipping.clip(pool, gradients: b[0], maxNorm: 1)
            #expect(abs(Double(before) - norm) < 1e-6 * norm)
        }[0]
        let after = clipped.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(after - 1) < 1e-5, "norm after clipping to 1: \(after)")
    }

    @Test func matVecMatchesLinear() {
        let pool = WorkerPool(threads: 2)
        let inF = 37, outF = 70
        let w = randomFloats(outF * inF, seed: 4), x = randomFloats(inF, seed: 5), b = randomFloats(outF, seed: 6)
        let y = withBuffers([w, x, b, .init(repeating: 0, count: outF)]) { p in
            MatVec.forward(pool, inFeatures: inF, outFeatures: outF, weight: p[0], x: p[1], bias: p[2], y: p[3])
        }[3]
        let expected = (0..<outF).map { o in (0..<inF).reduce(Double(b[o])) { $0 + Double(w[o * inF + $1]) * Double(x[$1]) } }
        #expect(relativeError(y, expected) < 1e-5)
    }

    /// Kernels with reductions give the same bits on 1, 2 and 3 threads.
    @Test func kernelsAreBitwiseIdenticalForAnyThreadCount() {
        func run(threads: Int) -> [[Float]] {
            let pool = WorkerPool(threads: threads)
            let gemm = Gemm(pool: pool)
            let rows = 300, width = 96, out = 200
            let attention = Attention(batch: 2, length: 150, width: width, heads: 3)
            let scratch = WorkerScratch(workers: threads)
            scratch.reserve(perWorker: attention.scratchFloats)
            let x = randomFloats(rows * width, seed: 7), w = randomFloats(out * width, seed: 8)
            let dy = randomFloats(rows * out, seed: 9), qkv = randomFloats(rows * 3 * width, seed: 10)
            let dAtt = randomFloats(rows * width, seed: 11)
            return withBuffers([x, w, dy, .init(repeating: 0, count: out * width), .init(repeating: 0, count: out),
                                qkv, .init(repeating: 0, count: rows * width), .init(repeating: 0, count: 2 * 3 * 150),
                                dAtt, .init(repeating: 0, count: rows * 3 * width), .init(repeating: 0, count: 2 * rows),
                                .init(repeating: 0, count: rows * width), .init(repeating: 0, count: 2 * width)]) { p in
                Linear.backwardParameters(gemm, rows: rows, inFeatures: width, outFeatures: out, dy: p[2], x: p[0],
                                          dWeight: p[3], dBias: p[4])
                attention.forward(pool, scratch: scratch, qkv: p[5], out: p[6], lse: p[7])
                attention.backward(pool, scratch: scratch, qkv: p[5], out: p[6], lse: p[7], dOut: p[8], dqkv: p[9])
                LayerNorm.forward(pool, rows: rows, width: width, eps: 1e-5, x: p[0], weight: p[12], bias: p[12],
                                  y: p[11], mean: p[10], rstd: p[10] + rows)
                LayerNorm.backward(pool, rows: rows, width: width, x: p[0], weight: p[12], mean: p[10], rstd: p[10] + rows,
                                   dy: p[8], dx: p[11], accumulate: true, dWeight: p[12], dBias: p[12] + width)
            }
        }
        let one = run(threads: 1)
        #expect(run(threads: 2) == one)
        #expect(run(threads: 3) == one)
    }
}
