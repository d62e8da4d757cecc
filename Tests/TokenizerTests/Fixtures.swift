import Foundation
import TestSupport
@testable import Tokenizer

/// The committed sample articles and the hostile strings every round-trip and parity test uses.
enum Fixtures {
    static let articles: [String] = {
        let data = FileManager.default.contents(atPath: Repo.articles)!
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return object["text"] as! String
        }
    }()

    /// A BPE small enough to train in a debug build in well under a second, shared by the tests.
    static let bpe = try! Tokenizer.train(.bpe, documents: articles, vocabularySize: 700)
    static let word = try! Tokenizer.train(.word, documents: articles, vocabularySize: 500)

    static let hostile: [String] = [
        "",
        " ",
        "   ",
        "\n\n\n",
        "¿Dónde está la estación? ¡Ñandú pingüino! Ü ü ñ Ñ á é í ó ú",
        "  doble  espacio  \t tab\r\nCRLF\u{0B}\u{0C}",
        "emoji 👩🏽‍🚀 🇪🇸 ❤️ 😀😀😀 and keycap 1️⃣",
        "combining: e\u{301} a\u{300}\u{328} n\u{303}o Z\u{334}\u{31B}\u{327}",
        "\u{301}leading mark, mark after digit 1\u{301} and space \u{301}",
        "control \u{0}\u{1}\u{7}\u{1B}[31m\u{7F}\u{85}\u{9F} chars",
        "spaces: a\u{A0}b\u{3000}c\u{2028}d\u{2029}e\u{202F}f\u{200B}g\u{FEFF}h",
        "números 1985, 3.14159, 1.000.000 y ½ ² ٣ ⅻ",
        "scripts: Ελληνικά русский 中文 日本語 한국어 עברית العربية हिन्दी",
        "(¿ok?) ¿¿Sí?? ¡¡No!! «comillas» —raya— “curly” ‘single’ …",
        "special spelled out: [PAD] [UNK] [BOS] [EOS] [BOS]x",
        "trailing whitespace   ",
        "\t\tx",
        "Σ ΣΑΣ İstanbul ǅ ﬁ ß ẞ Å Ω",
        "composing: =\u{338} <\u{338} 𝅗𝅥 𝅘𝅥𝅮 \u{2ADC} \u{1D15E}",
        String(repeating: "abcdefghijklmnñopqrstuvwxyzáéíóú", count: 1 << 20 / 37),
        String(repeating: "9", count: 1 << 16) + String(repeating: ".,;:!?", count: 1 << 14),
    ]
}
