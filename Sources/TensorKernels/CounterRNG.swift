import Foundation

/// A counter-based random generator: the value at (key, counter) is a pure function of both,
/// so any element can be drawn on any thread in any order and still give the same bits.
/// The mixer is SplitMix64's finaliser applied to key ⊕ counter·γ (Steele, Lea & Flood, 2014).
public struct CounterRNG: Sendable, Hashable {
    public let key: UInt64

    public init(seed: UInt64, stream: UInt64 = 0) {
        key = Self.mix(seed &+ Self.mix(stream &+ 0x6A09_E667_F3BC_C909))
    }

    /// A derived generator, e.g. one per training step and dropout site.
    public func derived(_ stream: UInt64) -> CounterRNG { CounterRNG(seed: key, stream: stream) }

    @inline(__always)
    public func bits(_ counter: UInt64) -> UInt64 {
        Self.mix(key &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public func uniform(_ counter: UInt64) -> Float {
        Float(bits(counter) >> 40) * 0x1p-24
    }

    /// Standard normal by Box–Muller on two uniforms drawn from counters 2n and 2n+1 (in Double).
    public func normal(_ counter: UInt64) -> Float {
        let u1 = (Double(bits(2 &* counter) >> 11) + 1) * 0x1p-53
        let u2 = Double(bits(2 &* counter &+ 1) >> 11) * 0x1p-53
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
