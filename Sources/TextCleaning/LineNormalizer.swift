import Foundation

/// Normalises one line of text: Unicode NFC; zero-width characters, soft hyphens and U+FFFD
/// removed; every kind of space one ASCII space, collapsed and trimmed; typographic quotes
/// to `"` and `'`; hyphens, en dashes and minus signs to `-`, em dashes and horizontal bars to
/// `—`; `…` to `...`; no space before closing punctuation or after opening marks; empty
/// parentheses left behind by removed markup go. Accents, `ñ`, `¿` and `¡` are kept.
enum LineNormalizer {
    static func normalize(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(line.count)
        var pendingSpace = false
        let input = needsComposition(line) ? Array(String(decoding: line, as: UTF8.self).precomposedStringWithCanonicalMapping.utf8)[...] : line
        var i = input.startIndex
        while i < input.endIndex {
            let b = input[i]
            var scalar = UInt32(b)
            var length = 1
            if b >= 0x80 { (scalar, length) = decode(input, i) }
            let mapped = map(scalar)
            switch mapped {
            case .skip:
                i += length
                continue
            case .space:
                pendingSpace = !out.isEmpty
                i += length
                continue
            default:
                break
            }
            let first = mapped.firstByte
            if pendingSpace && !closesSpace(first) && !opensWithoutSpace(out) { out.append(0x20) }
            pendingSpace = false
            if (first == UInt8(ascii: ",") || first == UInt8(ascii: ";")) && out.last == UInt8(ascii: "(") {
                i += length
                continue
            }
            switch mapped {
            case .ascii(let c): out.append(c)
            case .same: out.append(contentsOf: input[i..<(i + length)])
            case .text(let text): out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
            case .skip, .space: break
            }
            i += length
            if first == UInt8(ascii: ")") && out.count >= 2 && out[out.count - 2] == UInt8(ascii: "(") {
                out.removeLast(2)
                while out.last == 0x20 { out.removeLast() }
                pendingSpace = !out.isEmpty
            }
        }
        return out
    }

    /// What a code point becomes: nothing, a space, itself, or a replacement.
    enum Mapped {
        case skip, space, same
        case ascii(UInt8)
        case text(StaticString)

        /// The first byte of the replacement (only ASCII matters to the spacing rules).
        var firstByte: UInt8 {
            switch self {
            case .ascii(let c): c
            case .text(let s): s.utf8Start.pointee
            default: 0x80
            }
        }
    }

    @inline(__always)
    static func map(_ c: UInt32) -> Mapped {
        if c < 0x80 {
            if c == 0x20 || c == 0x09 || c == 0x0B || c == 0x0C || c == 0x0D { return .space }
            if c < 0x20 || c == 0x7F { return .skip }
            return .ascii(UInt8(c))
        }
        switch c {
        case 0xAD, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF, 0xFFFD, 0x202A...0x202E, 0x2066...0x2069: return .skip
        case 0x80...0x9F: return .skip
        case 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return .space
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2033: return .ascii(UInt8(ascii: "\""))
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032: return .ascii(UInt8(ascii: "'"))
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2212: return .ascii(UInt8(ascii: "-"))
        case 0x2014, 0x2015: return .text("—")
        case 0x2026: return .text("...")
        default: return .same
        }
    }

    static func closesSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: ".") || b == UInt8(ascii: ";") || b == UInt8(ascii: ":")
            || b == UInt8(ascii: ")") || b == UInt8(ascii: "]") || b == UInt8(ascii: "?") || b == UInt8(ascii: "!")
    }

    /// After `(`, `[`, `¿` or `¡` no space.
    static func opensWithoutSpace(_ out: [UInt8]) -> Bool {
        guard let last = out.last else { return true }
        if last == UInt8(ascii: "(") || last == UInt8(ascii: "[") { return true }
        return out.count >= 2 && out[out.count - 2] == 0xC2 && (last == 0xBF || last == 0xA1)
    }

    /// UTF-8 decoding with U+FFFD for malformed bytes (Swift strings are already valid, so this
    /// only matters for the length).
    @inline(__always)
    static func decode(_ s: ArraySlice<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(s[i])
        if b0 < 0x80 { return (b0, 1) }
        let need = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : 0
        guard need > 0, i + need < s.endIndex else { return (0xFFFD, 1) }
        var value = b0 & (0x3F >> UInt32(need))
        for k in 1...need {
            let b = UInt32(s[i + k])
            guard b & 0xC0 == 0x80 else { return (0xFFFD, 1) }
            value = value << 6 | (b & 0x3F)
        }
        return (value, need + 1)
    }

    /// Whether a line may not be in NFC: it holds a code point outside the ranges where every
    /// character is its own composition (Latin-1, Latin Extended, Greek and Cyrillic letters,
    /// general punctuation and symbols). Such lines are rare; the rest skip the conversion.
    static func needsComposition(_ line: ArraySlice<UInt8>) -> Bool {
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] < 0x80 { i += 1; continue }
            let (c, length) = decode(line, i)
            i += length
            switch c {
            case 0x80..<0x300, 0x370...0x373, 0x376...0x37D, 0x388...0x3FF, 0x400...0x482, 0x48A...0x52F,
                 0x2000...0x2125, 0x2127...0x2129, 0x212C...0x2328, 0x232B...0x2ADB, 0x2ADD...0x2BFF,
                 0xFFFD, 0xFEFF: continue
            default: return true
            }
        }
        return false
    }
}
