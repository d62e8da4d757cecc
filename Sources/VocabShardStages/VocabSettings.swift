import StageParameters
import Tokenizer

/// Everything `vocab` is told by the pipeline file, typed; each parameter declared once.
public struct VocabSettings: StageSettings, Equatable {
    @Parameter("kind", "bpe: byte-level BPE, never [UNK]; word: the original's frequency-ranked words, the rest [UNK]")
    public var kind = Tokenizer.Kind.bpe
    @Parameter("bpe_vocab_size", in: Tokenizer.allowedVocabularySizes(.bpe),
               "BPE vocabulary size, including the 4 special tokens and the 256 bytes")
    public var bpeVocabularySize = Tokenizer.defaultVocabularySize(.bpe)
    @Parameter("word_vocab_size", in: Tokenizer.allowedVocabularySizes(.word),
               "word vocabulary size, including the 4 special tokens")
    public var wordVocabularySize = Tokenizer.defaultVocabularySize(.word)
    @Parameter("train_fraction", in: 0.01...1, "share of articles (by title hash) in the train split")
    public var trainFraction = 0.70
    @Parameter("val_fraction", in: 0...0.99, "share in the validation split; the rest is test")
    public var validationFraction = 0.15

    public init() {}

    /// The vocabulary size of the chosen kind.
    public var vocabularySize: Int { kind == .bpe ? bpeVocabularySize : wordVocabularySize }
}
