import Foundation

/// What an HTML or extension tag in wikitext means for the text: dropped with its content
/// (references, maths, galleries), kept verbatim (`nowiki`, `pre`), replaced by a line break or
/// a space, or removed while its content stays (formatting). Unknown names are literal text.
enum WikitextTags {
    enum Meaning: Equatable {
        case literal
        case comment(end: Int)
        case markup(end: Int)
        case lineBreak(end: Int)
        case space(end: Int)
        case dropElement(name: [UInt8], openEnd: Int)
        case verbatim(name: [UInt8], openEnd: Int)
    }

    static let dropped: Set<String> = [
        "ref", "references", "math", "chem", "ce", "gallery", "timeline", "graph", "mapframe", "maplink",
        "score", "syntaxhighlight", "source", "templatedata", "templatestyles", "imagemap", "hiero", "inputbox",
        "categorytree", "charinsert", "indicator", "section", "table", "noinclude", "style", "script",
    ]
    static let verbatim: Set<String> = ["nowiki", "pre"]
    static let blocks: Set<String> = [
        "br", "hr", "p", "div", "li", "ul", "ol", "dl", "dd", "dt", "tr", "blockquote", "center", "poem",
        "h1", "h2", "h3", "h4", "h5", "h6", "caption",
    ]
    static let cells: Set<String> = ["td", "th"]
    static let inline: Set<String> = [
        "span", "small", "big", "sup", "sub", "b", "i", "u", "s", "strike", "del", "ins", "em", "strong", "font",
        "abbr", "code", "tt", "kbd", "var", "cite", "q", "bdi", "bdo", "mark", "ruby", "rb", "rt", "rp", "wbr",
        "samp", "dfn", "includeonly", "onlyinclude", "tbody", "thead",
    ]
    /// A tag longer than this is not a tag.
    static let maxTagBytes = 2048

    static func classify(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Meaning {
        if i + 3 < s.count, s[i + 1] == UInt8(ascii: "!"), s[i + 2] == UInt8(ascii: "-"), s[i + 3] == UInt8(ascii: "-") {
            return .comment(end: ClosingTagIndex.search(Array("-->".utf8), in: s, from: i + 4).map { $0 + 3 } ?? s.count)
        }
        var j = i + 1
        let closing = j < s.count && s[j] == UInt8(ascii: "/")
        if closing { j += 1 }
        let nameStart = j
        while j < s.count, j - nameStart < 24, isNameByte(s[j]) { j += 1 }
        guard j > nameStart, j < s.count else { return .literal }
        let after = s[j]
        guard after == UInt8(ascii: ">") || after == UInt8(ascii: "/") || after == 0x20 || after == 0x09 || after == 0x0A
        else { return .literal }
        let name = s[nameStart..<j].map { $0 | 0x20 }
        let key = String(decoding: name, as: UTF8.self)
        guard dropped.contains(key) || verbatim.contains(key) || blocks.contains(key) || cells.contains(key)
                || inline.contains(key) else { return .literal }
        var k = j
        let limit = min(s.count, i + maxTagBytes)
        while k < limit, s[k] != UInt8(ascii: ">"), s[k] != UInt8(ascii: "<") { k += 1 }
        guard k < limit, s[k] == UInt8(ascii: ">") else { return .literal }
        let end = k + 1
        let selfClosing = s[k - 1] == UInt8(ascii: "/")
        if blocks.contains(key) { return .lineBreak(end: end) }
        if cells.contains(key) { return .space(end: end) }
        if closing || selfClosing || inline.contains(key) { return .markup(end: end) }
        if dropped.contains(key) { return .dropElement(name: name, openEnd: end) }
        return .verbatim(name: name, openEnd: end)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57)
    }
}

/// Finds closing tags (`</ref>`, case-insensitive) in amortised linear time over a page: the
/// answer for each name is remembered, so a page of ten thousand unclosed `<ref>` is still
/// searched once, not ten thousand times.
struct ClosingTagIndex {
    private var known: [[UInt8]: (from: Int, at: (Int, Int)?)] = [:]

    /// Start of the closing tag and the index after it.
    mutating func find(_ name: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> (Int, Int)? {
        if let cached = known[name], cached.from <= from {
            guard let hit = cached.at else { return nil }
            if hit.0 >= from { return hit }
        }
        let hit = Self.closingTag(name, in: s, from: from)
        known[name] = (from, hit)
        return hit
    }

    mutating func end(of name: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        find(name, in: s, from: from)?.1
    }

    private static func closingTag(_ name: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> (Int, Int)? {
        var i = from
        while let lt = search([UInt8(ascii: "<"), UInt8(ascii: "/")], in: s, from: i) {
            var j = lt + 2
            var matched = true
            for c in name {
                guard j < s.count, s[j] | 0x20 == c else { matched = false; break }
                j += 1
            }
            if matched {
                while j < s.count, s[j] == 0x20 || s[j] == 0x09 { j += 1 }
                if j < s.count, s[j] == UInt8(ascii: ">") { return (lt, j + 1) }
            }
            i = lt + 2
        }
        return nil
    }

    static func search(_ needle: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < s.count, let base = s.baseAddress else { return nil }
        var i = from
        while i + needle.count <= s.count {
            guard let p = memchr(base + i, Int32(needle[0]), s.count - i) else { return nil }
            i = UnsafeRawPointer(p) - UnsafeRawPointer(base)
            guard i + needle.count <= s.count else { return nil }
            if memcmp(base + i, needle, needle.count) == 0 { return i }
            i += 1
        }
        return nil
    }
}
