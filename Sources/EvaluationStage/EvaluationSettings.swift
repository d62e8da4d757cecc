import StageParameters

/// Everything `evaluate` is told by the pipeline file, typed; each parameter declared once.
/// Thread count is not here: every quality figure is bitwise identical for any thread count
/// (set it with MINILLM_THREADS).
public struct EvaluationSettings: StageSettings, Equatable {
    /// Sequences of the model's context length per scoring forward pass.
    @Parameter("batch_size", in: 1...1024, "sequences per scoring forward pass")
    public var batchSize = 16
    /// Scored positions per held-out split at most (a prefix of the split, whole windows); 0, the
    /// default, scores all of them. The train split is scored on a prefix as long as the test
    /// split's scored part.
    @Parameter("max_tokens", in: 0...Int.max, "scored positions per split at most, a prefix of whole windows (0 = the whole split); train gets as many as test")
    public var maxTokens = 0
    @Parameter("bleu_articles", in: 0...100_000, "test-split articles whose continuations BLEU scores (0 = no BLEU)")
    public var bleuArticles = 20
    @Parameter("bleu_prompt_words", in: 1...1000, "opening words of an article given as the prompt")
    public var bleuPromptWords = 16
    @Parameter("bleu_reference_words", in: 1...1000, "words after the prompt that the continuation is compared with")
    public var bleuReferenceWords = 16
    @Parameter("max_new_tokens", in: 1...4096, "tokens generated per standard prompt and setting")
    public var maxNewTokens = 48
    @Parameter("seed", in: 0...Int(Int32.max), "seed of the sampled generations")
    public var seed = 1
    /// A text or JSON Lines file scored like a split ("" = none).
    @Parameter("extra_text", "a text file (one document) or JSON Lines file (title, text) scored like a split; \"\" for none")
    public var extraText = ""

    public init() {}
}
