/// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: if ‖g‖₂ > maxNorm, scale
/// every gradient by maxNorm / (‖g‖₂ + 1e-6).
///
/// The squared norm is summed in Double over fixed chunks, then the chunk sums in order: the
/// same bits for any thread count.
public final class GradientClipping: @unchecked Sendable {
    static let chunk = 65_536
    public let count: Int
    private let partials: UnsafeMutablePointer<Double>
    private let chunks: Int

    public init(count: Int) {
        self.count = count
        chunks = Partition.chunks(count, of: Self.chunk)
        partials = .allocate(capacity: max(chunks, 1))
    }

    deinit { partials.deallocate() }

    public func norm(_ pool: WorkerPool, gradients: UnsafePointer<Float>) -> Float {
        let partials = self.partials, count = self.count
        pool.run(chunks) { task, _ in
            var lanes = SIMD8<Double>()
            let range = Partition.range(task, of: Self.chunk, in: count)
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = SIMD8<Double>(UnsafeRawPointer(gradients + i).loadUnaligned(as: SIMD8<Float>.self))
                lanes = lanes.addingProduct(v, v)
                i += 8
            }
            var total = lanes.sum()
            while i < range.upperBound { total += Double(gradients[i]) * Double(gradients[i]); i += 1 }
            partials[task] = total
        }
        var total = 0.0
        for c in 0..<chunks { total += partials[c] }
        return Float(total.squareRoot())
    }

    /// Returns the norm before clipping.
    @discardableResult
    public func clip(_ pool: WorkerPool, gradients: UnsafeMutablePointer<Float>, maxNorm: Float) -> Float {
        let total = norm(pool, gradients: gradients)
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            let count = self.count
            pool.run(Partition.chunks(count, of: Self.chunk)) { task, _ in
                for i in Partition.range(task, of: Self.chunk, in: count) { gradients[i] *= coefficient }
            }
        }
        return total
    }
}
