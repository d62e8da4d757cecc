/// The vocabulary as text for people: one token per line, `id<TAB>token`, the token quoted with
/// escapes for whitespace and control characters, and `\xNN` for bytes that are not a whole
/// UTF-8 character (byte-level tokens may hold part of one).
extension Tokenizer {
    public func vocabularyListing() -> String {
        var out = "# minillm \(kind.rawValue) vocabulary: \(vocabularySize) tokens. id<TAB>token; "
            + "\\xNN is a byte that is not a whole UTF-8 character.\n"
        for id in 0..<TokenID(vocabularySize) {
            let text: String
            if let special = SpecialToken(rawValue: id) { text = special.text } else { text = Self.readable(try! bytes(of: id)) }
            out += "\(id)\t\(text)\n"
        }
        return out
    }

    static func readable(_ bytes: [UInt8]) -> String {
        var out = "\""
        var i = 0
        while i < bytes.count {
            let end = Self.scalarEnd(bytes, i)
            guard end > i else {
                out += "\\x" + String(bytes[i], radix: 16, uppercase: true).leftPadded(2)
                i += 1
                continue
            }
            let scalar = String(decoding: bytes[i..<end], as: UTF8.self).unicodeScalars.first!
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let visible = !(scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    || (scalar.properties.isWhitespace && scalar != " "))
                out += visible ? String(scalar) : "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            i = end
        }
        return out + "\""
    }

    /// The end of the valid UTF-8 scalar starting at `i`, or `i` when there is none.
    private static func scalarEnd(_ bytes: [UInt8], _ i: Int) -> Int {
        let length = bytes[i] < 0x80 ? 1 : bytes[i] >= 0xF0 ? 4 : bytes[i] >= 0xE0 ? 3 : bytes[i] >= 0xC0 ? 2 : 0
        guard length > 0, i + length <= bytes.count else { return i }
        return UTF8Scan.firstInvalidOffset(bytes[i..<(i + length)]) == nil ? i + length : i
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
