/// XML and HTML character references: `&amp;`, `&#241;`, `&#xF1;`, and (for HTML) the named
/// entities that occur in wikitext. Invalid code points become U+FFFD; unknown names stay as written.
public enum CharacterReferences {
    /// The reference starting at `bytes[i]` (which is `&`): its UTF-8 and its length, or nil if
    /// there is none there.
    public static func reference(at i: Int, in bytes: UnsafeBufferPointer<UInt8>, html: Bool) -> (utf8: [UInt8], length: Int)? {
        var j = i + 1
        let limit = min(bytes.count, i + 34)
        while j < limit, bytes[j] != UInt8(ascii: ";"), bytes[j] != UInt8(ascii: "&"), bytes[j] > 0x20 { j += 1 }
        guard j < limit, bytes[j] == UInt8(ascii: ";"), j > i + 1 else { return nil }
        let body = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
        if body[0] == UInt8(ascii: "#") {
            guard let value = numeric(UnsafeBufferPointer(rebasing: body[1...])) else { return nil }
            let scalar = Unicode.Scalar(value).flatMap { $0.value == 0 ? nil : $0 } ?? "\u{FFFD}"
            return (Array(String(scalar).utf8), j - i + 1)
        }
        let name = String(decoding: body, as: UTF8.self)
        guard let scalar = xmlNames[name] ?? (html ? htmlNames[name] : nil) else { return nil }
        return (Array(String(scalar).utf8), j - i + 1)
    }

    /// Decodes every reference in `bytes`.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, html: Bool) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), let (utf8, length) = reference(at: i, in: bytes, html: html) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                out += utf8
                i += length
                start = i
            } else {
                i += 1
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        return out
    }

    private static func numeric(_ digits: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard !digits.isEmpty else { return nil }
        let hex = digits[0] == UInt8(ascii: "x") || digits[0] == UInt8(ascii: "X")
        let text = String(decoding: hex ? UnsafeBufferPointer(rebasing: digits[1...]) : digits, as: UTF8.self)
        guard !text.isEmpty, text.count <= 8 else { return text.isEmpty ? nil : 0xFFFD }
        return UInt32(text, radix: hex ? 16 : 10)
    }

    static let xmlNames: [String: Unicode.Scalar] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]

    static let htmlNames: [String: Unicode.Scalar] = [
        "nbsp": "\u{A0}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "shy": "\u{AD}",
        "zwj": "\u{200D}", "zwnj": "\u{200C}", "lrm": "\u{200E}", "rlm": "\u{200F}",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "minus": "\u{2212}", "hellip": "\u{2026}",
        "laquo": "«", "raquo": "»", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "sbquo": "\u{201A}",
        "ldquo": "\u{201C}", "rdquo": "\u{201D}", "bdquo": "\u{201E}", "prime": "′", "Prime": "″",
        "iexcl": "¡", "iquest": "¿", "copy": "©", "reg": "®", "trade": "™", "deg": "°", "plusmn": "±",
        "times": "×", "divide": "÷", "middot": "·", "bull": "•", "para": "¶", "sect": "§", "micro": "µ",
        "frac12": "½", "frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³", "ordf": "ª", "ordm": "º",
        "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "larr": "←", "rarr": "→", "harr": "↔",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "ntilde": "ñ", "uuml": "ü",
        "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú", "Ntilde": "Ñ", "Uuml": "Ü",
        "agrave": "à", "egrave": "è", "ograve": "ò", "ccedil": "ç", "Ccedil": "Ç", "auml": "ä", "ouml": "ö",
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "pi": "π", "mu": "μ", "lambda": "λ", "omega": "ω",
    ]
}
