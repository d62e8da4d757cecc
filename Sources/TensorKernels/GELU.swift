/// GELU activation: exact x·Φ(x) through erf (PyTorch's default) or the tanh approximation.
public enum GELU {
    public enum Kind: String, Sendable, Codable, CaseIterable { case erf, tanh }

    typealias V = SIMD16<Float>
    static let sqrtHalf: Float = 0.707_106_781_186_547_5
    static let invSqrt2Pi: Float = 0.398_942_280_401_432_7
    static let sqrt2OverPi: Float = 0.797_884_560_802_865_4
    static let cubic: Float = 0.044_715

    /// y = gelu(x); y may alias x.
    public static func forward(
        _ pool: WorkerPool, kind: Kind, count: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    ) {
        Elementwise.map(pool, count: count) { i, lanes in
            let v = Elementwise.load(x + i, lanes: lanes)
            Elementwise.store(value(kind, v), y + i, lanes: lanes)
        }
    }

    /// dx = dy·gelu′(x); dx may alias dy.
    public static func backward(
        _ pool: WorkerPool, kind: Kind, count: Int, x: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        Elementwise.map(pool, count: count) { i, lanes in
            let v = Elementwise.load(x + i, lanes: lanes)
            let g = Elementwise.load(dy + i, lanes: lanes)
            Elementwise.store(g * derivative(kind, v), dx + i, lanes: lanes)
        }
    }

    @inline(__always)
    static func value(_ kind: Kind, _ x: V) -> V {
        let half: V = 0.5 * x
        switch kind {
        case .erf: return half * (1 + VectorMath.erf(x * sqrtHalf))
        case .tanh: return half * (1 + VectorMath.tanh(inner(x)))
        }
    }

    @inline(__always)
    static func derivative(_ kind: Kind, _ x: V) -> V {
        switch kind {
        case .erf:
            let cdf: V = 0.5 * (1 + VectorMath.erf(x * sqrtHalf))
            let pdf: V = invSqrt2Pi * VectorMath.exp(-0.5 * x * x)
            return cdf + x * pdf
        case .tanh:
            let t = VectorMath.tanh(inner(x))
            let slope: V = sqrt2OverPi * (1 + (3 * cubic) * x * x)
            let left: V = 0.5 * (1 + t)
            let right: V = 0.5 * x * (1 - t * t)
            return left + right * slope
        }
    }

    /// √(2/π)·(x + 0.044715·x³)
    @inline(__always)
    static func inner(_ x: V) -> V {
        let cube: V = x * x * x
        return sqrt2OverPi * x.addingProduct(cube, V(repeating: cubic))
    }
}
