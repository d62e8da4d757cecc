import Foundation

/// A trained tokenizer of either kind. Immutable and shareable across threads; encoding goes
/// through a `TokenEncoder`, which holds a per-thread cache.
public struct Tokenizer: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The original project's: whole lowercased words, the rest `[UNK]`.
        case word
        /// Byte-level BPE: any text, never `[UNK]`.
        case bpe
    }

    enum Model: Sendable {
        case word(WordModel)
        case bpe(BPEModel)
    }

    let model: Model

    init(_ model: Model) { self.model = model }

    public static func defaultVocabularySize(_ kind: Kind) -> Int { kind == .bpe ? 8192 : 5000 }

    public static func allowedVocabularySizes(_ kind: Kind) -> ClosedRange<Int> {
        kind == .bpe ? (BPEModel.firstMergedID + 1)...(1 << 20) : 5...(1 << 22)
    }

    /// Trains on `documents` (the training split only: the caller selects it). Counting runs on
    /// `threads` threads; the result does not depend on their number.
    public static func train(_ kind: Kind, documents: [String], vocabularySize: Int, threads: Int = 2) throws -> Tokenizer {
        var counts = TrainingCounts(kind, threads: threads)
        counts.add(documents)
        return try train(counts, vocabularySize: vocabularySize)
    }

    /// Trains on counts gathered batch by batch (`TrainingCounts`): the same tokenizer as
    /// `train(_:documents:…)` on all the batches' documents at once.
    public static func train(_ counts: TrainingCounts, vocabularySize: Int) throws -> Tokenizer {
        let allowed = allowedVocabularySizes(counts.kind)
        guard allowed.contains(vocabularySize) else {
            throw TokenizerError.vocabularySizeOutOfRange(vocabularySize, kind: counts.kind, allowed: allowed)
        }
        switch counts.kind {
        case .bpe: return Tokenizer(.bpe(BPETrainer.train(counts.counts, vocabularySize: vocabularySize)))
        case .word: return Tokenizer(.word(WordModel.train(counts.counts, vocabularySize: vocabularySize)))
        }
    }

    /// How often each pre-tokenised piece occurs in the training documents, added batch by
    /// batch, so that a corpus of any size is counted holding one batch at a time: memory is the
    /// distinct pieces (about 40 bytes each, more in the trainer), not the text. When they pass
    /// `maxDistinctPieces` (2 M by default: far more than a 2,000-article corpus has, fewer than
    /// all of a Wikipedia may) the rarest are dropped until half remain, deterministically (by the
    /// counts, which do not depend on the thread count); a piece dropped and seen again starts
    /// from zero, so rare pieces are undercounted then. `prunedPieces` says how many went.
    public struct TrainingCounts {
        public let kind: Kind
        private let threads: Int
        private let maxDistinctPieces: Int
        var counts = WordTypeCounts()
        public private(set) var prunedPieces = 0

        public init(_ kind: Kind, threads: Int = 2, maxDistinctPieces: Int = 2_000_000) {
            self.kind = kind
            self.threads = threads
            self.maxDistinctPieces = max(2, maxDistinctPieces)
        }

        public mutating func add(_ documents: [String]) {
            guard !documents.isEmpty else { return }
            let batch = switch kind {
            case .bpe: WordTypeCounts.count(documents, threads: threads, splitter: PreTokenizer.forEachPiece)
            case .word: WordTypeCounts.count(documents, threads: threads, normalize: WordPreTokenizer.normalized,
                                             splitter: WordPreTokenizer.forEachPiece)
            }
            counts.merge(batch)
            if counts.table.count > maxDistinctPieces {
                let before = counts.table.count
                counts.prune(toAtMost: maxDistinctPieces / 2)
                prunedPieces += before - counts.table.count
            }
        }

        /// Distinct pieces counted so far.
        public var distinctPieces: Int { counts.table.count }
    }

    public var kind: Kind {
        switch model {
        case .word: .word
        case .bpe: .bpe
        }
    }

    public var vocabularySize: Int {
        switch model {
        case .word(let m): m.vocabularySize
        case .bpe(let m): m.vocabularySize
        }
    }

    /// The bytes a token stands for; a special token's are its text, e.g. `[BOS]`.
    public func bytes(of id: TokenID) throws -> [UInt8] {
        guard id >= 0 && Int(id) < vocabularySize else { throw TokenizerError.unknownTokenID(id, vocabularySize: vocabularySize) }
        if let special = SpecialToken(rawValue: id) { return Array(special.text.utf8) }
        switch model {
        case .word(let m): return m.words[Int(id) - 4]
        case .bpe(let m): return m.bytes(of: id)
        }
    }

    public func makeEncoder() -> TokenEncoder { TokenEncoder(self) }

    /// Convenience for a few strings; for many, keep one `makeEncoder()` per thread.
    public func encode(_ text: String) -> [TokenID] { makeEncoder().encode(text) }

    /// Encodes raw bytes, refusing input that is not valid UTF-8 (with the offending offset)
    /// rather than guessing what it meant.
    public func encode(utf8 bytes: [UInt8]) throws -> [TokenID] {
        if let offset = UTF8Scan.firstInvalidOffset(bytes) { throw TokenizerError.invalidUTF8(offset: offset) }
        return encode(String(decoding: bytes, as: UTF8.self))
    }

    /// The bytes of a token sequence. `[PAD]`, `[BOS]` and `[EOS]` are dropped, `[UNK]` is
    /// written as its text; the word kind puts one space between tokens (its pre-tokenisation
    /// dropped the original spacing and case).
    public func decodeBytes(_ ids: some Sequence<TokenID>) throws -> [UInt8] {
        var out = [UInt8]()
        var first = true
        for id in ids {
            if id == SpecialToken.pad.id || id == SpecialToken.bos.id || id == SpecialToken.eos.id { continue }
            if kind == .word && !first { out.append(0x20) }
            out += try bytes(of: id)
            first = false
        }
        return out
    }

    /// The text of a token sequence; throws when its bytes are not valid UTF-8 (a sequence cut
    /// inside a multi-byte character), naming the offset.
    public func decode(_ ids: some Sequence<TokenID>) throws -> String {
        let bytes = try decodeBytes(ids)
        if let offset = UTF8Scan.firstInvalidOffset(bytes) { throw TokenizerError.decodedBytesNotUTF8(offset: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Like `decode`, with U+FFFD for malformed bytes (what generation shows to a reader).
    public func decodeLossy(_ ids: some Sequence<TokenID>) throws -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }
}

extension Tokenizer {
    /// Encodes many texts on `threads` threads (one encoder each, contiguous chunks of about
    /// equal bytes); the result is in input order and does not depend on the thread count.
    public func encode(_ texts: [String], threads: Int) -> [[TokenID]] {
        let chunks = WordTypeCounts.chunkBounds(texts, parts: max(1, min(threads, texts.count)))
        let results = ResultSlots<[[TokenID]]>(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { part in
            let encoder = makeEncoder()
            results[part] = chunks[part].map { encoder.encode(texts[$0]) }
        }
        return (0..<chunks.count).flatMap { results[$0]! }
    }
}
