import Foundation

/// Rotary position embeddings (RoPE) on the q and k columns of a packed [tokens × 3·width]
/// q|k|v buffer, in the "rotate half" pairing that Hugging Face's Llama and Qwen3 use: within
/// each head, dimension i is paired with i + headWidth/2 and rotated by position·θ^(−2i/headWidth).
public struct Rotary: Sendable {
    public let headWidth: Int, positions: Int
    /// cos and sin per position and pair: [positions × headWidth/2] each, computed in Double.
    let cos: [Float], sin: [Float]

    public init(headWidth: Int, positions: Int, theta: Double) {
        precondition(headWidth % 2 == 0, "Rotary: head width \(headWidth) is odd")
        self.headWidth = headWidth
        self.positions = positions
        let half = headWidth / 2
        var cos = [Float](repeating: 0, count: positions * half), sin = cos
        for p in 0..<positions {
            for i in 0..<half {
                let angle = Double(p) * Foundation.pow(theta, -Double(2 * i) / Double(headWidth))
                cos[p * half + i] = Float(Foundation.cos(angle))
                sin[p * half + i] = Float(Foundation.sin(angle))
            }
        }
        self.cos = cos
        self.sin = sin
    }

    /// Rotates q and k in place for `batch` sequences of `length` tokens starting at position
    /// `start` (the KV cache feeds one token at a time); `inverse` rotates back, which is the
    /// backward pass (a rotation's transpose is its inverse).
    public func apply(_ pool: WorkerPool, batch: Int, length: Int, start: Int = 0, width: Int,
                      qkv: UnsafeMutablePointer<Float>, inverse: Bool = false) {
        let half = headWidth / 2, heads = width / headWidth
        let sign: Float = inverse ? -1 : 1
        cos.withUnsafeBufferPointer { cos in
            sin.withUnsafeBufferPointer { sin in
                let tokens = batch * length
                let chunk = Partition.rowsPerTask(rows: tokens, width: 2 * width)
                pool.run(Partition.chunks(tokens, of: chunk)) { task, _ in
                    for row in Partition.range(task, of: chunk, in: tokens) {
                        let p = start + row % length
                        let c = cos.baseAddress! + p * half, s = sin.baseAddress! + p * half
                        for h in 0..<(2 * heads) {
                            let x = qkv + row * 3 * width + h * headWidth
                            for i in 0..<half {
                                let a = x[i], b = x[i + half], si = sign * s[i]
                                x[i] = a * c[i] - b * si
                                x[i + half] = b * c[i] + a * si
                            }
                        }
                    }
                }
            }
        }
    }
}
