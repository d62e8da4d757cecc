import Foundation

/// Fused multi-head causal self-attention over a packed [tokens × 3·width] q|k|v buffer.
///
/// One task per (sequence, head). Scores for query i are computed only for keys j ≤ i (the mask
/// is applied before the softmax by never computing masked scores), softmax is stabilised by the
/// row maximum, and only the log-sum-exp per row is saved: the backward pass recomputes the
/// probabilities instead of storing a T×T matrix per head.
public struct Attention {
    public let batch: Int, length: Int, width: Int, heads: Int
    public let headWidth: Int
    let paddedLength: Int, paddedHead: Int

    public init(batch: Int, length: Int, width: Int, heads: Int) {
        precondition(width % heads == 0, "Attention: width \(width) is not divisible by \(heads) heads")
        self.batch = batch
        self.length = length
        self.width = width
        self.heads = heads
        headWidth = width / heads
        paddedLength = (length + 15) / 16 * 16
        paddedHead = (headWidth + 15) / 16 * 16
    }

    /// Floats of per-worker scratch the forward and backward passes need.
    public var scratchFloats: Int {
        2 * headWidth * paddedLength + 3 * length * paddedHead + 2 * length * paddedLength + 2 * paddedLength + paddedHead
    }

    var scale: Float { 1 / Float(headWidth).squareRoot() }

    /// out[b,t,h·hw ..] = softmax(q·kᵀ/√hw, causal) · v; lse[b,h,t] saved for backward.
    public func forward(
        _ pool: WorkerPool, scratch: WorkerScratch, qkv: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>
    ) {
        pool.run(batch * heads) { task, worker in
            let b = task / heads, h = task % heads
            let work = scratch.pointer(worker: worker)
            let kt = work                                   // [hw][paddedLength]
            let v = kt + headWidth * paddedLength           // [length][paddedHead]
            let s = v + length * paddedHead                 // [paddedLength]
            let o = s + paddedLength                        // [paddedHead]
            gatherTransposed(qkv, b: b, column: width + h * headWidth, into: kt)
            gatherRows(qkv, b: b, column: 2 * width + h * headWidth, into: v)
            for i in 0..<length {
                let q = qkv + (b * length + i) * 3 * width + h * headWidth
                let chunks = i / 16 + 1
                scores(q: q, kt: kt, chunks: chunks, into: s)
                var m = -Float.infinity
                for j in 0...i { m = max(m, s[j]) }
                let total = exponentiate(s, chunks: chunks, last: i, shift: m)
                lse[task * length + i] = m + Foundation.log(total)
                let inverse = 1 / total
                for j in 0...i { s[j] *= inverse }
                VectorOps.weightedSum(weights: s, count: i + 1, rows: v, rowStride: paddedHead, width: paddedHead, into: o)
                (out + (b * length + i) * width + h * headWidth).update(from: o, count: headWidth)
            }
        }
    }

    /// Writes dqkv (all three parts) from dOut, recomputing the probabilities from lse.
    /// Row i of P and dS gives dq_i; their columns, kept transposed, give dk_j and dv_j, so every
    /// gradient row is one register-accumulated weighted sum.
    public func backward(
        _ pool: WorkerPool, scratch: WorkerScratch, qkv: UnsafePointer<Float>,
        out: UnsafePointer<Float>, lse: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
        dqkv: UnsafeMutablePointer<Float>
    ) {
        pool.run(batch * heads) { task, worker in
            let b = task / heads, h = task % heads
            let work = scratch.pointer(worker: worker)
            let kt = work, vt = kt + headWidth * paddedLength
            let k = vt + headWidth * paddedLength
            let q = k + length * paddedHead, g = q + length * paddedHead
            let pt = g + length * paddedHead, dst = pt + length * paddedLength   // [key j][query i]
            let s = dst + length * paddedLength, dp = s + paddedLength, row = dp + paddedLength
            let qColumn = h * headWidth, kColumn = width + h * headWidth, vColumn = 2 * width + h * headWidth
            gatherTransposed(qkv, b: b, column: kColumn, into: kt)
            gatherTransposed(qkv, b: b, column: vColumn, into: vt)
            gatherRows(qkv, b: b, column: kColumn, into: k)
            gatherRows(qkv, b: b, column: qColumn, into: q)
            gatherRows(dOut, b: b, column: h * headWidth, rowWidth: width, into: g)
            for i in 0..<length {
                let chunks = i / 16 + 1
                let gi = g + i * paddedHead
                let d = VectorOps.dot(gi, out + (b * length + i) * width + h * headWidth, headWidth)
                scores(q: q + i * paddedHead, kt: kt, chunks: chunks, into: s)
                _ = exponentiate(s, chunks: chunks, last: i, shift: lse[task * length + i])
                scores(q: gi, kt: vt, chunks: chunks, scaled: false, into: dp)
                for j in 0...i {
                    let ds = s[j] * (dp[j] - d) * scale
                    dp[j] = ds
                    pt[j * paddedLength + i] = s[j]
                    dst[j * paddedLength + i] = ds
                }
                VectorOps.weightedSum(weights: dp, count: i + 1, rows: k, rowStride: paddedHead, width: paddedHead, into: row)
                (dqkv + (b * length + i) * 3 * width + qColumn).update(from: row, count: headWidth)
            }
            for j in 0..<length {
                let target = dqkv + (b * length + j) * 3 * width
                let span = length - j
                VectorOps.weightedSum(weights: dst + j * paddedLength + j, count: span, rows: q + j * paddedHead,
                                      rowStride: paddedHead, width: paddedHead, into: row)
                (target + kColumn).update(from: row, count: headWidth)
                VectorOps.weightedSum(weights: pt + j * paddedLength + j, count: span, rows: g + j * paddedHead,
                                      rowStride: paddedHead, width: paddedHead, into: row)
                (target + vColumn).update(from: row, count: headWidth)
            }
        }
    }

    // MARK: helpers

    /// s[j] = scale·(q·key_j) for j < 16·chunks, 16 keys per vector; kt is [hw][paddedLength].
    /// Four chunks share each broadcast of q[c] and keep four FMA chains in flight.
    @inline(__always)
    func scores(q: UnsafePointer<Float>, kt: UnsafePointer<Float>, chunks: Int, scaled: Bool = true,
                into s: UnsafeMutablePointer<Float>) {
        let factor = scaled ? scale : 1
        var chunk = 0
        while chunk + 4 <= chunks {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            let base = kt + chunk * 16
            for c in 0..<headWidth {
                let qc = SIMD16<Float>(repeating: q[c])
                let row = base + c * paddedLength
                a0 = a0.addingProduct(qc, VectorOps.load(row)); a1 = a1.addingProduct(qc, VectorOps.load(row + 16))
                a2 = a2.addingProduct(qc, VectorOps.load(row + 32)); a3 = a3.addingProduct(qc, VectorOps.load(row + 48))
            }
            let out = s + chunk * 16
            VectorOps.store(a0 * factor, out); VectorOps.store(a1 * factor, out + 16)
            VectorOps.store(a2 * factor, out + 32); VectorOps.store(a3 * factor, out + 48)
            chunk += 4
        }
        while chunk < chunks {
            var acc = SIMD16<Float>()
            for c in 0..<headWidth {
                acc = acc.addingProduct(SIMD16(repeating: q[c]), VectorOps.load(kt + c * paddedLength + chunk * 16))
            }
            VectorOps.store(acc * factor, s + chunk * 16)
            chunk += 1
        }
    }

    /// s[j] = exp(s[j] − shift) for j ≤ last, 0 beyond; returns Σ s[j].
    @inline(__always)
    func exponentiate(_ s: UnsafeMutablePointer<Float>, chunks: Int, last: Int, shift: Float) -> Float {
        var total = SIMD16<Float>()
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        for chunk in 0..<chunks {
            var e = VectorMath.exp(VectorOps.load(s + chunk * 16) - shift)
            e.replace(with: 0, where: lanes &+ Int32(chunk * 16) .> Int32(last))
            VectorOps.store(e, s + chunk * 16)
            total += e
        }
        return total.sum()
    }

    /// kt[c][j] = x[b, j, column + c], zero-padded to paddedLength keys.
    func gatherTransposed(_ x: UnsafePointer<Float>, b: Int, column: Int, into kt: UnsafeMutablePointer<Float>) {
        kt.update(repeating: 0, count: headWidth * paddedLength)
        for j in 0..<length {
            let src = x + (b * length + j) * 3 * width + column
            for c in 0..<headWidth { kt[c * paddedLength + j] = src[c] }
        }
    }

    /// rows[j][c] = x[b, j, column + c], zero-padded to paddedHead columns.
    func gatherRows(_ x: UnsafePointer<Float>, b: Int, column: Int, rowWidth: Int? = nil,
                    into rows: UnsafeMutablePointer<Float>) {
        let stride = rowWidth ?? 3 * width
        rows.update(repeating: 0, count: length * paddedHead)
        for j in 0..<length {
            (rows + j * paddedHead).update(from: x + (b * length + j) * stride + column, count: headWidth)
        }
    }
}
