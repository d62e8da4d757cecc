import TensorKernels

/// A GPT-style decoder-only transformer trained on the CPU with the TensorKernels:
/// token embedding (+ additive positions) → dropout → N pre-norm blocks (causal multi-head
/// attention, optionally with QK-norm and RoPE; a GELU or SwiGLU MLP; each added to the residual
/// stream after dropout) → final norm → linear head. With RMSNorm, RoPE, SwiGLU, QK-norm and no
/// biases it is the Llama / Qwen3 architecture; with learned positions and LayerNorm, GPT-2's.
///
/// A training step is `zeroGradients`, `forward(... training: true)`, `backward`,
/// `clipGradients`, `optimizerStep` — or `trainStep` for all of them. Parameters, gradients and
/// AdamW moments are flat buffers in `layout` order; `tensor(_:)` gives named views.
public final class MiniGPT {
    public let config: MiniGPTConfig
    public let layout: ParameterLayout
    public let maxBatch: Int
    public let pool: WorkerPool
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    public let optimizer: OptimizerState
    /// Dropout masks of a training forward pass are drawn from `dropoutRNG.derived(dropoutStep)`;
    /// `dropoutStep` advances by one per training forward pass. Both belong in a checkpoint.
    public var dropoutRNG: CounterRNG
    public var dropoutStep: UInt64 = 0
    /// Test-only: makes the model read the token it predicts (see NextTokenLeak.swift).
    var readsNextToken = false

    let gemm: Gemm
    let arena: ActivationArena
    let attentionScratch: WorkerScratch
    let clipping: GradientClipping
    let positionTable: FloatBuffer?
    let rotary: Rotary?
    /// Shape and dropout key of the last forward pass, which backward replays.
    var last: (batch: Int, length: Int, rng: CounterRNG?, differentiable: Bool)?

    /// Parameters drawn deterministically from `seed` (see `ParameterLayout` for the scheme).
    /// `precision` is the arithmetic of the linear layers' products (bf16 only where the CPU has
    /// it: see `matmulPrecision`); parameters, gradients, optimizer state and every other kernel stay fp32.
    /// `zeroInitOutputs` starts the head and the residual output projections at zero (see `initializeParameters`).
    public init(config: MiniGPTConfig, maxBatch: Int, seed: UInt64, threads: Int? = nil,
                optimizer settings: AdamW.Settings = .init(), muon: Muon.Settings? = nil,
                precision: Precision = .fp32, zeroInitOutputs: Bool = false) throws(MiniGPTError) {
        try config.validate()
        guard maxBatch > 0 else { throw .invalidBatch("maxBatch \(maxBatch) must be positive") }
        self.config = config
        self.maxBatch = maxBatch
        layout = ParameterLayout(config)
        pool = WorkerPool(threads: threads)
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        optimizer = OptimizerState(layout: layout, settings: settings, muon: muon)
        dropoutRNG = CounterRNG(seed: seed, stream: 0xD409)
        gemm = Gemm(pool: pool, precision: precision)
        arena = ActivationArena(config: config, maxBatch: maxBatch)
        let attention = Attention(batch: maxBatch, length: config.contextLength, width: config.width, heads: config.heads)
        attentionScratch = WorkerScratch(workers: pool.threadCount)
        attentionScratch.reserve(perWorker: attention.scratchFloats)
        clipping = GradientClipping(count: layout.count)
        if config.positions == .sinusoidal {
            let table = FloatBuffer(count: config.contextLength * config.width)
            PositionalEncoding.sinusoidal(positions: config.contextLength, width: config.width, into: table.pointer)
            positionTable = table
        } else {
            positionTable = nil
        }
        rotary = config.positions == .rope
            ? Rotary(headWidth: config.headWidth, positions: config.contextLength, theta: config.ropeTheta) : nil
        let n = maxBatch * config.contextLength, d = config.width, h = config.hiddenWidth, fc = config.fcWidth
        for (k, width) in [(d, 3 * d), (d, fc), (h, d), (fc, d), (d, config.vocabSize), (config.vocabSize, d), (n, fc),
                           (n, h)] {
            gemm.reserve(k: k, n: width)
        }
        initializeParameters(seed: seed, zeroOutputs: zeroInitOutputs)
    }

    /// Every weight matrix N(0, std²) from a counter-based generator keyed by seed and tensor
    /// index; biases 0, LayerNorm weights 1. With `zeroOutputs` (modded-nanogpt's rule) the
    /// untied head and the attention and MLP output projections start at 0: every block then
    /// begins as the identity on the residual stream and the first prediction is uniform.
    public func initializeParameters(seed: UInt64, zeroOutputs: Bool = false) {
        let base = CounterRNG(seed: seed, stream: 0x1417)
        let zeroed = zeroOutputs ? layout.outputMatrices : []
        for (index, tensor) in layout.tensors.enumerated() {
            let values = parameters.pointer + tensor.offset
            if zeroed.contains(tensor.offset) {
                values.update(repeating: 0, count: tensor.count)
            } else if tensor.initStd > 0 {
                let rng = base.derived(UInt64(index))
                for i in 0..<tensor.count { values[i] = rng.normal(UInt64(i)) * tensor.initStd }
            } else {
                values.update(repeating: tensor.constant, count: tensor.count)
            }
        }
    }

    /// A named view into `buffer` (parameters, gradients or an optimizer moment).
    public func tensor(_ name: String, in buffer: FloatBuffer? = nil) -> UnsafeMutableBufferPointer<Float>? {
        guard let t = layout[name] else { return nil }
        return .init(start: (buffer ?? parameters).pointer + t.offset, count: t.count)
    }

    /// The arithmetic of the linear layers' products as run on this CPU.
    public var matmulPrecision: Precision { gemm.precision }

    /// Bytes of the activation arena planned for maxBatch × contextLength tokens.
    public var activationBytes: Int { arena.bytes }

    public func zeroGradients() { gradients.zero() }

    /// Global gradient norm before clipping; gradients are scaled down when it exceeds `maxNorm`.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        clipping.clip(pool, gradients: gradients.pointer, maxNorm: maxNorm)
    }

    public func gradientNorm() -> Float { clipping.norm(pool, gradients: gradients.pointer) }

    /// One optimizer update (AdamW, and Muon for the block matrices when set) with the
    /// accumulated gradients; Muon's rate is `learningRate` times its `learningRateScale`.
    public func optimizerStep(learningRate: Float) {
        optimizer.update(pool, gemm, learningRate: learningRate, parameters: parameters.pointer,
                         gradients: gradients.pointer)
    }

    public struct StepResult: Sendable, Equatable {
        /// The training objective (with label smoothing, if any) and top-1 accuracy.
        public var loss: Float, accuracy: Float, gradientNorm: Float
        /// Plain next-token negative log-likelihood summed over the `counted` positions.
        public var targetNLLSum: Double, counted: Int
    }

    /// zero → forward (training) → backward → clip (if maxGradientNorm is set) → AdamW. A step
    /// whose loss or gradient norm is not finite throws before the update, so the weights stay as
    /// they were and the gradients can be inspected.
    public func trainStep(
        tokens: [Int32], targets: [Int32], batch: Int, learningRate: Float,
        maxGradientNorm: Float? = 1, labelSmoothing: Float = 0, ignoreIndex: Int32 = -100
    ) throws(MiniGPTError) -> StepResult {
        zeroGradients()
        let result = try forward(tokens: tokens, targets: targets, batch: batch, training: true,
                                 labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex)
        backward()
        let norm = maxGradientNorm.map { clipGradients(maxNorm: $0) } ?? gradientNorm()
        guard result.loss.isFinite, norm.isFinite else { throw .nonFiniteStep(loss: result.loss, gradientNorm: norm) }
        optimizerStep(learningRate: learningRate)
        return StepResult(loss: result.loss, accuracy: result.accuracy, gradientNorm: norm,
                          targetNLLSum: result.targetNLLSum, counted: result.counted)
    }
}
