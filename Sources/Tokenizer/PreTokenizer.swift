import Foundation

/// Splits text into the pieces that BPE merges never cross. It is a hand-written matcher for
/// `PreTokenizer.pattern` (what the exported `tokenizer.json` gives Hugging Face `tokenizers`):
///
///     ` ?[¿¡]?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+`
///
/// GPT-2's pattern without its English contractions (`'s`, `'ll`, …), with combining marks kept
/// in words (decomposed accents stay with their letter) and with `¿`/`¡` allowed to open a word
/// so that ` ¿Dónde` stays one piece. Case and accents are kept as they are.
enum PreTokenizer {
    static let pattern = #" ?[¿¡]?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+"#

    /// Calls `body` with the byte range of each piece, in order; the ranges tile `0..<count`.
    static func forEachPiece(_ p: UnsafePointer<UInt8>, count n: Int, _ body: (Int, Int) -> Void) {
        let classes = ScalarClasses()
        var i = 0
        while i < n {
            var (value, length) = UTF8Scan.scalar(p, i)
            var cls = classes.of(value)
            var start = i
            if cls == .space {
                // A whitespace run: all of it at the end of the text; otherwise all but its last
                // scalar, which stands alone unless it is a plain space that leads the next piece.
                var last = i, j = i
                while j < n {
                    let (v, l) = UTF8Scan.scalar(p, j)
                    guard classes.of(v) == .space else { break }
                    last = j
                    j += l
                }
                if j == n { body(i, n); return }
                if last > i { body(i, last) }
                if p[last] != 0x20 { body(last, j); i = j; continue }
                start = last
                i = j
                (value, length) = UTF8Scan.scalar(p, i)
                cls = classes.of(value)
            }
            if cls == .opening, i + length < n, classes.of(UTF8Scan.scalar(p, i + length).value) == .letter {
                i += length
                cls = .letter
            }
            i = runEnd(p, n, from: i, cls, classes)
            body(start, i)
        }
    }

    /// The end of the maximal run starting at `i` of scalars that continue a piece of class `cls`.
    @inline(__always)
    static func runEnd(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, _ cls: ScalarClass,
                               _ classes: ScalarClasses) -> Int {
        var i = start
        while i < n {
            let (v, l) = UTF8Scan.scalar(p, i)
            let c = classes.of(v)
            let continues = switch cls {
            case .letter, .number: c == cls
            default: c == .other || c == .opening
            }
            guard continues else { break }
            i += l
        }
        return i
    }
}

/// The word tokenizer's pre-tokenisation (the original project's): text is put in NFC (so a
/// precomposed and a decomposed "é" are one word) and lowercased scalar by scalar; whitespace
/// separates and is dropped; a word is a run of letters (with their combining marks, accents
/// kept: "canción" ≠ "cancion"), a number is a run of digits, and every other character
/// (punctuation, `¿`, symbols, emoji) is a word of its own.
enum WordPreTokenizer {
    /// The Hugging Face equivalent: `NFC` and `Lowercase`, then `WhitespaceSplit`, then a `Split`
    /// (isolated) on this pattern. The whole text is normalised before it is split (normalising
    /// pieces would differ: NFC joins "=" and U+0338 into "≠").
    static let pattern = #"[\p{L}\p{M}]+|\p{N}+|[^\p{L}\p{M}\p{N}]"#

    static func forEachPiece(_ p: UnsafePointer<UInt8>, count n: Int, _ body: (Int, Int) -> Void) {
        let classes = ScalarClasses()
        var i = 0
        while i < n {
            let (v, l) = UTF8Scan.scalar(p, i)
            let cls = classes.of(v)
            switch cls {
            case .space:
                i += l
            case .letter, .number:
                let start = i
                i = PreTokenizer.runEnd(p, n, from: i, cls, classes)
                body(start, i)
            case .opening, .other:
                body(i, i + l)
                i += l
            }
        }
    }

    /// NFC, then each scalar's full lowercase mapping (Rust's `char::to_lowercase`, which the
    /// Hugging Face `Lowercase` normalizer applies).
    static func normalized(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        var out = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.changesWhenLowercased {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
