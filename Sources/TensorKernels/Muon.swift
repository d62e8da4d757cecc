/// Muon (KellerJordan/Muon) for 2-D weight matrices: heavy-ball momentum with a Nesterov look-ahead,
/// orthogonalised by five Newton–Schulz iterations, scaled by max(1, rows/cols)^0.5:
///
///     M ← β·M + (1−β)·G;  U = (1−β)·G + β·M;  X = NS₅(U / (‖U‖_F + 1e−7));
///     W ← W·(1 − lr·wd) − lr·max(1, rows/cols)^0.5 · X
///
/// NS₅ works on the wide orientation (rows ≤ cols, transposing a tall matrix): five times
/// A = X·Xᵀ, B = b·A + c·A·A, X = a·X + B·X with (a, b, c) = (3.4445, −4.7750, 2.0315).
/// Every product goes through `Gemm`, whose sums do not depend on the thread count, and the
/// norm is summed serially in Double, so an update is bitwise the same for any thread count.
public final class Muon: @unchecked Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        /// Muon's learning rate as a multiple of the schedule's (AdamW's) rate at each step.
        public var learningRateScale: Float
        public var momentum: Float
        /// Momentum rises linearly from `warmupMomentum` to `momentum` over these updates.
        public var momentumWarmupSteps: Int
        public var warmupMomentum: Float
        public var weightDecay: Float

        public init(learningRateScale: Float, momentum: Float = 0.95, momentumWarmupSteps: Int = 0,
                    warmupMomentum: Float = 0.85, weightDecay: Float = 0) {
            self.learningRateScale = learningRateScale
            self.momentum = momentum
            self.momentumWarmupSteps = momentumWarmupSteps
            self.warmupMomentum = warmupMomentum
            self.weightDecay = weightDecay
        }

        /// β used by update number `step` (counting from 1).
        public func momentum(at step: Int) -> Float {
            guard momentumWarmupSteps > 0, step < momentumWarmupSteps else { return momentum }
            let t = Float(step) / Float(momentumWarmupSteps)
            return warmupMomentum + (momentum - warmupMomentum) * t
        }
    }

    /// One weight matrix [rows × cols], row-major at `offset` of the flat buffers.
    public struct Matrix: Sendable, Equatable {
        public var offset: Int, rows: Int, cols: Int
        public init(offset: Int, rows: Int, cols: Int) {
            self.offset = offset
            self.rows = rows
            self.cols = cols
        }
    }

    public static let coefficients: (a: Float, b: Float, c: Float) = (3.4445, -4.7750, 2.0315)
    public static let iterations = 5

    public let settings: Settings
    public let matrices: [Matrix]
    private let x, next, gram, poly: FloatBuffer

    public init(settings: Settings, matrices: [Matrix]) {
        self.settings = settings
        self.matrices = matrices
        let largest = matrices.map { $0.rows * $0.cols }.max() ?? 0
        let side = matrices.map { min($0.rows, $0.cols) }.max() ?? 0
        x = FloatBuffer(count: largest)
        next = FloatBuffer(count: largest)
        gram = FloatBuffer(count: side * side)
        poly = FloatBuffer(count: side * side)
    }

    /// One update of every matrix; `step` counts from 1. `momentum` holds M (in the flat layout).
    public func update(_ gemm: Gemm, step: Int, learningRate lr: Float, parameters: UnsafeMutablePointer<Float>,
                       gradients: UnsafePointer<Float>, momentum buffer: UnsafeMutablePointer<Float>) {
        let beta = settings.momentum(at: step)
        let rate = lr * settings.learningRateScale
        for matrix in matrices {
            let count = matrix.rows * matrix.cols
            let g = gradients + matrix.offset, m = buffer + matrix.offset, w = parameters + matrix.offset
            let tall = matrix.rows > matrix.cols
            let (p, q) = tall ? (matrix.cols, matrix.rows) : (matrix.rows, matrix.cols)
            // X holds the Nesterov update in the wide orientation.
            for i in 0..<matrix.rows {
                for j in 0..<matrix.cols {
                    let k = i * matrix.cols + j
                    m[k] += (1 - beta) * (g[k] - m[k])
                    let u = g[k] + beta * (m[k] - g[k])
                    x.pointer[tall ? j * q + i : k] = u
                }
            }
            var squares = 0.0
            for k in 0..<count { squares += Double(x.pointer[k]) * Double(x.pointer[k]) }
            let inverse = 1 / (Float(squares.squareRoot()) + 1e-7)
            for k in 0..<count { x.pointer[k] *= inverse }
            Self.orthogonalise(gemm, p: p, q: q, x: x.pointer, next: next.pointer, gram: gram.pointer, poly: poly.pointer)
            let scale = rate * Float(max(1, Double(matrix.rows) / Double(matrix.cols)).squareRoot())
            let decay = 1 - rate * settings.weightDecay
            for i in 0..<matrix.rows {
                for j in 0..<matrix.cols {
                    let k = i * matrix.cols + j
                    w[k] = w[k] * decay - scale * x.pointer[tall ? j * q + i : k]
                }
            }
        }
    }

    /// Five Newton–Schulz iterations on X [p × q] in place (p ≤ q), through `next`, `gram` and `poly`.
    static func orthogonalise(_ gemm: Gemm, p: Int, q: Int, x: UnsafeMutablePointer<Float>,
                              next: UnsafeMutablePointer<Float>, gram: UnsafeMutablePointer<Float>,
                              poly: UnsafeMutablePointer<Float>) {
        let (a, b, c) = coefficients
        let xMatrix = StridedMatrix(x, rowStride: q)
        // The optimizer stays fp32 whatever the model's matmul precision.
        for _ in 0..<iterations {
            gemm.multiply(m: p, n: p, k: q, a: xMatrix, b: xMatrix.transposed, c: gram, ldc: p, initial: .overwrite,
                          precision: .fp32)
            gemm.multiply(m: p, n: p, k: p, a: StridedMatrix(gram, rowStride: p), b: StridedMatrix(gram, rowStride: p),
                          c: poly, ldc: p, initial: .overwrite, precision: .fp32)
            for k in 0..<(p * p) { poly[k] = b * gram[k] + c * poly[k] }
            gemm.multiply(m: p, n: q, k: p, a: StridedMatrix(poly, rowStride: p), b: xMatrix, c: next, ldc: q,
                          initial: .overwrite, precision: .fp32)
            for k in 0..<(p * q) { x[k] = a * x[k] + next[k] }
        }
    }
}
