import Testing
@testable import Tokenizer

/// The original project's tokenizer: whole words, a fixed size, everything else `[UNK]`.
@Suite struct WordTokenizerTests {
    static let corpus = ["el gato y el perro", "El gato come. ¿El perro?", "gato 1985 gato"]

    @Test func specialsComeFirstThenWordsByFrequency() throws {
        let tokenizer = try Tokenizer.train(.word, documents: Self.corpus, vocabularySize: 100)
        for special in SpecialToken.allCases { #expect(try tokenizer.bytes(of: special.id) == Array(special.text.utf8)) }
        // el ×4, gato ×4 (ties in byte order), perro ×2, then the singletons in byte order.
        #expect(try tokenizer.decode([4, 5, 6]) == "el gato perro")
        #expect(tokenizer.vocabularySize == 4 + 9)
    }

    @Test func sizeLimitKeepsTheMostFrequentAndTheRestIsUnknown() throws {
        let tokenizer = try Tokenizer.train(.word, documents: Self.corpus, vocabularySize: 6)
        #expect(tokenizer.vocabularySize == 6)
        let unk = SpecialToken.unk.id
        #expect(tokenizer.encode("El gato y el perro") == [4, 5, unk, 4, unk])
        #expect(tokenizer.encode("ornitorrinco") == [unk])
    }

    @Test func caseIsFoldedAccentsAreKeptAndNFCAppliesFirst() throws {
        let tokenizer = try Tokenizer.train(.word, documents: ["canción cancion"], vocabularySize: 100)
        let accented = tokenizer.encode("canción")
        #expect(accented.count == 1 && accented != tokenizer.encode("cancion"))
        #expect(tokenizer.encode("CANCIÓN") == accented)
        #expect(tokenizer.encode("cancio\u{301}n") == accented)
    }

    @Test func punctuationIsSeparateNumbersAreWholeAndSpacingIsLost() throws {
        let tokenizer = try Tokenizer.train(.word, documents: Self.corpus, vocabularySize: 100)
        let ids = tokenizer.encode("¿El  perro?\n1985")
        #expect(ids.count == 5 && !ids.contains(SpecialToken.unk.id))
        #expect(try tokenizer.decode(ids) == "¿ el perro ? 1985")
    }

    @Test func statisticsCountUnknownsAndCoverage() throws {
        let tokenizer = try Tokenizer.train(.word, documents: Self.corpus, vocabularySize: 6)
        let stats = TokenizerStats.measure(tokenizer, on: ["el gato y el perro"])
        #expect(stats.words == 5 && stats.tokens == 5 && stats.unknownTokens == 2)
        #expect(stats.unknownRate == 0.4 && stats.coverage == 0.6 && stats.tokensPerWord == 1)
        let bpeStats = TokenizerStats.measure(Fixtures.bpe, on: Fixtures.articles)
        #expect(bpeStats.unknownTokens == 0 && bpeStats.bytesPerToken > 2 && bpeStats.coverage > 0.3)
    }
}
