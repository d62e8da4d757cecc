import MiniPipeline

/// Everything `train` is told by the pipeline file, typed. Thread count is not here on purpose:
/// results are bitwise identical for any thread count, so it is not part of the cache key
/// (set it with MINILLM_THREADS).
public struct TrainingSettings: Sendable, Equatable {
    public var width = 256, layers = 2, heads = 4, context = 128
    public var dropout = 0.1
    public var gelu = "erf", positions = "sinusoidal"
    public var tieWeights = false
    public var batchSize = 32
    public var learningRate = 3e-4, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999
    public var warmupSteps = 200
    public var decay = LearningRateSchedule.Decay.cosine
    public var minLearningRateRatio = 0.1
    public var labelSmoothing = 0.1, gradientClip = 1.0
    public var maxSteps = 1000, maxTokens = 0
    public var maxEpochs = 0.0
    public var evalEvery = 100, evalBatches = 8
    public var patience = 5
    public var minDelta = 0.0
    public var checkpointEvery = 100
    public var seed = 1234

    public init() {}

    public static let specs: [ParameterSpec] = {
        let d = TrainingSettings()
        return [
            .int("width", default: d.width, in: 8...4096, "model width d (embedding size)"),
            .int("layers", default: d.layers, in: 1...64, "transformer blocks"),
            .int("heads", default: d.heads, in: 1...64, "attention heads (must divide width)"),
            .int("context", default: d.context, in: 2...4096, "context length T (tokens per sequence)"),
            .double("dropout", default: d.dropout, in: 0...0.9, "dropout on embeddings, attention output and MLP output"),
            .string("gelu", default: d.gelu, allowed: ["erf", "tanh"], "GELU: exact erf (PyTorch default) or tanh approximation"),
            .string("positions", default: d.positions, allowed: ["sinusoidal", "learned"], "positional embeddings"),
            .bool("tie_weights", default: d.tieWeights, "share the token embedding with the LM head"),
            .int("batch_size", default: d.batchSize, in: 1...4096, "sequences per step B"),
            .double("lr", default: d.learningRate, in: 1e-7...1, "peak learning rate (AdamW)"),
            .double("weight_decay", default: d.weightDecay, in: 0...1, "AdamW decoupled weight decay (matrices only)"),
            .double("beta1", default: d.beta1, in: 0...0.999999, "AdamW β1"),
            .double("beta2", default: d.beta2, in: 0...0.999999999, "AdamW β2"),
            .int("warmup_steps", default: d.warmupSteps, in: 0...1_000_000, "linear warmup steps"),
            .string("decay", default: d.decay.rawValue, allowed: LearningRateSchedule.Decay.allCases.map(\.rawValue),
                    "learning-rate decay after warmup"),
            .double("min_lr_ratio", default: d.minLearningRateRatio, in: 0...1, "final learning rate as a fraction of the peak"),
            .double("label_smoothing", default: d.labelSmoothing, in: 0...0.99, "label smoothing of the training loss"),
            .double("grad_clip", default: d.gradientClip, in: 0...1e6, "global gradient-norm clip (0 = off)"),
            .int("max_steps", default: d.maxSteps, in: 1...100_000_000, "budget in optimizer steps"),
            .int("max_tokens", default: d.maxTokens, in: 0...Int.max, "budget in training tokens (0 = no limit)"),
            .double("max_epochs", default: d.maxEpochs, in: 0...1e6, "budget in passes over the training split (0 = no limit)"),
            .int("eval_every", default: d.evalEvery, in: 1...1_000_000, "steps between validation evaluations"),
            .int("eval_batches", default: d.evalBatches, in: 1...100_000, "fixed validation batches per evaluation"),
            .int("patience", default: d.patience, in: 0...1_000_000, "evaluations without improvement before stopping (0 = never)"),
            .double("min_delta", default: d.minDelta, in: 0...1e6, "smallest validation-loss drop that counts as improvement"),
            .int("checkpoint_every", default: d.checkpointEvery, in: 1...1_000_000, "steps between resumable checkpoints"),
            .int("seed", default: d.seed, in: 0...Int(Int32.max), "seed of initialisation, batches and dropout"),
        ]
    }()

    public init(_ p: Parameters) {
        width = p.int("width"); layers = p.int("layers"); heads = p.int("heads"); context = p.int("context")
        dropout = p.double("dropout"); gelu = p.string("gelu"); positions = p.string("positions")
        tieWeights = p.bool("tie_weights"); batchSize = p.int("batch_size")
        learningRate = p.double("lr"); weightDecay = p.double("weight_decay")
        beta1 = p.double("beta1"); beta2 = p.double("beta2")
        warmupSteps = p.int("warmup_steps")
        decay = LearningRateSchedule.Decay(rawValue: p.string("decay")) ?? .cosine
        minLearningRateRatio = p.double("min_lr_ratio")
        labelSmoothing = p.double("label_smoothing"); gradientClip = p.double("grad_clip")
        maxSteps = p.int("max_steps"); maxTokens = p.int("max_tokens"); maxEpochs = p.double("max_epochs")
        evalEvery = p.int("eval_every"); evalBatches = p.int("eval_batches")
        patience = p.int("patience"); minDelta = p.double("min_delta")
        checkpointEvery = p.int("checkpoint_every"); seed = p.int("seed")
    }

    public var tokensPerStep: Int { batchSize * context }

    /// The step budget: the tightest of steps, tokens and epochs (over `trainTokens`).
    public func totalSteps(trainTokens: Int) -> Int {
        var steps = maxSteps
        if maxTokens > 0 { steps = min(steps, max(1, maxTokens / tokensPerStep)) }
        if maxEpochs > 0 { steps = min(steps, max(1, Int((maxEpochs * Double(trainTokens) / Double(tokensPerStep)).rounded(.up)))) }
        return steps
    }

    public var schedule: (Int) -> LearningRateSchedule {
        { total in LearningRateSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: total,
                                        decay: decay, minRatio: minLearningRateRatio) }
    }
}
