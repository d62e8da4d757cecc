import Testing
@testable import TensorKernels

/// bf16 products: rounding, packing, the error bound of bf16 inputs with fp32 accumulation, and
/// thread-count independence. The products themselves need AVX512-BF16; where the CPU lacks it
/// those tests are reported as skipped, and the last test checks the fallback instead.
@Suite struct BF16GemmTests {
    @Test func roundingIsToNearestEvenAndKeepsNaN() {
        let spacing: Float = 0x1p-7   // bf16's spacing just above 1 (8-bit significand)
        #expect(BF16.rounded(1 + spacing / 2) == 1)                       // tie, 1 is even
        #expect(BF16.rounded(1 + 3 * spacing / 2) == 1 + 2 * spacing)     // tie, rounds up to even
        #expect(BF16.rounded(1 + spacing / 2 + 0x1p-20) == 1 + spacing)   // past the tie
        #expect(BF16.rounded(-1 - spacing / 4) == -1)
        #expect(BF16.rounded(.greatestFiniteMagnitude) == .infinity)      // overflows as RNE does
        #expect(BF16.rounded(.infinity) == .infinity && BF16.rounded(-.infinity) == -.infinity)
        #expect(BF16.rounded(.nan).isNaN && BF16.rounded(-Float.nan).isNaN)
        #expect(BF16.bits(0) == 0 && BF16.bits(-0.0) == 0x8000)
        for x: Float in [0.1, 3.14159, -2.5e-3, 65_504, 1e30] {
            let r = BF16.rounded(x)
            #expect(r.bitPattern & 0xFFFF == 0 && abs(r - x) <= abs(x) * 0x1p-8, "\(x) → \(r)")
        }
    }

    /// The product on strided copies of A and B in one of the four layouts, from C filled with 7.
    func product(_ gemm: Gemm, _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposes: (Bool, Bool),
                 initial: (UnsafePointer<Float>) -> GemmInitial, bias: [Float]) -> [Float] {
        let at = (0..<m * k).map { a[($0 % m) * k + $0 / m] }, bt = (0..<k * n).map { b[($0 % k) * n + $0 / k] }
        return withBuffers([transposes.0 ? at : a, transposes.1 ? bt : b, bias, .init(repeating: 7, count: m * n)]) { p in
            let am = transposes.0 ? StridedMatrix(p[0], rowStride: m).transposed : StridedMatrix(p[0], rowStride: k)
            let bm = transposes.1 ? StridedMatrix(p[1], rowStride: k).transposed : StridedMatrix(p[1], rowStride: n)
            gemm.multiply(m: m, n: n, k: k, a: am, b: bm, c: p[3], ldc: n, initial: initial(p[2]), precision: .bf16)
        }[3]
    }

    static let layouts = [(false, false), (false, true), (true, false), (true, true)]

    /// Small integers are exact in bf16 and their sums exact in fp32, so every element must equal
    /// the reference: a wrong pairing of k, a lost odd k or a misplaced edge shows at once.
    @Test(.enabled(if: BF16.isSupported), arguments: [(1, 1, 1), (7, 33, 5), (9, 70, 300), (130, 65, 17), (17, 130, 513)])
    func exactOnValuesBF16Holds(m: Int, n: Int, k: Int) {
        let gemm = Gemm(pool: WorkerPool(threads: 2))
        let a = randomFloats(m * k, seed: 11).map { ($0 * 3).rounded() }, b = randomFloats(k * n, seed: 12).map { ($0 * 3).rounded() }
        let bias = randomFloats(n, seed: 13).map { ($0 * 3).rounded() }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        for transposes in Self.layouts {
            let withBias = product(gemm, a, b, m: m, n: n, k: k, transposes: transposes, initial: { .bias($0) }, bias: bias)
            #expect(withBias == expected.enumerated().map { $1 + bias[$0 % n] }, "m \(m) n \(n) k \(k) \(transposes)")
            let accumulated = product(gemm, a, b, m: m, n: n, k: k, transposes: transposes, initial: { _ in .accumulate }, bias: bias)
            #expect(accumulated == expected.map { $0 + 7 }, "accumulate m \(m) n \(n) k \(k) \(transposes)")
        }
    }

    /// Each input rounds with relative error ≤ u = 2⁻⁸ (bf16 keeps 8 significant bits), so a
    /// product is off by ≤ (2u + u²)|ab|; products of two bf16 values are exact in fp32, and the
    /// k + 1 fp32 additions add at most γ(k+1) = (k+1)·2⁻²⁴ / (1 − (k+1)·2⁻²⁴) of the absolute sum.
    @Test(.enabled(if: BF16.isSupported), arguments: [(6, 64, 256), (9, 31, 300), (97, 130, 513), (13, 200, 1200)])
    func withinTheBoundOfBF16Inputs(m: Int, n: Int, k: Int) {
        let gemm = Gemm(pool: WorkerPool(threads: 2))
        let a = randomFloats(m * k, seed: 21), b = randomFloats(k * n, seed: 22), bias = randomFloats(n, seed: 23)
        let u = 0x1p-8, ulp32 = 0x1p-24
        let gamma = Double(k + 1) * ulp32 / (1 - Double(k + 1) * ulp32)
        for transposes in Self.layouts {
            let out = product(gemm, a, b, m: m, n: n, k: k, transposes: transposes, initial: { .bias($0) }, bias: bias)
            var worstRatio = 0.0, worstError = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var exact = Double(bias[j]), magnitude = abs(Double(bias[j]))
                    for p in 0..<k {
                        let t = Double(a[i * k + p]) * Double(b[p * n + j])
                        exact += t
                        magnitude += abs(t)
                    }
                    let bound = (2 * u + u * u) * magnitude + gamma * (1 + 2 * u + u * u) * magnitude
                    let error = abs(Double(out[i * n + j]) - exact)
                    worstRatio = max(worstRatio, error / bound)
                    worstError = max(worstError, error / magnitude)
                }
            }
            #expect(worstRatio <= 1, "m \(m) n \(n) k \(k) \(transposes): error at \(worstRatio) of the bound")
            // And bf16 was really used: fp32 alone would be ~1e-7 of the magnitude.
            #expect(worstError > 1e-4, "m \(m) n \(n) k \(k): error \(worstError) is fp32's, not bf16's")
        }
    }

    @Test(.enabled(if: BF16.isSupported))
    func bitwiseEqualForAnyThreadCount() {
        let m = 200, n = 300, k = 700
        let a = randomFloats(m * k, seed: 31), b = randomFloats(k * n, seed: 32)
        let results = [1, 2, 3].map { threads in
            product(Gemm(pool: WorkerPool(threads: threads)), a, b, m: m, n: n, k: k, transposes: (false, true),
                    initial: { _ in .overwrite }, bias: [0])
        }
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern))
        #expect(results[0].map(\.bitPattern) == results[2].map(\.bitPattern))
    }

    /// A bf16 instance still computes fp32 products when a call asks for them (the optimizer does);
    /// its own products are bf16's where the CPU has AVX512-BF16 and exactly fp32's where it has not
    /// (the fallback).
    @Test func aCallCanAskForFP32OnABF16Instance() {
        let m = 9, n = 70, k = 300
        let a = randomFloats(m * k, seed: 41), b = randomFloats(k * n, seed: 42)
        func run(_ gemm: Gemm, _ precision: Precision?) -> [Float] {
            withBuffers([a, b, .init(repeating: 0, count: m * n)]) { p in
                gemm.multiply(m: m, n: n, k: k, a: StridedMatrix(p[0], rowStride: k), b: StridedMatrix(p[1], rowStride: n),
                              c: p[2], ldc: n, initial: .overwrite, precision: precision)
            }[2]
        }
        let pool = WorkerPool(threads: 2)
        let fp32 = run(Gemm(pool: pool), nil)
        #expect(run(Gemm(pool: pool, precision: .bf16), .fp32) == fp32)
        #expect((run(Gemm(pool: pool, precision: .bf16), nil) == fp32) == !BF16.isSupported)
    }
}
