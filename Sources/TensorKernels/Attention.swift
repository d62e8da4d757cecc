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
    public var scratchFloats: Int { 2 * headWidth * paddedLength + 5 * length * paddedHead + 2 * paddedLength + paddedHead }

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
                o.update(repeating: 0, count: paddedHead)
                let inverse = 1 / total
                for j in 0...i { VectorOps.axpy(s[j] * inverse, v + j * paddedHead, o, paddedHead) }
                (out + (b * length + i) * width + h * headWidth).update(from: o, count: headWidth)
            }
        }
    }

    /// Writes dqkv (all three parts) from dOut, recomputing the probabilities from lse.
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
            let dk = g + length * paddedHead, dv = dk + length * paddedHead
            let s = dv + length * paddedHead, dp = s + paddedLength, dq = dp + paddedLength
            let qColumn = h * headWidth, kColumn = width + h * headWidth, vColumn = 2 * width + h * headWidth
            gatherTransposed(qkv, b: b, column: kColumn, into: kt)
            gatherTransposed(qkv, b: b, column: vColumn, into: vt)
            gatherRows(qkv, b: b, column: kColumn, into: k)
            gatherRows(qkv, b: b, column: qColumn, into: q)
            gatherRows(dOut, b: b, column: h * headWidth, rowWidth: width, into: g)
            dk.update(repeating: 0, count: 2 * length * paddedHead)
            for i in 0..<length {
                let row = (b * length + i)
                let chunks = i / 16 + 1
                let gi = g + i * paddedHead
                let d = VectorOps.dot(gi, out + row * width + h * headWidth, headWidth)
                scores(q: q + i * paddedHead, kt: kt, chunks: chunks, into: s)
                _ = exponentiate(s, chunks: chunks, last: i, shift: lse[task * length + i])
                scores(q: gi, kt: vt, chunks: chunks, scaled: false, into: dp)
                dq.update(repeating: 0, count: paddedHead)
                for j in 0...i {
                    let ds = s[j] * (dp[j] - d) * scale
                    VectorOps.axpy(ds, k + j * paddedHead, dq, paddedHead)
                    VectorOps.axpy(ds, q + i * paddedHead, dk + j * paddedHead, paddedHead)
                    VectorOps.axpy(s[j], gi, dv + j * paddedHead, paddedHead)
                }
                (dqkv + row * 3 * width + qColumn).update(from: dq, count: headWidth)
            }
            for j in 0..<length {
                let row = dqkv + (b * length + j) * 3 * width
                (row + kColumn).update(from: dk + j * paddedHead, count: headWidth)
                (row + vColumn).update(from: dv + j * paddedHead, count: headWidth)
            }
        }
    }

    // MARK: helpers

    /// s[j] = scale·(q·key_j) for j < 16·chunks, 16 keys per vector step; kt is [hw][paddedLength].
    @inline(__always)
    func scores(q: UnsafePointer<Float>, kt: UnsafePointer<Float>, chunks: Int, scaled: Bool = true,
                into s: UnsafeMutablePointer<Float>) {
        let factor = scaled ? scale : 1
        for chunk in 0..<chunks {
            var acc = SIMD16<Float>()
            for c in 0..<headWidth {
                acc = acc.addingProduct(SIMD16(repeating: q[c]), VectorOps.load(kt + c * paddedLength + chunk * 16))
            }
            VectorOps.store(acc * factor, s + chunk * 16)
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
