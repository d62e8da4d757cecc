/// AdamW over flat parameter, gradient and moment buffers, with PyTorch's update order:
/// p ← p·(1 − lr·wd); m ← lerp(m, g, 1−β1); v ← β2·v + (1−β2)·g²;
/// p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps).
public struct AdamW: Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
        public init(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
        }
    }

    /// A contiguous run of parameters and whether weight decay applies to it.
    public struct Segment: Sendable, Equatable {
        public var offset: Int, count: Int, decays: Bool
        public init(offset: Int, count: Int, decays: Bool) {
            self.offset = offset
            self.count = count
            self.decays = decays
        }
    }

    public let settings: Settings
    private let tasks: [Segment]
    static let chunk = 16_384

    public init(settings: Settings, segments: [Segment]) {
        self.settings = settings
        tasks = segments.flatMap { segment in
            (0..<Partition.chunks(segment.count, of: Self.chunk)).map { index in
                let range = Partition.range(index, of: Self.chunk, in: segment.count)
                return Segment(offset: segment.offset + range.lowerBound, count: range.count, decays: segment.decays)
            }
        }
    }

    /// One update; `step` counts from 1.
    public func update(
        _ pool: WorkerPool, step: Int, learningRate lr: Float,
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>
    ) {
        precondition(step >= 1, "AdamW: step \(step) must count from 1")
        let s = settings
        let correction1 = 1 - Float(Double(s.beta1).power(step))
        let correction2Root = Float(Double(1 - Float(Double(s.beta2).power(step))).squareRoot())
        let stepSize = lr / correction1
        pool.run(tasks.count) { task, _ in
            let segment = tasks[task]
            let decay = segment.decays ? 1 - lr * s.weightDecay : 1
            let p = parameters + segment.offset, g = gradients + segment.offset
            let mm = m + segment.offset, vv = v + segment.offset
            // 16 lanes at a time; the last partial group padded with zeros (whose update stays
            // finite) and stored back only where it is real. The same operations per element in
            // the same order as a scalar loop (no fused multiply-add), so the bits do not depend on
            // where an element falls.
            var i = 0
            while i < segment.count {
                let lanes = min(16, segment.count - i)
                let gi = Self.load(g + i, lanes), mi0 = Self.load(mm + i, lanes)
                let pi = Self.load(p + i, lanes) * decay
                let mi = mi0 + (1 - s.beta1) * (gi - mi0)
                let vi = Self.load(vv + i, lanes) * s.beta2 + (1 - s.beta2) * gi * gi
                Self.store(mi, mm + i, lanes)
                Self.store(vi, vv + i, lanes)
                Self.store(pi - stepSize * mi / (vi.squareRoot() / correction2Root + VectorOps.V(repeating: s.eps)), p + i, lanes)
                i += lanes
            }
        }
    }
}

extension AdamW {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ lanes: Int) -> VectorOps.V {
        if lanes == 16 { return VectorOps.load(p) }
        var v = VectorOps.V()
        for j in 0..<lanes { v[j] = p[j] }
        return v
    }

    @inline(__always)
    static func store(_ v: VectorOps.V, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 16 { return VectorOps.store(v, p) }
        for j in 0..<lanes { p[j] = v[j] }
    }
}

extension Double {
    /// self^n by repeated multiplication, as Python's float ** int for small n is not needed exactly;
    /// Foundation.pow is avoided so the kernels do not depend on libm's pow rounding.
    func power(_ n: Int) -> Double {
        var result = 1.0, base = self, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
