import MiniGPT
import StageParameters
import TensorKernels

/// Everything `train` is told by the pipeline file, typed; each parameter declared once (name,
/// range, default, help). Thread count is not here on purpose: results are bitwise identical
/// for any thread count, so it is not part of the cache key (set it with MINILLM_THREADS).
public struct TrainingSettings: StageSettings, Equatable {
    @Parameter("width", in: 8...4096, "model width d (embedding size)")
    public var width = 256
    @Parameter("layers", in: 1...64, "transformer blocks")
    public var layers = 2
    @Parameter("heads", in: 1...64, "attention heads (must divide width)")
    public var heads = 4
    @Parameter("context", in: 2...4096, "context length T (tokens per sequence)")
    public var context = 128
    @Parameter("dropout", in: 0...0.9, "dropout on embeddings, attention output and MLP output")
    public var dropout = 0.1
    @Parameter("gelu", "GELU: exact erf (PyTorch default) or tanh approximation")
    public var gelu = GELU.Kind.erf
    @Parameter("positions", "positions: added to the embeddings (fixed sinusoids or learned) or rotary (RoPE) on queries and keys")
    public var positions = MiniGPTConfig.Positions.sinusoidal
    @Parameter("rope_theta", in: 2...1e9, "rope: base θ of the rotation frequencies")
    public var ropeTheta = 10_000.0
    @Parameter("norm", "LayerNorm (GPT-2) or RMSNorm (Llama, Qwen3)")
    public var norm = MiniGPTConfig.Norm.layer
    @Parameter("qk_norm", "RMSNorm on each head's queries and keys before attention (Qwen3)")
    public var qkNorm = false
    @Parameter("mlp", "MLP: GELU (GPT-2) or gated SwiGLU (Llama, Qwen3)")
    public var mlp = MiniGPTConfig.MLP.gelu
    @Parameter("ffn_width", in: 0...65_536, "MLP hidden width; 0 = 4·width for gelu, ⅔ of that rounded up to 32 for swiglu")
    public var ffnWidth = 0
    @Parameter("bias", "biases in the linear layers and LayerNorms")
    public var bias = true
    @Parameter("embedding_scale", in: 0...1024, "multiplier of the token embeddings; 0 = √width with sinusoids, else 1")
    public var embeddingScale = 0.0
    @Parameter("tie_weights", "share the token embedding with the LM head")
    public var tieWeights = false
    @Parameter("bigram_buckets", in: 0...BigramHash.maxBuckets, "rows of a hashed bigram embedding added to the token embedding (0 = none; modded-nanogpt; not exportable)")
    public var bigramBuckets = 0
    @Parameter("zero_init", "start the LM head and the attention and MLP output projections at zero (modded-nanogpt)")
    public var zeroInit = false
    @Parameter("precision", "arithmetic of the linear layers' products: fp32, or bf16 inputs with fp32 accumulation (AVX512-BF16; fp32 with a warning on CPUs without it)")
    public var precision = Precision.fp32
    @Parameter("batch_size", in: 1...4096, "sequences per step B")
    public var batchSize = 32
    @Parameter("micro_batches", in: 1...4096, "micro-batches M per step (must divide batch_size), shared among ranks; their gradients are summed in a fixed order")
    public var microBatches = 1
    @Parameter("lr", in: 1e-7...1, "peak learning rate (AdamW)")
    public var learningRate = 3e-4
    @Parameter("weight_decay", in: 0...1, "AdamW decoupled weight decay (matrices only)")
    public var weightDecay = 0.01
    @Parameter("beta1", in: 0...0.999999, "AdamW β1")
    public var beta1 = 0.9
    @Parameter("beta2", in: 0...0.999999999, "AdamW β2")
    public var beta2 = 0.999
    @Parameter("warmup_steps", in: 0...1_000_000, "linear warmup steps")
    public var warmupSteps = 200
    @Parameter("decay", "learning-rate decay after warmup")
    public var decay = LearningRateSchedule.Decay.cosine
    @Parameter("min_lr_ratio", in: 0...1, "final learning rate as a fraction of the peak")
    public var minLearningRateRatio = 0.1
    @Parameter("cooldown_fraction", in: 0.01...1, "wsd: share of the steps spent in the final linear cool-down")
    public var cooldownFraction = 0.4
    @Parameter("optimizer", "adamw for every tensor, or muon for the block matrices and AdamW for the rest")
    public var optimizer = OptimizerKind.adamw
    @Parameter("muon_lr", in: 1e-6...10, "muon: peak learning rate of the block matrices (scheduled like lr)")
    public var muonLearningRate = 0.02
    @Parameter("muon_momentum", in: 0...0.999, "muon: momentum β (Nesterov)")
    public var muonMomentum = 0.95
    @Parameter("muon_momentum_warmup_steps", in: 0...1_000_000, "muon: steps over which β rises from 0.85")
    public var muonMomentumWarmupSteps = 300
    @Parameter("label_smoothing", in: 0...0.99, "label smoothing of the training loss")
    public var labelSmoothing = 0.1
    @Parameter("grad_clip", in: 0...1e6, "global gradient-norm clip (0 = off)")
    public var gradientClip = 1.0
    @Parameter("max_steps", in: 1...100_000_000, "budget in optimizer steps")
    public var maxSteps = 2000
    @Parameter("max_tokens", in: 0...Int.max, "budget in training tokens (0 = no limit)")
    public var maxTokens = 0
    @Parameter("max_epochs", in: 0...1e6, "budget in passes over the training split (0 = no limit)")
    public var maxEpochs = 0.0
    @Parameter("eval_every", in: 1...1_000_000, "steps between validation evaluations")
    public var evalEvery = 200
    @Parameter("eval_batches", in: 1...100_000, "fixed validation batches per evaluation")
    public var evalBatches = 16
    @Parameter("patience", in: 0...1_000_000, "evaluations without improvement before stopping (0 = never)")
    public var patience = 3
    @Parameter("min_delta", in: 0...1e6, "smallest validation-loss drop that counts as improvement")
    public var minDelta = 0.001
    @Parameter("checkpoint_every", in: 1...1_000_000, "steps between resumable checkpoints")
    public var checkpointEvery = 100
    @Parameter("seed", in: 0...Int(Int32.max), "seed of initialisation, batches and dropout")
    public var seed = 1234

    public init() {}

    public var tokensPerStep: Int { batchSize * context }

    /// Sequences per micro-batch, B / M: the model's largest batch.
    public var microBatchSize: Int { batchSize / microBatches }

    /// Why the batch cannot be cut into the micro-batches, or nil.
    public var microBatchConflict: String? {
        batchSize % microBatches == 0 ? nil : "batch_size \(batchSize) does not divide into micro_batches \(microBatches)"
    }

    /// The step budget: the tightest of steps, tokens and epochs (over `trainTokens`).
    public func totalSteps(trainTokens: Int) -> Int {
        var steps = maxSteps
        if maxTokens > 0 { steps = min(steps, max(1, maxTokens / tokensPerStep)) }
        if maxEpochs > 0 { steps = min(steps, max(1, Int((maxEpochs * Double(trainTokens) / Double(tokensPerStep)).rounded(.up)))) }
        return steps
    }

    public var schedule: (Int) -> LearningRateSchedule {
        { total in LearningRateSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: total,
                                        decay: decay, minRatio: minLearningRateRatio, cooldownFraction: cooldownFraction) }
    }

    public enum OptimizerKind: String, Sendable, CaseIterable { case adamw, muon }
}
