/// What went wrong with tokenizer input, a token sequence or a tokenizer file, and where.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case invalidUTF8(offset: Int)
    case decodedBytesNotUTF8(offset: Int)
    case unknownTokenID(TokenID, vocabularySize: Int)
    case vocabularySizeOutOfRange(Int, kind: Tokenizer.Kind, allowed: ClosedRange<Int>)
    case invalidTokenizerFile(String)

    public var description: String {
        switch self {
        case .invalidUTF8(let offset):
            "input is not valid UTF-8: malformed sequence at byte offset \(offset)"
        case .decodedBytesNotUTF8(let offset):
            "the token sequence decodes to bytes that are not valid UTF-8 (malformed at byte \(offset)); use decodeBytes or decodeLossy"
        case .unknownTokenID(let id, let size):
            "token id \(id) is outside the vocabulary (size \(size))"
        case .vocabularySizeOutOfRange(let size, let kind, let allowed):
            "vocabulary size \(size) for a \(kind.rawValue) tokenizer is outside \(allowed.lowerBound)…\(allowed.upperBound)"
        case .invalidTokenizerFile(let reason):
            "tokenizer.json: \(reason)"
        }
    }
}
