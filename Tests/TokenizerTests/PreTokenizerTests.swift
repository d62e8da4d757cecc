import Foundation
import Testing
@testable import Tokenizer

@Suite struct PreTokenizerTests {
    static func pieces(_ text: String, word: Bool = false) -> [String] {
        var text = text
        var out: [String] = []
        text.withUTF8 { utf8 in
            let split = word ? WordPreTokenizer.forEachPiece : PreTokenizer.forEachPiece
            split(utf8.baseAddress!, utf8.count) { out.append(String(decoding: utf8[$0..<$1], as: UTF8.self)) }
        }
        return out
    }

    // Expected pieces are what Hugging Face `tokenizers` gives for `PreTokenizer.pattern`.
    @Test func spanishPunctuationNumbersAndWhitespace() {
        #expect(Self.pieces("¿Qué es? ¡Hola!  mundo\n\n El año 1985,  (¿ok?) ¿¿Sí") == [
            "¿Qué", " es", "?", " ¡Hola", "!", " ", " mundo", "\n\n", " El", " año", " 1985", ",", " ",
            " (¿", "ok", "?)", " ¿¿", "Sí",
        ])
        #expect(Self.pieces("a\u{A0}b\u{3000}c e \u{A0}f") == ["a", "\u{A0}", "b", "\u{3000}", "c", " e", " ", "\u{A0}", "f"])
        #expect(Self.pieces("a  \nb") == ["a", "  ", "\n", "b"])
        #expect(Self.pieces("\t\tx") == ["\t", "\t", "x"])
        #expect(Self.pieces("end   ") == ["end", "   "])
        #expect(Self.pieces("x\u{301} e\u{301}\u{301} 1\u{301}") == ["x\u{301}", " e\u{301}\u{301}", " 1", "\u{301}"])
    }

    @Test func wordPiecesDropWhitespaceAndIsolatePunctuation() {
        #expect(Self.pieces("¿Qué es? año 1985,(ok)", word: true) == ["¿", "Qué", "es", "?", "año", "1985", ",", "(", "ok", ")"])
    }

    @Test func piecesTileTheText() {
        for text in Fixtures.hostile.dropLast(2) + Fixtures.articles.prefix(5) {
            #expect(Self.pieces(text).joined() == text)
        }
    }
}
