import Testing
@testable import TensorKernels

/// The hashed bigram embedding: which row each position reads, its gradient against central
/// differences, and a scatter that sums repeated rows in the same order for any thread count.
@Suite struct BigramHashTests {
    @Test func rowsHashEachPairWithinItsOwnSequence() {
        let buckets = 7, tokens: [Int32] = [3, 5, 5, 9, 2, 3]
        var rows = [Int32](repeating: -1, count: tokens.count)
        tokens.withUnsafeBufferPointer { t in
            rows.withUnsafeMutableBufferPointer {
                BigramHash.buckets(batch: 2, length: 3, tokens: t.baseAddress!, buckets: buckets, into: $0.baseAddress!)
            }
        }
        // (36313·current XOR 27191·previous) mod 6 for (3, 5), (5, 5), (9, 2), (2, 3), as Python computes it.
        #expect(rows == [6, 4, 2, 6, 3, 1])
        #expect(rows[3] == 6, "a sequence's first position reads the no-previous-token row, not its neighbour's last")
        #expect(rows.allSatisfy { (0..<Int32(buckets)).contains($0) })
        #expect(BigramHash.bucket(previous: Int32.max - 1, current: Int32.max - 1, buckets: BigramHash.maxBuckets) >= 0)
    }

    @Test func gradientMatchesCentralDifferences() {
        let pool = WorkerPool(threads: 2), count = 6, width = 5, buckets = 4
        let rows: [Int32] = [3, 1, 1, 0, 1, 2]
        let table = randomFloats(buckets * width, seed: 41), x = randomFloats(count * width, seed: 42)
        let dy = randomFloats(count * width, seed: 43)
        func forward(_ table: [Float]) -> [Float] {
            withBuffers([table, x]) { p in
                rows.withUnsafeBufferPointer {
                    BigramHash.forward(pool, count: count, width: width, rows: $0.baseAddress!, table: p[0], x: p[1])
                }
            }[1]
        }
        let g = withBuffers([dy, .init(repeating: 0, count: buckets * width)]) { p in
            rows.withUnsafeBufferPointer {
                BigramHash.backward(pool, count: count, width: width, rows: $0.baseAddress!, dx: p[0], dTable: p[1])
            }
        }
        let error = relativeError(g[1], numericGradient(of: forward, at: table, weights: dy))
        #expect(error < GradientCheckTests.tolerance, "bigram table: relative error \(error)")
    }

    @Test func backwardIsBitwiseEqualForAnyThreadCount() {
        let count = 300, width = 130, buckets = 5
        let rows = (0..<count).map { Int32(($0 * 7) % buckets) }
        let dy = randomFloats(count * width, seed: 44)
        func scatter(threads: Int) -> [Float] {
            withBuffers([dy, .init(repeating: 0, count: buckets * width)]) { p in
                rows.withUnsafeBufferPointer {
                    BigramHash.backward(WorkerPool(threads: threads), count: count, width: width, rows: $0.baseAddress!,
                                        dx: p[0], dTable: p[1])
                }
            }[1]
        }
        let one = scatter(threads: 1)
        #expect(scatter(threads: 2) == one && scatter(threads: 3) == one)
    }
}
