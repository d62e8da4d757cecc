public typealias TokenID = Int32

/// The four special tokens, at the same ids in both tokenizer kinds (the original project's).
public enum SpecialToken: TokenID, CaseIterable, Sendable {
    case pad = 0, unk = 1, bos = 2, eos = 3

    public var text: String {
        switch self {
        case .pad: "[PAD]"
        case .unk: "[UNK]"
        case .bos: "[BOS]"
        case .eos: "[EOS]"
        }
    }

    public var id: TokenID { rawValue }
}
