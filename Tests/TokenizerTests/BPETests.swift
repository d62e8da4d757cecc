import Foundation
import Testing
@testable import Tokenizer

@Suite struct BPETests {
    @Test func decodeInvertsEncodeOnTheSampleAndHostileStrings() throws {
        let encoder = Fixtures.bpe.makeEncoder()
        for text in Fixtures.articles + Fixtures.hostile {
            let ids = encoder.encode(text)
            #expect(try Fixtures.bpe.decode(ids) == text, "round trip failed for \(text.prefix(60).debugDescription)")
            #expect(!ids.contains(SpecialToken.unk.id))
            #expect(ids.allSatisfy { $0 >= 4 && $0 < 700 })
        }
    }

    @Test func aMegabyteWithoutSpacesIsOnePieceAndStillRoundTrips() throws {
        let text = Fixtures.hostile[Fixtures.hostile.count - 2]
        #expect(text.utf8.count > 1_000_000)
        var pieces = 0
        var copy = text
        copy.withUTF8 { PreTokenizer.forEachPiece($0.baseAddress!, count: $0.count) { _, _ in pieces += 1 } }
        #expect(pieces == 1)
        let ids = Fixtures.bpe.encode(text)
        #expect(ids.count < text.utf8.count * 9 / 10, "merges should apply inside a long piece")
        #expect(try Fixtures.bpe.decode(ids) == text)
    }

    @Test func specialTokensAndVocabularyLayout() throws {
        #expect(Fixtures.bpe.vocabularySize == 700)
        for special in SpecialToken.allCases {
            #expect(try Fixtures.bpe.bytes(of: special.id) == Array(special.text.utf8))
        }
        for byte in 0..<256 { #expect(try Fixtures.bpe.bytes(of: TokenID(4 + byte)) == [UInt8(byte)]) }
        #expect(throws: TokenizerError.unknownTokenID(700, vocabularySize: 700)) { try Fixtures.bpe.bytes(of: 700) }
        // Text that spells a special token is ordinary text, never the control token.
        #expect(!Fixtures.bpe.encode("[BOS]").contains(SpecialToken.bos.id))
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() throws {
        let bytes: [UInt8] = Array("año ".utf8) + [0xC3] + Array(" ok".utf8)
        #expect(throws: TokenizerError.invalidUTF8(offset: 5)) { try Fixtures.bpe.encode(utf8: bytes) }
        #expect(throws: TokenizerError.invalidUTF8(offset: 0)) { try Fixtures.bpe.encode(utf8: [0xFF]) }
        #expect(try Fixtures.bpe.encode(utf8: Array("año".utf8)) == Fixtures.bpe.encode("año"))
    }

    @Test func aSequenceCutInsideACharacterDecodesExplicitly() throws {
        // The byte tokens of "ñ" (0xC3 0xB1): the first alone is half a character.
        let half: [TokenID] = [4 + 0x61, 4 + 0xC3]
        #expect(try Fixtures.bpe.decodeBytes(half) == [0x61, 0xC3])
        #expect(throws: TokenizerError.decodedBytesNotUTF8(offset: 1)) { try Fixtures.bpe.decode(half) }
        #expect(try Fixtures.bpe.decodeLossy(half) == "a\u{FFFD}")
        #expect(try Fixtures.bpe.decode(half + [4 + 0xB1]) == "añ")
    }

    @Test func frequentSpanishWordsBecomeSingleTokens() {
        for word in [" de", " la", " en", " el"] {
            #expect(Fixtures.bpe.encode(word).count == 1, "\(word) should be one token")
        }
    }

    @Test func trainingIsDeterministicAndIndependentOfThreads() throws {
        let one = try Tokenizer.train(.bpe, documents: Fixtures.articles, vocabularySize: 400, threads: 1)
        let two = try Tokenizer.train(.bpe, documents: Fixtures.articles, vocabularySize: 400, threads: 2)
        let three = try Tokenizer.train(.bpe, documents: Fixtures.articles.reversed(), vocabularySize: 400, threads: 3)
        #expect(one.huggingFaceJSON() == two.huggingFaceJSON())
        #expect(one.huggingFaceJSON() == three.huggingFaceJSON())
    }

    @Test func vocabularySizeOutsideItsRangeIsRefused() {
        #expect(throws: TokenizerError.vocabularySizeOutOfRange(260, kind: .bpe, allowed: 261...(1 << 20))) {
            try Tokenizer.train(.bpe, documents: ["a"], vocabularySize: 260)
        }
    }

    @Test func aSmallCorpusStopsWhenNoPairIsLeft() throws {
        let tokenizer = try Tokenizer.train(.bpe, documents: ["abab"], vocabularySize: 1000)
        // Merges: (a,b) then (ab,ab); then no pair is left.
        #expect(tokenizer.vocabularySize == 262)
        #expect(tokenizer.encode("abab") == [261])
    }
}
