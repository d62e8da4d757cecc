/// exp over a row of logits, eight lanes at a time: Cephes' single-precision polynomial
/// (relative error about 2e-7), with the same bits on every machine, unlike a libm call per
/// element, which also costs several times more at V = 8192.
enum VectorExp {
    /// Writes exp(xᵢ − shift) into `out` and returns their sum, accumulated in `Double`.
    /// Meant for shift ≥ max xᵢ (a softmax); results below e⁻⁸⁷ are 0.
    static func shiftedExp(_ x: UnsafeBufferPointer<Float>, shift: Float, into out: UnsafeMutableBufferPointer<Float>) -> Double {
        precondition(out.count >= x.count, "output row has \(out.count) entries for \(x.count) inputs")
        guard let src = x.baseAddress, let dst = out.baseAddress else { return 0 }
        var sum = 0.0
        var i = 0
        while i + 8 <= x.count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self) - shift
            let e = exp8(v)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: e, as: SIMD8<Float>.self)
            sum += Double(e.sum())
            i += 8
        }
        while i < x.count {
            var v = SIMD8<Float>(repeating: -100)
            v[0] = src[i] - shift
            dst[i] = exp8(v)[0]
            sum += Double(dst[i])
            i += 1
        }
        return sum
    }

    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lo = SIMD8<Float>(repeating: -87.33), hi = SIMD8<Float>(repeating: 88)
        let c = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
        // Adding 1.5·2²³ rounds c·log₂e to the nearest integer n and leaves n in the low
        // mantissa bits: plain adds, no per-lane rounding calls.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = c * 1.442_695_04 + magic
        let n = shifted - magic
        // r = c − n·ln 2 with ln 2 in two parts, so r stays accurate for large |n|.
        let r = c - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
        // Below e⁻⁸⁷·³³ the result is 0: clear every bit of those lanes.
        let keep = unsafeBitCast(x .>= lo, to: SIMD8<Int32>.self)
        return unsafeBitCast(unsafeBitCast(p * scale, to: SIMD8<Int32>.self) & keep, to: SIMD8<Float>.self)
    }
}
