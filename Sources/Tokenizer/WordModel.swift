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

    /// Counts are of pieces in their original case; they are folded to lowercase here, once
    /// per distinct piece rather than once per occurrence.
    static func train(_ counts: WordTypeCounts, vocabularySize: Int) -> WordModel {
        var folded = WordTypeCounts()
        for w in 0..<counts.table.count {
            let lower = Array(WordPreTokenizer.normalized(String(decoding: counts.table.key(w), as: UTF8.self)).utf8)
            lower.withUnsafeBufferPointer { folded.add($0.baseAddress!, $0.count, counts.counts[w]) }
        }
        let ranked = (0..<folded.table.count).sorted { x, y in
            folded.counts[x] != folded.counts[y] ? folded.counts[x] > folded.counts[y]
                : folded.table.key(x).lexicographicallyPrecedes(folded.table.key(y))
        }
        // No piece can spell a special token: `[` and `]` are always pieces of their own.
        return WordModel(words: ranked.prefix(vocabularySize - 4).map { Array(folded.table.key($0)) })
    }

    /// The id of one piece (already lowercased), `[UNK]` when it is not in the vocabulary.
    func id(of p: UnsafePointer<UInt8>, _ n: Int) -> TokenID {
        index.find(p, n).map { TokenID($0) + 4 } ?? SpecialToken.unk.id
    }
}
