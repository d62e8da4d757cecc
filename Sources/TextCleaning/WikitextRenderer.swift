import CorpusFormat

/// Wikitext to plain text in one pass over the bytes, in time linear in the input.
///
/// Nested constructs (templates, template arguments, links, external links, tables) are frames
/// on an explicit stack, so 10,000-deep nesting is no deeper for the machine than one level. A
/// frame writes its rendering straight into the shared output; when it closes it keeps, trims
/// or drops what it wrote. As in MediaWiki's preprocessor a closer only closes the innermost
/// open frame of its kind, and a frame still open at the end keeps its text (it was literal).
/// Headings, lists and paragraphs are left for `TextLayout`, which works line by line.
public struct WikitextRenderer {
    /// Frames beyond this depth are taken as literal text, bounding memory on hostile input.
    public static let maxDepth = 20_000
    /// Inline templates deeper than this are dropped rather than kept, bounding the copying.
    static let maxKeepDepth = 8

    enum Kind { case template, argument, link, externalLink, table }

    struct Frame {
        let kind: Kind
        /// Where this frame's rendering starts in `out`.
        let start: Int
        /// Output offsets of the frame's top-level `|` separators (templates, at most a few kept).
        var separators: [Int] = []
        /// For links: the target, captured at the first `|`, and whether the link is dropped.
        var target: [UInt8]? = nil
        var drop = false
    }

    var out: [UInt8] = []
    private var frames: [Frame] = []
    private var closers = ClosingTagIndex()

    public init() {}

    /// Renders one page. Invalid UTF-8 is passed through (the caller decodes with repair).
    public static func render(_ text: String) -> [UInt8] {
        var renderer = WikitextRenderer()
        var text = text
        text.withUTF8 { renderer.render($0) }
        return renderer.out
    }

    mutating func render(_ s: UnsafeBufferPointer<UInt8>) {
        out = []
        out.reserveCapacity(s.count)
        frames = []
        closers = ClosingTagIndex()
        var i = 0
        let n = s.count
        let special = Self.special  // a local: a static read in the loop pays a lazy-initialisation check
        while i < n {
            // Copy the run of ordinary bytes in one go.
            var j = i
            while j < n && !special[Int(s[j])] { j += 1 }
            if j > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i..<j]))
                i = j
                if i == n { break }
            }
            switch s[i] {
            case UInt8(ascii: "{"): i = openBrace(s, i)
            case UInt8(ascii: "}"): i = closeBrace(s, i)
            case UInt8(ascii: "["): i = openBracket(s, i)
            case UInt8(ascii: "]"): i = closeBracket(s, i)
            case UInt8(ascii: "|"): i = pipe(s, i)
            case UInt8(ascii: "<"): i = tag(s, i)
            case UInt8(ascii: "&"): i = entity(s, i)
            case UInt8(ascii: "'"): i = quotes(s, i)
            case UInt8(ascii: "_"): i = magicWord(s, i)
            case UInt8(ascii: "\n"):
                if frames.last?.kind == .externalLink { frames.removeLast() }
                out.append(0x0A)
                i += 1
            default:
                out.append(s[i])
                i += 1
            }
        }
    }

    static let special: [Bool] = (0..<256).map { "{}[]|<&'_\n".utf8.contains(UInt8($0)) }

    static func run(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, of byte: UInt8) -> Int {
        var j = i
        while j < s.count && s[j] == byte { j += 1 }
        return j - i
    }

    /// True when only spaces and `:` indentation precede `i` on its line.
    static func atLineStart(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && (s[k] == 0x20 || s[k] == 0x09 || s[k] == UInt8(ascii: ":")) { k -= 1 }
        return k < 0 || s[k] == 0x0A
    }

    mutating func push(_ kind: Kind) -> Bool {
        guard frames.count < Self.maxDepth else { return false }
        frames.append(Frame(kind: kind, start: out.count))
        return true
    }

    // MARK: Braces: templates, template arguments, tables

    mutating func openBrace(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let count = Self.run(s, i, of: UInt8(ascii: "{"))
        if count == 1 {
            if i + 1 < s.count, s[i + 1] == UInt8(ascii: "|"), Self.atLineStart(s, i), push(.table) { return i + 2 }
            out.append(s[i])
            return i + 1
        }
        var left = count
        if left % 2 == 1 { if push(.argument) { left -= 3 } else { left = 0 } }
        while left >= 2 { if push(.template) { left -= 2 } else { left = 0 } }
        return i + count
    }

    mutating func closeBrace(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let count = Self.run(s, i, of: UInt8(ascii: "}"))
        var left = count
        while left >= 2, let top = frames.last, top.kind == .template || top.kind == .argument {
            left -= top.kind == .argument && left >= 3 ? 3 : 2
            closeTemplate()
        }
        if left == 1 && count == 1 { out.append(UInt8(ascii: "}")) }
        return i + count
    }

    mutating func closeTemplate() {
        let frame = frames.removeLast()
        if frame.kind == .template, frames.count < Self.maxKeepDepth,
           let kept = InlineTemplates.keep(out, start: frame.start, separators: frame.separators) {
            out.removeSubrange(frame.start...)
            out += kept
        } else {
            out.removeSubrange(frame.start...)
        }
    }

    mutating func pipe(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        guard let top = frames.last else {
            out.append(s[i])
            return i + 1
        }
        switch top.kind {
        case .template, .argument:
            if frames[frames.count - 1].separators.count < InlineTemplates.maxArguments {
                frames[frames.count - 1].separators.append(out.count)
            }
        case .link:
            if top.target == nil {
                let target = Array(out[top.start...])
                frames[frames.count - 1].target = target
                frames[frames.count - 1].drop = !LinkTargets.keepsLabel(target)
                out.removeSubrange(top.start...)
            } else {
                out.append(s[i])
            }
        case .table:
            if i + 1 < s.count, s[i + 1] == UInt8(ascii: "}"), Self.atLineStart(s, i) {
                frames.removeLast()
                out.removeSubrange(top.start...)
                return i + 2
            }
            out.append(s[i])
        case .externalLink:
            out.append(s[i])
        }
        return i + 1
    }

    // MARK: Brackets: links and external links

    mutating func openBracket(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let count = Self.run(s, i, of: UInt8(ascii: "["))
        if count >= 2 {
            if count > 2 { out += repeatElement(UInt8(ascii: "["), count: count - 2) }
            if !push(.link) { out += [UInt8(ascii: "["), UInt8(ascii: "[")] }
            return i + count
        }
        let urlEnd = ExternalLinks.urlEnd(s, from: i + 1)
        guard urlEnd > i + 1 else {
            out.append(s[i])
            return i + 1
        }
        // The URL itself is never text; what follows it up to `]` is the label.
        guard urlEnd < s.count, s[urlEnd] != 0x0A, push(.externalLink) else { return urlEnd }
        return urlEnd
    }

    mutating func closeBracket(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let count = Self.run(s, i, of: UInt8(ascii: "]"))
        var left = count
        while left >= 1, let top = frames.last {
            if top.kind == .externalLink {
                frames.removeLast()
                left -= 1
            } else if top.kind == .link && left >= 2 {
                closeLink()
                left -= 2
            } else {
                break
            }
        }
        if count == 1 && left == 1 { out.append(UInt8(ascii: "]")) }
        return i + count
    }

    mutating func closeLink() {
        let frame = frames.removeLast()
        if let target = frame.target {
            if frame.drop {
                out.removeSubrange(frame.start...)
            } else if out.count == frame.start {
                out += LinkTargets.pipeTrick(target)
            }
            return
        }
        let target = Array(out[frame.start...])
        out.removeSubrange(frame.start...)
        if LinkTargets.keepsLabel(target) { out += LinkTargets.display(target) }
    }

    // MARK: Tags, entities, quotes, magic words

    mutating func tag(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        switch WikitextTags.classify(s, at: i) {
        case .literal:
            out.append(s[i])
            return i + 1
        case .comment(let end), .markup(let end):
            return end
        case .lineBreak(let end):
            out.append(0x0A)
            return end
        case .space(let end):
            out.append(0x20)
            return end
        case .dropElement(let name, let openEnd):
            return closers.end(of: name, in: s, from: openEnd) ?? openEnd
        case .verbatim(let name, let openEnd):
            guard let (contentEnd, end) = closers.find(name, in: s, from: openEnd) else { return openEnd }
            out += CharacterReferences.decode(UnsafeBufferPointer(rebasing: s[openEnd..<contentEnd]), html: true)
            return end
        }
    }

    mutating func entity(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        if let (utf8, length) = CharacterReferences.reference(at: i, in: s, html: true) {
            out += utf8
            return i + length
        }
        out.append(s[i])
        return i + 1
    }

    /// `''italic''`, `'''bold'''`, `'''''both'''''`: the markup goes. Four quotes are an
    /// apostrophe and bold; beyond five, the extra ones are apostrophes (MediaWiki's reading).
    mutating func quotes(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let count = Self.run(s, i, of: UInt8(ascii: "'"))
        switch count {
        case 1: out.append(UInt8(ascii: "'"))
        case 4: out.append(UInt8(ascii: "'"))
        case 6...: out += repeatElement(UInt8(ascii: "'"), count: count - 5)
        default: break
        }
        return i + count
    }

    /// Behaviour switches such as `__NOTOC__`, `__SIN_TDC__`, `__NOEDITSECTION__`.
    mutating func magicWord(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        guard i + 4 < s.count, s[i + 1] == UInt8(ascii: "_") else {
            out.append(s[i])
            return i + 1
        }
        var j = i + 2
        var letters = 0
        while j < s.count, j - i < 40 {
            let b = s[j]
            if (b >= 65 && b <= 90) || b >= 0x80 { letters += 1 } else if b != UInt8(ascii: "_") { break }
            j += 1
        }
        var end = j
        while end > i + 2 && s[end - 1] != UInt8(ascii: "_") { end -= 1 }
        if letters > 0, end - i >= 5, s[end - 1] == UInt8(ascii: "_"), s[end - 2] == UInt8(ascii: "_"), end - 2 > i + 2 {
            return end
        }
        out += [UInt8(ascii: "_"), UInt8(ascii: "_")]
        return i + 2
    }
}
