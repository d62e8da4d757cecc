import Testing
@testable import TensorKernels

@Suite struct GemmTests {
    /// Naive double-precision C = A·B for row-major A [m×k], B [k×n].
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += Double(a[i * k + p]) * Double(b[p * n + j]) } } }
        return c
    }

    func transpose(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        (0..<rows * cols).map { x[($0 % rows) * cols + $0 / rows] }
    }

    // Sizes straddle the 6×64 register tile, the 96-row block and the 256-deep k block.
    @Test(arguments: [(1, 1, 1), (7, 33, 5), (9, 31, 300), (130, 70, 17), (17, 260, 513)])
    func matchesDoubleReferenceForEveryLayout(m: Int, n: Int, k: Int) {
        let pool = WorkerPool(threads: 2)
        let gemm = Gemm(pool: pool)
        let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2), bias = randomFloats(n, seed: 3)
        let expected = reference(a, b, m: m, n: n, k: k)
        let at = transpose(a, rows: m, cols: k), bt = transpose(b, rows: k, cols: n)
        for (aT, bT) in [(false, false), (false, true), (true, false), (true, true)] {
            let out = withBuffers([aT ? at : a, bT ? bt : b, bias, [Float](repeating: 7, count: m * n)]) { p in
                let am = aT ? StridedMatrix(p[0], rowStride: m).transposed : StridedMatrix(p[0], rowStride: k)
                let bm = bT ? StridedMatrix(p[1], rowStride: k).transposed : StridedMatrix(p[1], rowStride: n)
                gemm.multiply(m: m, n: n, k: k, a: am, b: bm, c: p[3], ldc: n, initial: .bias(p[2]))
            }[3]
            let withBias = expected.enumerated().map { $1 + Double(bias[$0 % n]) }
            let error = relativeError(out, withBias)
            #expect(error < 1e-5, "m \(m) n \(n) k \(k) transposes \(aT) \(bT): relative error \(error)")
        }
        // Accumulate adds to what is there; overwrite ignores it.
        let twice = withBuffers([a, b, [Float](repeating: 0, count: m * n)]) { p in
            gemm.multiply(m: m, n: n, k: k, a: StridedMatrix(p[0], rowStride: k), b: StridedMatrix(p[1], rowStride: n),
                          c: p[2], ldc: n, initial: .overwrite)
            gemm.multiply(m: m, n: n, k: k, a: StridedMatrix(p[0], rowStride: k), b: StridedMatrix(p[1], rowStride: n),
                          c: p[2], ldc: n, initial: .accumulate)
        }[2]
        #expect(relativeError(twice, expected.map { 2 * $0 }) < 1e-5)
    }

    @Test func linearFormsAgreeWithTheirDefinitions() {
        let pool = WorkerPool(threads: 2)
        let gemm = Gemm(pool: pool)
        let rows = 11, inF = 13, outF = 9
        let x = randomFloats(rows * inF, seed: 4), w = randomFloats(outF * inF, seed: 5), dy = randomFloats(rows * outF, seed: 6)
        let r = linearBackward(gemm, rows: rows, inF: inF, outF: outF, x: x, w: w, dy: dy)
        let dx = reference(dy, w, m: rows, n: inF, k: outF)
        let dw = reference(transpose(dy, rows: rows, cols: outF), x, m: outF, n: inF, k: rows)
        let db = (0..<outF).map { j in (0..<rows).reduce(0.0) { $0 + Double(dy[$1 * outF + j]) } }
        #expect(relativeError(r.dx, dx) < 1e-5)
        #expect(relativeError(r.dW, dw) < 1e-5)
        #expect(relativeError(r.db, db) < 1e-5)
    }

    /// The AVX2 tile (four 6x16 slabs) and the AVX-512 one (24 accumulators) must give the same bits
    /// from every start, so a model's bytes do not depend on which one the CPU picks. Both run here
    /// whatever the CPU: the wide kernel only spills on AVX2.
    @Test(arguments: [GemmTileStart.zero, .bias, .accumulate])
    func slabTileEqualsWideTileBitForBit(start: GemmTileStart) {
        let kc = 77, ldc = 70
        let a = randomFloats(kc * Gemm.mr, seed: 7), b = randomFloats(kc * Gemm.nr, seed: 8)
        let bias = randomFloats(Gemm.nr, seed: 9), c = randomFloats(Gemm.mr * ldc, seed: 10)
        let results = [true, false].map { wide in
            withBuffers([a, b, bias, c]) { p in
                let biasRow = UnsafePointer(p[2])
                if wide {
                    gemmMicroKernel(kc: kc, a: p[0], b: p[1], c: p[3], ldc: ldc, start: start, bias: biasRow)
                } else {
                    gemmMicroKernelSlabs(kc: kc, a: p[0], b: p[1], c: p[3], ldc: ldc, start: start, bias: biasRow)
                }
            }[3]
        }
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern))
        // The columns past the tile's 64 are untouched by both.
        #expect(results[1][64..<ldc].map(\.bitPattern) == c[64..<ldc].map(\.bitPattern))
    }

    /// A right-edge tile runs only the 16-column slabs its columns reach, straight into C when they
    /// are whole slabs of six rows: its columns must have the bits of the same columns computed
    /// inside a full tile (a wider B whose first n columns are these), from every start.
    @Test(arguments: [(12, 96), (13, 80), (6, 40), (7, 100)])
    func edgeTileEqualsFullTileBitForBit(m: Int, n: Int) {
        let gemm = Gemm(pool: WorkerPool(threads: 2))
        let k = 300, wide = 128
        let a = randomFloats(m * k, seed: 11), bWide = randomFloats(k * wide, seed: 12)
        let bias = randomFloats(wide, seed: 13), c = randomFloats(m * wide, seed: 14)
        let b = (0..<k * n).map { bWide[($0 / n) * wide + $0 % n] }
        for initial in ["overwrite", "bias", "accumulate"] {
            let results = [(b, n), (bWide, wide)].map { matrix, width in
                withBuffers([a, matrix, bias, c]) { p in
                    let start: GemmInitial = initial == "overwrite" ? .overwrite : initial == "bias" ? .bias(p[2]) : .accumulate
                    gemm.multiply(m: m, n: width, k: k, a: StridedMatrix(p[0], rowStride: k),
                                  b: StridedMatrix(p[1], rowStride: width), c: p[3], ldc: wide, initial: start)
                }[3]
            }
            for i in 0..<m {
                let row = i * wide
                #expect(results[0][row..<row + n].map(\.bitPattern) == results[1][row..<row + n].map(\.bitPattern),
                        "m \(m) n \(n) \(initial): row \(i)")
                // Columns past n are not written.
                #expect(results[0][row + n..<row + wide].map(\.bitPattern) == c[row + n..<row + wide].map(\.bitPattern))
            }
        }
    }
}
