/// What was wrong with a corpus, a split rule, a shard or a shard set, and where.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case badCorpusLine(source: String, line: Int, reason: String)
    case badSplit(train: Double, validation: Double)
    case unknownSplitScheme(String)
    case notAShard(path: String, magic: String)
    case unsupportedVersion(path: String, version: UInt32)
    case badTokenWidth(path: String, width: UInt32)
    case sizeMismatch(path: String, expected: Int, actual: Int)
    case checksumMismatch(path: String)
    case tokenizerMismatch(path: String, expected: String, actual: String)
    case badManifest(String)
    case splitTooShort(part: String, tokens: Int, needed: Int)

    public var description: String {
        switch self {
        case .unreadable(let path):
            "\(path): cannot be read"
        case .badCorpusLine(let source, let line, let reason):
            "\(source):\(line): not a corpus article: \(reason)"
        case .badSplit(let train, let validation):
            "split fractions train \(train) and validation \(validation) must give train a share over 0 and add up to at most 1"
        case .unknownSplitScheme(let what):
            "split artifact: unsupported rule (\(what))"
        case .notAShard(let path, let magic):
            "\(path): not a minillm token shard (magic \(magic))"
        case .unsupportedVersion(let path, let version):
            "\(path): shard format version \(version) is not supported (this build reads version \(ShardHeader.version))"
        case .badTokenWidth(let path, let width):
            "\(path): token width \(width) bytes in header; expected 2 or 4"
        case .sizeMismatch(let path, let expected, let actual):
            "\(path): file is \(actual) bytes but its header describes \(expected) (truncated or overwritten)"
        case .checksumMismatch(let path):
            "\(path): checksum does not match the header and tokens (the shard is corrupt)"
        case .tokenizerMismatch(let path, let expected, let actual):
            "\(path): shard was made with tokenizer \(actual), expected \(expected)"
        case .badManifest(let reason):
            "shard manifest: \(reason)"
        case .splitTooShort(let part, let tokens, let needed):
            "split \(part) has \(tokens) tokens; a batch row needs at least \(needed)"
        }
    }
}
