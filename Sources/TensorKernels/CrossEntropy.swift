import Foundation

/// Fused softmax + cross-entropy with label smoothing and an ignored target, over [rows × vocab]
/// logits. Matches torch.nn.functional.cross_entropy(label_smoothing: ε, ignore_index:,
/// reduction: "mean"): per row (1−ε)·(lse − z_y) + ε·(lse − mean_j z_j), averaged over the rows
/// whose target is not ignored.
///
/// With `gradient`, the logits are overwritten in place by ∂loss/∂logits =
/// (softmax − (1−ε)·onehot − ε/V) / n, so one V-sized row per token is ever written.
public enum CrossEntropy {
    public struct Result: Sendable, Equatable {
        public var loss: Float
        /// Fraction of counted rows whose argmax is the target.
        public var accuracy: Float
        /// Rows whose target is not ignored.
        public var counted: Int
        /// Sum over counted rows of the unsmoothed loss −log p(target), for perplexity.
        public var targetNLLSum: Double

        public init(loss: Float, accuracy: Float, counted: Int, targetNLLSum: Double) {
            self.loss = loss
            self.accuracy = accuracy
            self.counted = counted
            self.targetNLLSum = targetNLLSum
        }
    }

    /// `rowScratch` receives per-row loss, NLL and hit (3 floats per row); rows are
    /// then summed in order in Double, so the result is exact for any thread count.
    public static func compute(
        _ pool: WorkerPool, rows: Int, vocab: Int, logits: UnsafeMutablePointer<Float>,
        targets: UnsafePointer<Int32>, ignoreIndex: Int32 = -100, smoothing: Float,
        gradient: Bool, rowScratch: UnsafeMutablePointer<Float>
    ) -> Result {
        var counted = 0
        for i in 0..<rows where targets[i] != ignoreIndex {
            precondition(targets[i] >= 0 && Int(targets[i]) < vocab,
                         "CrossEntropy: target \(targets[i]) at row \(i) is outside 0..<\(vocab)")
            counted += 1
        }
        let norm = counted > 0 ? 1 / Float(counted) : 0
        let chunk = Partition.rowsPerTask(rows: rows, width: vocab, work: 65_536)
        pool.run(Partition.chunks(rows, of: chunk)) { task, _ in
            for i in Partition.range(task, of: chunk, in: rows) {
                row(i, vocab: vocab, logits: logits + i * vocab, target: targets[i], ignoreIndex: ignoreIndex,
                    smoothing: smoothing, gradient: gradient, norm: norm, out: rowScratch + 3 * i)
            }
        }
        var loss = 0.0, nll = 0.0, correct = 0
        for i in 0..<rows where targets[i] != ignoreIndex {
            loss += Double(rowScratch[3 * i])
            nll += Double(rowScratch[3 * i + 1])
            if rowScratch[3 * i + 2] != 0 { correct += 1 }
        }
        return Result(loss: Float(loss * Double(norm)), accuracy: counted > 0 ? Float(correct) / Float(counted) : 0,
                      counted: counted, targetNLLSum: nll)
    }

    /// Floats of row scratch `compute` needs.
    public static func scratchFloats(rows: Int) -> Int { 3 * rows }

    @inline(__always)
    static func row(
        _ i: Int, vocab: Int, logits z: UnsafeMutablePointer<Float>, target: Int32, ignoreIndex: Int32,
        smoothing: Float, gradient: Bool, norm: Float, out: UnsafeMutablePointer<Float>
    ) {
        if target == ignoreIndex {
            out[0] = 0; out[1] = 0; out[2] = 0
            if gradient { z.update(repeating: 0, count: vocab) }
            return
        }
        // The maximum and its index; then one pass for the logits' sum and the exponentials
        // (kept in z when a gradient follows); then the gradient.
        let (best, m) = VectorOps.argmax(z, vocab)
        let zTarget = z[Int(target)]
        var sumLanes = SIMD16<Float>(), expLanes = SIMD16<Float>()
        var j = 0
        while j + 16 <= vocab {
            let v = VectorOps.load(z + j)
            sumLanes += v
            let e = VectorMath.exp(v - m)
            if gradient { VectorOps.store(e, z + j) }
            expLanes += e
            j += 16
        }
        var zSum = sumLanes.sum(), total = expLanes.sum()
        while j < vocab {
            zSum += z[j]
            let e = VectorMath.exp(z[j] - m)
            if gradient { z[j] = e }
            total += e
            j += 1
        }
        let lse = Double(m) + Foundation.log(Double(total))
        let nll = lse - Double(zTarget)
        let smooth = lse - Double(zSum) / Double(vocab)
        out[0] = Float((1 - Double(smoothing)) * nll + Double(smoothing) * smooth)
        out[1] = Float(nll)
        out[2] = best == Int(target) ? 1 : 0
        guard gradient else { return }
        let scale = SIMD16<Float>(repeating: norm / total)
        let offset = SIMD16<Float>(repeating: smoothing / Float(vocab) * norm)
        j = 0
        while j + 16 <= vocab {
            VectorOps.store(VectorOps.load(z + j) * scale - offset, z + j)
            j += 16
        }
        while j < vocab { z[j] = z[j] * scale[0] - offset[0]; j += 1 }
        z[Int(target)] -= (1 - smoothing) * norm
    }
}
