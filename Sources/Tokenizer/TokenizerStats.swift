/// How a tokenizer does on a set of documents. `words` are whitespace-separated words;
/// `pieces` are the pre-tokeniser's pieces (words, numbers, punctuation runs), and coverage is
/// the share of pieces that became exactly one token that is not `[UNK]`: for the word kind the
/// share of in-vocabulary words, for BPE the share of pieces the vocabulary holds whole.
public struct TokenizerStats: Sendable, Equatable, Codable {
    public var documents = 0
    public var bytes = 0
    public var words = 0
    public var pieces = 0
    public var tokens = 0
    public var unknownTokens = 0
    public var wholePieces = 0

    public init() {}

    public var tokensPerWord: Double { words == 0 ? 0 : Double(tokens) / Double(words) }
    public var bytesPerToken: Double { tokens == 0 ? 0 : Double(bytes) / Double(tokens) }
    public var unknownRate: Double { tokens == 0 ? 0 : Double(unknownTokens) / Double(tokens) }
    public var coverage: Double { pieces == 0 ? 0 : Double(wholePieces) / Double(pieces) }

    public static func measure(_ tokenizer: Tokenizer, on documents: some Sequence<String>) -> TokenizerStats {
        let encoder = tokenizer.makeEncoder()
        var stats = TokenizerStats()
        var ids: [TokenID] = []
        for document in documents {
            ids.removeAll(keepingCapacity: true)
            var whole = 0, pieces = 0
            encoder.append(document, to: &ids) { count in
                pieces += 1
                if count == 1 { whole += 1 }
            }
            let unknown = ids.reduce(0) { $0 + ($1 == SpecialToken.unk.id ? 1 : 0) }
            stats.documents += 1
            stats.bytes += document.utf8.count
            stats.words += document.split(whereSeparator: { $0.isWhitespace }).count
            stats.pieces += pieces
            stats.tokens += ids.count
            stats.unknownTokens += unknown
            stats.wholePieces += whole - unknown
        }
        return stats
    }

    /// The figures of two sets of documents together.
    public static func + (a: TokenizerStats, b: TokenizerStats) -> TokenizerStats {
        var sum = a
        sum.documents += b.documents
        sum.bytes += b.bytes
        sum.words += b.words
        sum.pieces += b.pieces
        sum.tokens += b.tokens
        sum.unknownTokens += b.unknownTokens
        sum.wholePieces += b.wholePieces
        return sum
    }

    /// The figures as name/value pairs (for metrics and the stats artifact).
    public var figures: [(String, Double)] {
        [("documents", Double(documents)), ("bytes", Double(bytes)), ("words", Double(words)),
         ("tokens", Double(tokens)), ("tokens_per_word", tokensPerWord), ("bytes_per_token", bytesPerToken),
         ("unk_rate", unknownRate), ("coverage", coverage)]
    }
}
