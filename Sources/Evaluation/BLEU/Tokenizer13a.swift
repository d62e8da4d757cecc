/// The `13a` tokenizer of mteval-v13a.pl exactly as sacrebleu implements it
/// (`sacrebleu/tokenizers/tokenizer_13a.py` and `tokenizer_re.py`).
///
/// It works on Unicode scalars, not on Swift `Character`s, because Python strings are
/// sequences of code points: a combining accent after a period must not hide the period,
/// and tokens compare by code points, not by canonical equivalence.
public enum Tokenizer13a {
    public static let signature = "13a"

    public static func tokenize(_ line: String) -> [String] {
        tokenizeScalars(Array(line.unicodeScalars)).map { scalars in
            var token = String.UnicodeScalarView()
            token.append(contentsOf: scalars)
            return String(token)
        }
    }

    /// Tokens as code-point arrays, the form BLEU matches n-grams on.
    static func tokenizeScalars(_ line: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var s = line
        replaceAll(&s, "<skipped>", "")
        replaceAll(&s, "-\n", "")
        replaceAll(&s, "\n", " ")
        if s.contains("&") {
            replaceAll(&s, "&quot;", "\"")
            replaceAll(&s, "&amp;", "&")
            replaceAll(&s, "&lt;", "<")
            replaceAll(&s, "&gt;", ">")
        }
        s = [" "] + s + [" "]

        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
        var spaced: [Unicode.Scalar] = []
        spaced.reserveCapacity(s.count * 2)
        for c in s {
            if isSeparatedPunctuation(c) { spaced += [" ", c, " "] } else { spaced.append(c) }
        }
        // ([^0-9])([\.,]) -> "\1 \2 "
        s = substitutePairs(spaced, { !isDigit($0) && isPeriodOrComma($1) }) { [$0, " ", $1, " "] }
        // ([\.,])([^0-9]) -> " \1 \2"
        s = substitutePairs(s, { isPeriodOrComma($0) && !isDigit($1) }) { [" ", $0, " ", $1] }
        // ([0-9])(-) -> "\1 \2 "
        s = substitutePairs(s, { isDigit($0) && $1 == "-" }) { [$0, " ", $1, " "] }
        return splitOnPythonWhitespace(s)
    }

    /// Python's `str.rstrip()` with no argument.
    static func rstrip(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var end = s.count
        while end > 0 && isPythonWhitespace(s[end - 1]) { end -= 1 }
        return Array(s[..<end])
    }

    /// Python's `str.isspace()` set: Unicode White_Space plus the ASCII separators 0x1C–0x1F.
    static func isPythonWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func isSeparatedPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
        default: return false
        }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private static func isPeriodOrComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }

    /// `re.sub` for a two-character pattern: leftmost, non-overlapping matches, scanning on
    /// after each match.
    private static func substitutePairs(
        _ s: [Unicode.Scalar],
        _ matches: (Unicode.Scalar, Unicode.Scalar) -> Bool,
        _ replacement: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]
    ) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + s.count / 2)
        var i = 0
        while i < s.count {
            if i + 1 < s.count && matches(s[i], s[i + 1]) {
                out += replacement(s[i], s[i + 1])
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// Python's `str.replace`: non-overlapping, left to right, on code points.
    private static func replaceAll(_ s: inout [Unicode.Scalar], _ pattern: String, _ replacement: String) {
        let p = Array(pattern.unicodeScalars)
        let r = Array(replacement.unicodeScalars)
        guard s.count >= p.count else { return }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            if i + p.count <= s.count && s[i] == p[0] && s[i..<(i + p.count)].elementsEqual(p) {
                out += r
                i += p.count
                changed = true
            } else {
                out.append(s[i])
                i += 1
            }
        }
        if changed { s = out }
    }

    private static func splitOnPythonWhitespace(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var tokens: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in s {
            if isPythonWhitespace(c) {
                if !current.isEmpty { tokens.append(current); current = [] }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
