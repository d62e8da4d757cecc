import Testing
@testable import Tokenizer

/// The incremental trainer (pair counts updated in place, lazy priority queue) must pick the
/// same merges as the obvious algorithm that recounts every pair before every merge.
@Suite struct TrainerTests {
    /// Recount everything each step; the most frequent pair wins, ties to the smallest ids; an
    /// already existing byte string keeps its id.
    static func referenceMerges(_ texts: [String], vocabularySize: Int) -> [(TokenID, TokenID)] {
        var counts: [[UInt8]: Int64] = [:]
        for var text in texts {
            text.withUTF8 { utf8 in
                PreTokenizer.forEachPiece(utf8.baseAddress!, count: utf8.count) { start, end in
                    counts[Array(utf8[start..<end]), default: 0] += 1
                }
            }
        }
        var words = counts.map { (symbols: $0.key.map { TokenID($0) + 4 }, count: $0.value) }
        var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var merges: [(TokenID, TokenID)] = []
        while tokens.count + 4 < vocabularySize {
            var pairs: [UInt64: Int64] = [:]
            for word in words where word.symbols.count > 1 {
                for i in 0..<(word.symbols.count - 1) {
                    pairs[PairMap.key(word.symbols[i], word.symbols[i + 1]), default: 0] += word.count
                }
            }
            guard let best = pairs.filter({ $0.value > 0 }).min(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) else { break }
            let a = TokenID(best.key >> 32), b = TokenID(best.key & 0xFFFF_FFFF)
            let bytes = tokens[Int(a) - 4] + tokens[Int(b) - 4]
            let c: TokenID
            if let existing = tokens.firstIndex(of: bytes) { c = TokenID(existing) + 4 } else {
                tokens.append(bytes)
                c = TokenID(tokens.count + 3)
            }
            merges.append((a, b))
            for w in words.indices {
                var out: [TokenID] = []
                var i = 0
                let s = words[w].symbols
                while i < s.count {
                    if i + 1 < s.count && s[i] == a && s[i + 1] == b { out.append(c); i += 2 } else { out.append(s[i]); i += 1 }
                }
                words[w].symbols = out
            }
        }
        return merges
    }

    /// Counts added batch by batch train the tokenizer that all the documents at once train.
    @Test func countsInBatchesTrainTheSameTokenizer() throws {
        let texts = (0..<60).map { k in
            "El río número \(k) nace en la sierra y desemboca en el mar; \(String(repeating: "agua\(k % 7) ", count: k % 9)) ¿Cuántos?"
        }
        for kind in [Tokenizer.Kind.bpe, .word] {
            let size = kind == .bpe ? 400 : 40
            let once = try Tokenizer.train(kind, documents: texts, vocabularySize: size, threads: 3)
            var counts = Tokenizer.TrainingCounts(kind, threads: 2)
            for start in stride(from: 0, to: texts.count, by: 7) { counts.add(Array(texts[start..<min(start + 7, texts.count)])) }
            counts.add([])
            #expect(try Tokenizer.train(counts, vocabularySize: size).huggingFaceJSON() == once.huggingFaceJSON(), "\(kind)")
        }
    }

    /// Past the cap the rarest pieces go, the same way for any thread count; under it nothing does.
    @Test func theCapOnDistinctPiecesDropsTheRarest() throws {
        let letters = Array("abcdefghij")
        let texts = (0..<50).map { k in "común común común raro\(letters[k % 10])\(letters[k / 10]) " + String(repeating: "frecuente ", count: 3) }
        var capped = Tokenizer.TrainingCounts(.word, threads: 1, maxDistinctPieces: 20)
        var cappedThreads = Tokenizer.TrainingCounts(.word, threads: 3, maxDistinctPieces: 20)
        var free = Tokenizer.TrainingCounts(.word, threads: 2)
        for start in stride(from: 0, to: texts.count, by: 10) {
            let batch = Array(texts[start..<start + 10])
            capped.add(batch)
            cappedThreads.add(batch)
            free.add(batch)
        }
        #expect(free.prunedPieces == 0 && free.distinctPieces == 52)
        #expect(capped.prunedPieces > 0 && capped.distinctPieces <= 20)
        #expect(capped.distinctPieces == cappedThreads.distinctPieces && capped.prunedPieces == cappedThreads.prunedPieces)
        // The two frequent words are never dropped: a vocabulary of them is the same either way.
        let words = try Tokenizer.train(capped, vocabularySize: 6)
        #expect(try words.huggingFaceJSON() == Tokenizer.train(cappedThreads, vocabularySize: 6).huggingFaceJSON())
        #expect(try words.huggingFaceJSON() == Tokenizer.train(free, vocabularySize: 6).huggingFaceJSON())
    }

    @Test func incrementalTrainingMatchesFullRecounting() throws {
        let texts = Array(Fixtures.articles.prefix(12)) + ["aaaaaaa aaaa abababab", "ab ab abab ba"]
        let tokenizer = try Tokenizer.train(.bpe, documents: texts, vocabularySize: 420)
        guard case .bpe(let model) = tokenizer.model else { Issue.record("not a BPE"); return }
        let reference = Self.referenceMerges(texts, vocabularySize: 420)
        #expect(model.merges.count == reference.count)
        for (rank, (got, want)) in zip(model.merges, reference).enumerated() where got != want {
            Issue.record("merge \(rank): got \(got), reference \(want)")
            break
        }
    }
}
