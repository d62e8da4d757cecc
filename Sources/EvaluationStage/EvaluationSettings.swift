import MiniPipeline

/// Everything `evaluate` is told by the pipeline file, typed. Thread count is not here: every
/// quality figure is bitwise identical for any thread count (set it with MINILLM_THREADS).
public struct EvaluationSettings: Sendable, Equatable {
    /// Sequences of the model's context length per scoring forward pass.
    public var batchSize = 16
    /// Scored positions per split at most (a prefix of the split, whole windows); 0 scores all.
    public var maxTokens = 32_768
    public var bleuArticles = 20, bleuPromptWords = 16, bleuReferenceWords = 16
    public var maxNewTokens = 48
    public var seed = 1
    /// A text or JSON Lines file scored like a split ("" = none).
    public var extraText = ""

    public init() {}

    public static let specs: [ParameterSpec] = {
        let d = EvaluationSettings()
        return [
            .int("batch_size", default: d.batchSize, in: 1...1024, "sequences per scoring forward pass"),
            .int("max_tokens", default: d.maxTokens, in: 0...Int.max,
                 "scored positions per split at most, a prefix of whole windows (0 = the whole split)"),
            .int("bleu_articles", default: d.bleuArticles, in: 0...100_000,
                 "test-split articles whose continuations BLEU scores (0 = no BLEU)"),
            .int("bleu_prompt_words", default: d.bleuPromptWords, in: 1...1000, "opening words of an article given as the prompt"),
            .int("bleu_reference_words", default: d.bleuReferenceWords, in: 1...1000,
                 "words after the prompt that the continuation is compared with"),
            .int("max_new_tokens", default: d.maxNewTokens, in: 1...4096, "tokens generated per standard prompt and setting"),
            .int("seed", default: d.seed, in: 0...Int(Int32.max), "seed of the sampled generations"),
            .string("extra_text", default: d.extraText,
                    "a text file (one document) or JSON Lines file (title, text) scored like a split; \"\" for none"),
        ]
    }()

    public init(_ p: Parameters) {
        batchSize = p.int("batch_size"); maxTokens = p.int("max_tokens")
        bleuArticles = p.int("bleu_articles"); bleuPromptWords = p.int("bleu_prompt_words")
        bleuReferenceWords = p.int("bleu_reference_words")
        maxNewTokens = p.int("max_new_tokens"); seed = p.int("seed"); extraText = p.string("extra_text")
    }
}
