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
        2 * headWidth * paddedLength + 3 * length * paddedHead + 2 * length * paddedLength + paddedHead
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
            let scores = v + length * paddedHead            // [4][paddedLength]
            let o = scores + 4 * paddedLength               // [paddedHead]
            gatherTransposed(qkv, b: b, column: width + h * headWidth, into: kt)
            gatherRows(qkv, b: b, column: 2 * width + h * headWidth, into: v)
            var first = 0
            while first < length {
                let queries = min(4, length - first)
                scoreBlock(q: qkv + (b * length + first) * 3 * width + h * headWidth, qStride: 3 * width,
                           queries: queries, kt: kt, chunks: (first + queries - 1) / 16 + 1, into: scores)
                for r in 0..<queries {
                    let i = first + r, s = scores + r * paddedLength
                    var m = -Float.infinity
                    for j in 0...i { m = max(m, s[j]) }
                    let total = exponentiate(s, chunks: i / 16 + 1, last: i, shift: m)
                    lse[task * length + i] = m + Foundation.log(total)
                    let inverse = 1 / total
                    for j in 0...i { s[j] *= inverse }
                    VectorOps.weightedSum(weights: s, count: i + 1, rows: v, rowStride: paddedHead, width: paddedHead, into: o)
                    (out + (b * length + i) * width + h * headWidth).update(from: o, count: headWidth)
                }
                first += queries
            }
        }
    }

    /// Writes dqkv (all three parts) from dOut, recomputing the probabilities from lse.
    /// P and dS are kept per (sequence, head): row i of dS gives dq_i, column j of dS and P give
    /// dk_j and dv_j, so every gradient row is one register-accumulated weighted sum.
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
            let p = g + length * paddedHead, ds = p + length * paddedLength   // [query i][key j]
            let row = ds + length * paddedLength
            let qColumn = h * headWidth, kColumn = width + h * headWidth, vColumn = 2 * width + h * headWidth
            gatherTransposed(qkv, b: b, column: kColumn, into: kt)
            gatherTransposed(qkv, b: b, column: vColumn, into: vt)
            gatherRows(qkv, b: b, column: kColumn, into: k)
            gatherRows(qkv, b: b, column: qColumn, into: q)
            gatherRows(dOut, b: b, column: h * headWidth, rowWidth: width, into: g)
            var first = 0
            while first < length {
                let queries = min(4, length - first), chunks = (first + queries - 1) / 16 + 1
                scoreBlock(q: q + first * paddedHead, qStride: paddedHead, queries: queries, kt: kt, chunks: chunks,
                           into: p + first * paddedLength)
                scoreBlock(q: g + first * paddedHead, qStride: paddedHead, queries: queries, kt: vt, chunks: chunks,
                           scaled: false, into: ds + first * paddedLength)
                for r in 0..<queries {
                    let i = first + r, pi = p + i * paddedLength, dsi = ds + i * paddedLength
                    let d = VectorOps.dot(g + i * paddedHead, out + (b * length + i) * width + h * headWidth, headWidth)
                    _ = exponentiate(pi, chunks: i / 16 + 1, last: i, shift: lse[task * length + i])
                    for j in 0...i { dsi[j] = pi[j] * (dsi[j] - d) * scale }
                    VectorOps.weightedSum(weights: dsi, count: i + 1, rows: k, rowStride: paddedHead, width: paddedHead, into: row)
                    (dqkv + (b * length + i) * 3 * width + qColumn).update(from: row, count: headWidth)
                }
                first += queries
            }
            for j in 0..<length {
                let target = dqkv + (b * length + j) * 3 * width
                let span = length - j
                VectorOps.weightedSum(weights: ds + j * paddedLength + j, weightStride: paddedLength, count: span,
                                      rows: q + j * paddedHead, rowStride: paddedHead, width: paddedHead, into: row)
                (target + kColumn).update(from: row, count: headWidth)
                VectorOps.weightedSum(weights: p + j * paddedLength + j, weightStride: paddedLength, count: span,
                                      rows: g + j * paddedHead, rowStride: paddedHead, width: paddedHead, into: row)
                (target + vColumn).update(from: row, count: headWidth)
            }
        }
    }

    // MARK: helpers

    /// s[r][j] = scale·(q_r·key_j) for `queries` (1...4) query rows `qStride` apart and keys
    /// j < 16·chunks; kt is [hw][paddedLength], s rows are paddedLength apart. Four queries share
    /// every load of kt; each score sums c = 0..<hw in order, so grouping never changes a bit.
    @inline(__always)
    func scoreBlock(q: UnsafePointer<Float>, qStride: Int, queries: Int, kt: UnsafePointer<Float>, chunks: Int,
                    scaled: Bool = true, into s: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let factor = scaled ? scale : 1
        guard queries == 4 else {
            for r in 0..<queries {
                for chunk in 0..<chunks {
                    var acc = V()
                    for c in 0..<headWidth {
                        acc = acc.addingProduct(V(repeating: q[r * qStride + c]), VectorOps.load(kt + c * paddedLength + chunk * 16))
                    }
                    VectorOps.store(acc * factor, s + r * paddedLength + chunk * 16)
                }
            }
            return
        }
        let q0 = q, q1 = q + qStride, q2 = q + 2 * qStride, q3 = q + 3 * qStride
        var chunk = 0
        while chunk + 2 <= chunks {
            var a00 = V(), a01 = V(), a10 = V(), a11 = V(), a20 = V(), a21 = V(), a30 = V(), a31 = V()
            let base = kt + chunk * 16
            for c in 0..<headWidth {
                let k0 = VectorOps.load(base + c * paddedLength), k1 = VectorOps.load(base + c * paddedLength + 16)
                let b0 = V(repeating: q0[c]), b1 = V(repeating: q1[c]), b2 = V(repeating: q2[c]), b3 = V(repeating: q3[c])
                a00 = a00.addingProduct(b0, k0); a01 = a01.addingProduct(b0, k1)
                a10 = a10.addingProduct(b1, k0); a11 = a11.addingProduct(b1, k1)
                a20 = a20.addingProduct(b2, k0); a21 = a21.addingProduct(b2, k1)
                a30 = a30.addingProduct(b3, k0); a31 = a31.addingProduct(b3, k1)
            }
            let out = s + chunk * 16
            VectorOps.store(a00 * factor, out); VectorOps.store(a01 * factor, out + 16)
            VectorOps.store(a10 * factor, out + paddedLength); VectorOps.store(a11 * factor, out + paddedLength + 16)
            VectorOps.store(a20 * factor, out + 2 * paddedLength); VectorOps.store(a21 * factor, out + 2 * paddedLength + 16)
            VectorOps.store(a30 * factor, out + 3 * paddedLength); VectorOps.store(a31 * factor, out + 3 * paddedLength + 16)
            chunk += 2
        }
        if chunk < chunks {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            for c in 0..<headWidth {
                let key = VectorOps.load(kt + c * paddedLength + chunk * 16)
                a0 = a0.addingProduct(V(repeating: q0[c]), key); a1 = a1.addingProduct(V(repeating: q1[c]), key)
                a2 = a2.addingProduct(V(repeating: q2[c]), key); a3 = a3.addingProduct(V(repeating: q3[c]), key)
            }
            let out = s + chunk * 16
            VectorOps.store(a0 * factor, out); VectorOps.store(a1 * factor, out + paddedLength)
            VectorOps.store(a2 * factor, out + 2 * paddedLength); VectorOps.store(a3 * factor, out + 3 * paddedLength)
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
