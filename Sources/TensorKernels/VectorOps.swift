/// Row primitives over contiguous floats: 16 lanes at a time, then a scalar tail. The lane
/// layout depends only on `count`, so results are reproducible.
public enum VectorOps {
    public typealias V = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = V()
        var i = 0
        while i + 16 <= count { acc += load(x + i); i += 16 }
        var total = acc.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = V()
        var i = 0
        while i + 16 <= count { acc = acc.addingProduct(load(a + i), load(b + i)); i += 16 }
        var total = acc.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Σ (x − mean)²
    @inline(__always)
    public static func squaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, mean: Float) -> Float {
        var acc = V()
        let m = V(repeating: mean)
        var i = 0
        while i + 16 <= count { let d = load(x + i) - m; acc = acc.addingProduct(d, d); i += 16 }
        var total = acc.sum()
        while i < count { let d = x[i] - mean; total += d * d; i += 1 }
        return total
    }

    /// Σ a·b·(x − mean)
    @inline(__always)
    public static func centredDot(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, _ count: Int
    ) -> Float {
        var acc = V()
        let m = V(repeating: mean)
        var i = 0
        while i + 16 <= count { acc = acc.addingProduct(load(a + i) * load(b + i), load(x + i) - m); i += 16 }
        var total = acc.sum()
        while i < count { total += a[i] * b[i] * (x[i] - mean); i += 1 }
        return total
    }

    /// y += alpha·x
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let a = V(repeating: alpha)
        var i = 0
        while i + 16 <= count { store(load(y + i).addingProduct(a, load(x + i)), y + i); i += 16 }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }

    /// out[0..<width] = Σ_r weights[r·weightStride]·rows[r·rowStride ..< r·rowStride + width] over
    /// `count` rows, summed in row order; width is a multiple of 16. Columns go 64 at a time
    /// through four register accumulators, so `out` is written once.
    @inline(__always)
    public static func weightedSum(
        weights: UnsafePointer<Float>, weightStride: Int = 1, count: Int, rows: UnsafePointer<Float>, rowStride: Int,
        width: Int, into out: UnsafeMutablePointer<Float>
    ) {
        var c = 0
        while c + 64 <= width {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            for r in 0..<count {
                let w = V(repeating: weights[r * weightStride])
                let row = rows + r * rowStride + c
                a0 = a0.addingProduct(w, load(row)); a1 = a1.addingProduct(w, load(row + 16))
                a2 = a2.addingProduct(w, load(row + 32)); a3 = a3.addingProduct(w, load(row + 48))
            }
            store(a0, out + c); store(a1, out + c + 16); store(a2, out + c + 32); store(a3, out + c + 48)
            c += 64
        }
        while c < width {
            var a = V()
            for r in 0..<count { a = a.addingProduct(V(repeating: weights[r * weightStride]), load(rows + r * rowStride + c)) }
            store(a, out + c)
            c += 16
        }
    }

    /// The maximum and the index of its first occurrence (as torch.argmax).
    @inline(__always)
    public static func argmax(_ x: UnsafePointer<Float>, _ count: Int) -> (index: Int, value: Float) {
        var acc = V(repeating: -.infinity)
        var i = 0
        while i + 16 <= count {
            let v = load(x + i)
            acc.replace(with: v, where: v .> acc)
            i += 16
        }
        var best = acc.max()
        while i < count { best = Swift.max(best, x[i]); i += 1 }
        let target = V(repeating: best)
        i = 0
        while i + 16 <= count, !any(load(x + i) .== target) { i += 16 }
        while i < count, x[i] != best { i += 1 }
        // Only NaNs compare unequal to everything: report NaN rather than read past the row.
        return i < count ? (i, best) : (0, .nan)
    }
}
