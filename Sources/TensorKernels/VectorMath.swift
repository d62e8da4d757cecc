/// Vectorised transcendental functions for the kernels' inner loops. Pure arithmetic, so every
/// build on every thread gives the same bits; accuracy is stated per function.
public enum VectorMath {
    public typealias V = SIMD16<Float>

    /// eˣ, relative error below 2e-7 on [-87, 88]; clamps outside (never inf or NaN for finite x).
    @inline(__always)
    public static func exp(_ x: V) -> V {
        // Comparisons and blends: the generic clamped(lowerBound:upperBound:) is not specialised.
        let low = V(repeating: -87.3), high = V(repeating: 88.3)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick; r = x − n·ln2 in two parts.
        let magic = V(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped.addingProduct(n, V(repeating: -0.693_359_375))
        r = r.addingProduct(n, V(repeating: 2.121_944_4e-4))
        var p = V(repeating: 1.987_569_15e-4)
        p = V(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = V(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = V(repeating: 4.166_579_6e-2).addingProduct(p, r)
        p = V(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = V(repeating: 5.000_000_1e-1).addingProduct(p, r)
        let poly = (p * (r * r)) + r + 1
        let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: V.self)
        return poly * scale
    }

    /// erf(x) by Abramowitz–Stegun 7.1.26 (bound 1.5e-7) in fp32: absolute error below 4e-7.
    @inline(__always)
    public static func erf(_ x: V) -> V {
        let ax = magnitude(x)
        let u = 1 / (ax * 0.327_591_1 + 1)
        var p = V(repeating: 1.061_405_429)
        p = V(repeating: -1.453_152_027).addingProduct(p, u)
        p = V(repeating: 1.421_413_741).addingProduct(p, u)
        p = V(repeating: -0.284_496_736).addingProduct(p, u)
        p = V(repeating: 0.254_829_592).addingProduct(p, u)
        let y: V = 1 - p * u * exp(V() - ax * ax)
        return y.replacing(with: -y, where: x .< 0)
    }

    /// tanh(x) = 1 − 2/(e^{2|x|}+1) with the sign restored: absolute error below 3e-7.
    @inline(__always)
    public static func tanh(_ x: V) -> V {
        let ax = magnitude(x)
        let y: V = 1 - 2 / (exp(ax + ax) + 1)
        return y.replacing(with: -y, where: x .< 0)
    }

    /// |x| by clearing the sign bits.
    @inline(__always)
    public static func magnitude(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
    }

    /// The scalar versions evaluate lane 0 of the vector code, so scalar tails agree bit for bit.
    @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }
    @inline(__always)
    public static func erf(_ x: Float) -> Float { erf(V(repeating: x))[0] }
    @inline(__always)
    public static func tanh(_ x: Float) -> Float { tanh(V(repeating: x))[0] }
}
