import StageParameters
import TextCleaning

/// Everything `clean` is told by the pipeline file, typed; each parameter declared once.
public struct CleanSettings: StageSettings, Equatable {
    @Parameter("min_chars", in: 0...10_000_000, "drop articles with fewer characters after cleaning")
    public var minChars = 500
    @Parameter("min_spanish_ratio", in: 0...1,
               "drop articles whose share of common Spanish words is lower (or led by another language); 0: off")
    public var minSpanishRatio = 0.1
    @Parameter("drop_exact_duplicates", "drop articles whose clean text repeats an earlier one")
    public var dropExactDuplicates = true
    @Parameter("near_duplicate_threshold", in: 0...1,
               "drop articles this similar (MinHash Jaccard of word 5-grams) to an earlier one; 0: off")
    public var nearDuplicateThreshold = 0.8

    public init() {}

    /// The cleaning pipeline's settings (threads are not a parameter: the output does not depend on them).
    public func pipelineSettings(threads: Int) -> CleanPipeline.Settings {
        var settings = CleanPipeline.Settings()
        settings.minChars = minChars
        settings.minSpanishRatio = minSpanishRatio
        settings.dropExactDuplicates = dropExactDuplicates
        settings.nearDuplicateThreshold = nearDuplicateThreshold
        settings.threads = threads
        return settings
    }
}
