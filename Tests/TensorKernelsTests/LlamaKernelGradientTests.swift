import Testing
@testable import TensorKernels

/// The Llama / Qwen3 kernels (RMSNorm, QK-norm, RoPE, SwiGLU) against central differences of
/// their forward passes, with GradientCheckTests' step and tolerance.
@Suite struct LlamaKernelGradientTests {
    let pool = WorkerPool(threads: 2)

    func check(_ name: String, analytic: [Float], numeric: [Double]) {
        let error = relativeError(analytic, numeric)
        #expect(error < GradientCheckTests.tolerance, "\(name): relative error \(error)")
    }

    @Test(arguments: [false, true]) func rmsNorm(accumulate: Bool) {
        let rows = 4, width = 21
        let x = randomFloats(rows * width, seed: 31, scale: 2), w = randomFloats(width, seed: 32)
        let dy = randomFloats(rows * width, seed: 33), prior = randomFloats(rows * width, seed: 34)
        func forward(_ x: [Float], _ w: [Float]) -> [Float] {
            withBuffers([x, w, .init(repeating: 0, count: rows * width), .init(repeating: 0, count: rows)]) { p in
                RMSNorm.forward(pool, rows: rows, width: width, eps: 1e-6, x: p[0], weight: p[1], y: p[2], rstd: p[3])
            }[2]
        }
        let g = withBuffers([x, w, dy, .init(repeating: 0, count: rows * width), .init(repeating: 0, count: rows),
                             accumulate ? prior : .init(repeating: 0, count: rows * width), .init(repeating: 0, count: width)]) { p in
            RMSNorm.forward(pool, rows: rows, width: width, eps: 1e-6, x: p[0], weight: p[1], y: p[3], rstd: p[4])
            RMSNorm.backward(pool, rows: rows, width: width, x: p[0], weight: p[1], rstd: p[4], dy: p[2], dx: p[5],
                             accumulate: accumulate, dWeight: p[6])
        }
        let dx = accumulate ? zip(g[5], prior).map { $0 - $1 } : g[5]
        check("rmsnorm dx", analytic: dx, numeric: numericGradient(of: { forward($0, w) }, at: x, weights: dy))
        check("rmsnorm dw", analytic: g[6], numeric: numericGradient(of: { forward(x, $0) }, at: w, weights: dy))
    }

    @Test func qkNormLeavesValuesAlone() {
        let tokens = 3, width = 12, heads = 3
        let qkv = randomFloats(tokens * 3 * width, seed: 35, scale: 2)
        let qw = randomFloats(width / heads, seed: 36), kw = randomFloats(width / heads, seed: 37)
        let dy = randomFloats(tokens * 3 * width, seed: 38)
        func forward(_ qkv: [Float], _ qw: [Float], _ kw: [Float]) -> [Float] {
            withBuffers([qkv, qw, kw, qkv, .init(repeating: 0, count: tokens * 2 * heads)]) { p in
                QKNorm.forward(pool, tokens: tokens, width: width, heads: heads, eps: 1e-6, qkv: p[0], qWeight: p[1],
                               kWeight: p[2], out: p[3], rstd: p[4])
            }[3]
        }
        let g = withBuffers([qkv, qw, kw, .init(repeating: 0, count: tokens * 3 * width),
                             .init(repeating: 0, count: tokens * 2 * heads), dy,
                             .init(repeating: 0, count: width / heads), .init(repeating: 0, count: width / heads)]) { p in
            QKNorm.forward(pool, tokens: tokens, width: width, heads: heads, eps: 1e-6, qkv: p[0], qWeight: p[1],
                           kWeight: p[2], out: p[3], rstd: p[4])
            QKNorm.backward(pool, tokens: tokens, width: width, heads: heads, qkv: p[0], qWeight: p[1], kWeight: p[2],
                            rstd: p[4], d: p[5], dqWeight: p[6], dkWeight: p[7])
        }
        check("qk-norm dqkv", analytic: g[5], numeric: numericGradient(of: { forward($0, qw, kw) }, at: qkv, weights: dy))
        check("qk-norm dq weight", analytic: g[6], numeric: numericGradient(of: { forward(qkv, $0, kw) }, at: qw, weights: dy))
        check("qk-norm dk weight", analytic: g[7], numeric: numericGradient(of: { forward(qkv, qw, $0) }, at: kw, weights: dy))
        let y = forward(qkv, qw, kw)
        for t in 0..<tokens {
            let v = (t * 3 + 2) * width..<(t * 3 + 3) * width
            #expect(Array(y[v]) == Array(qkv[v]), "token \(t): v columns changed")
        }
    }

    @Test func rotaryIsARotationAndItsInverseIsItsBackward() {
        let batch = 2, length = 5, width = 12, headWidth = 4
        let rotary = Rotary(headWidth: headWidth, positions: length, theta: 100)
        let qkv = randomFloats(batch * length * 3 * width, seed: 39), dy = randomFloats(qkv.count, seed: 40)
        func forward(_ x: [Float]) -> [Float] {
            withBuffers([x]) { p in rotary.apply(pool, batch: batch, length: length, width: width, qkv: p[0]) }[0]
        }
        let g = withBuffers([dy]) { p in rotary.apply(pool, batch: batch, length: length, width: width, qkv: p[0], inverse: true) }
        check("rope backward", analytic: g[0], numeric: numericGradient(of: forward, at: qkv, weights: dy))
        let y = forward(qkv)
        for row in 0..<batch * length {
            let base = row * 3 * width
            #expect(Array(y[base + 2 * width..<base + 3 * width]) == Array(qkv[base + 2 * width..<base + 3 * width]))
            if row % length == 0 { #expect(Array(y[base..<base + 3 * width]) == Array(qkv[base..<base + 3 * width])) }
            for head in 0..<(2 * width / headWidth) {   // a rotation keeps each pair's norm
                let h = base + head * headWidth
                for i in 0..<headWidth / 2 {
                    let before = qkv[h + i] * qkv[h + i] + qkv[h + i + 2] * qkv[h + i + 2]
                    let after = y[h + i] * y[h + i] + y[h + i + 2] * y[h + i + 2]
                    #expect(abs(before - after) < 1e-5)
                }
            }
        }
        // Position p of a one-token call starting at p equals row p of a whole sequence.
        let single = withBuffers([Array(qkv[3 * 3 * width..<4 * 3 * width])]) { p in
            rotary.apply(pool, batch: 1, length: 1, start: 3, width: width, qkv: p[0])
        }[0]
        #expect(single == Array(y[3 * 3 * width..<4 * 3 * width]))
    }

    @Test func swiglu() {
        let rows = 3, width = 19
        let x = randomFloats(rows * 2 * width, seed: 41, scale: 2), dy = randomFloats(rows * width, seed: 42)
        func forward(_ x: [Float]) -> [Float] {
            withBuffers([x, .init(repeating: 0, count: rows * width)]) { p in
                SwiGLU.forward(pool, rows: rows, width: width, x: p[0], y: p[1])
            }[1]
        }
        let g = withBuffers([x, dy, .init(repeating: 0, count: rows * 2 * width)]) { p in
            SwiGLU.backward(pool, rows: rows, width: width, x: p[0], dy: p[1], dx: p[2])
        }
        check("swiglu", analytic: g[2], numeric: numericGradient(of: forward, at: x, weights: dy, step: 1e-3))
    }
}
