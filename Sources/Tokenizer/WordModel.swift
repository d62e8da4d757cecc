/// The original project's vocabulary: the most frequent words of the training text (after
/// `WordPreTokenizer`), ranked by count, ties by byte order; everything else is `[UNK]`.
/// Ids: 0–3 the special tokens, then the words by rank.
struct WordModel: Sendable {
    let words: [[UInt8]]
    private let index: ByteStringTable

    init(words: [[UInt8]]) {
        self.words = words
        var table = ByteStringTable(capacity: words.count)
        for word in words { _ = word.withUnsafeBufferPointer { table.intern($0.baseAddress!, $0.count) } }
        index = table
    }

    var vocabularySize: Int { words.count + 4 }

    /// `counts` are of pieces of normalised text.
    static func train(_ counts: WordTypeCounts, vocabularySize: Int) -> WordModel {
        let ranked = (0..<counts.table.count).sorted { x, y in
            counts.counts[x] != counts.counts[y] ? counts.counts[x] > counts.counts[y]
                : counts.table.key(x).lexicographicallyPrecedes(counts.table.key(y))
        }
        // No piece can spell a special token: `[` and `]` are always pieces of their own.
        return WordModel(words: ranked.prefix(vocabularySize - 4).map { Array(counts.table.key($0)) })
    }

    /// The id of one piece of normalised text, `[UNK]` when it is not in the vocabulary.
    func id(of p: UnsafePointer<UInt8>, _ n: Int) -> TokenID {
        index.find(p, n).map { TokenID($0) + 4 } ?? SpecialToken.unk.id
    }
}
