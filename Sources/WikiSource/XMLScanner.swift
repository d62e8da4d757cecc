import CorpusFormat
import Foundation

/// A pull scanner for the XML of MediaWiki dumps: start tags with attributes, end tags, and the
/// character data between them (handed over raw, only when asked for). Comments, processing
/// instructions and DOCTYPE are skipped; CDATA is passed on escaped so that one decoding pass
/// serves both. Memory: one read buffer, grown only for a single very long tag.
final class XMLScanner {
    enum Event {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case eof
    }

    let source: ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var base: Int64 = 0
    private var ended = false
    private let maxTagBytes = 1 << 20
    /// Character data is collected only between `beginCapture` and `endCapture`.
    private(set) var capturing = false
    private var captured = [UInt8]()
    private var captureLimit = Int.max
    private var captureOverflow = false

    var offset: Int64 { base + Int64(pos) }

    /// `startOffset`: where in the document the source's first byte is (for offsets in messages).
    init(_ source: ByteSource, chunkSize: Int = 1 << 20, startOffset: Int64 = 0) {
        self.source = source
        base = startOffset
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads more input after compacting; grows the buffer when it is full. False at the end.
    private func fill() throws -> Bool {
        if ended { return false }
        if pos > 0 {
            if end > pos { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + pos, byteCount: end - pos) }
            base += Int64(pos)
            end -= pos
            pos = 0
        }
        if end == buffer.count {
            guard buffer.count < maxTagBytes * 2 else {
                throw SourceError.malformedDump(source.name, offset: offset, reason: "a tag longer than \(maxTagBytes) bytes")
            }
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n == 0 { ended = true; return false }
        end += n
        return true
    }

    func beginCapture(limit: Int) {
        captured.removeAll(keepingCapacity: true)
        captureLimit = limit
        captureOverflow = false
        capturing = true
    }

    /// The raw bytes collected, or nil when they exceeded the limit.
    func endCapture() -> [UInt8]? {
        capturing = false
        return captureOverflow ? nil : captured
    }

    private func keep(_ from: Int, _ to: Int) {
        guard capturing, to > from, !captureOverflow else { return }
        if captured.count + (to - from) > captureLimit { captureOverflow = true; return }
        captured.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[from..<to]))
    }

    enum Passed { case retain, capture, discard }

    /// Index of `needle` at or after `from` in the buffered bytes, reading more as needed. The
    /// bytes passed over are kept in the buffer (`retain`), offered to the capture, or dropped;
    /// in the last two cases `pos` must equal `from` and moves along.
    private func find(_ needle: [UInt8], from start: Int, passed: Passed = .retain) throws -> Int? {
        var from = start
        while true {
            if let hit = search(needle, from: from) { return hit }
            if passed != .retain {
                let safe = max(from, end - (needle.count - 1))
                if passed == .capture { keep(from, safe) }
                from = safe
                pos = safe
            }
            let shift = pos
            guard try fill() else { return nil }
            from -= shift
        }
    }

    private func search(_ needle: [UInt8], from: Int) -> Int? {
        guard end - from >= needle.count else { return nil }
        var i = from
        let first = needle[0]
        while i <= end - needle.count {
            guard let p = memchr(buffer.baseAddress! + i, Int32(first), end - needle.count + 1 - i) else { return nil }
            i = UnsafeRawPointer(p) - UnsafeRawPointer(buffer.baseAddress!)
            if needle.count == 1 || memcmp(buffer.baseAddress! + i, needle, needle.count) == 0 { return i }
            i += 1
        }
        return nil
    }

    func next() throws -> Event {
        while true {
            guard let lt = try find([UInt8(ascii: "<")], from: pos, passed: .capture) else {
                keep(pos, end)
                pos = end
                return .eof
            }
            keep(pos, lt)
            pos = lt
            if let event = try tag() { return event }
        }
    }

    private func startsWith(_ text: String) throws -> Bool {
        let bytes = Array(text.utf8)
        while end - pos < bytes.count { guard try fill() else { return false } }
        return memcmp(buffer.baseAddress! + pos, bytes, bytes.count) == 0
    }

    /// Handles the markup at `pos` (a `<`); returns an event, or nil for skipped markup.
    private func tag() throws -> Event? {
        if try startsWith("<!--") { return try skip(past: "-->", from: pos + 4, what: "comment") }
        if try startsWith("<![CDATA[") {
            guard let close = try find(Array("]]>".utf8), from: pos + 9) else {
                throw SourceError.malformedDump(source.name, offset: offset, reason: "unterminated CDATA section")
            }
            keepEscaped(pos + 9, close)
            pos = close + 3
            return nil
        }
        if try startsWith("<?") { return try skip(past: "?>", from: pos + 2, what: "processing instruction") }
        if try startsWith("<!") { return try skip(past: ">", from: pos + 2, what: "declaration") }
        guard let gt = try find([UInt8(ascii: ">")], from: pos + 1) else {
            throw SourceError.malformedDump(source.name, offset: offset, reason: "unterminated tag")
        }
        let inner = UnsafeRawBufferPointer(rebasing: buffer[(pos + 1)..<gt])
        pos = gt + 1
        return try parseTag(Array(inner))
    }

    private func skip(past terminator: String, from: Int, what: String) throws -> Event? {
        pos = from
        guard let close = try find(Array(terminator.utf8), from: from, passed: .discard) else {
            throw SourceError.malformedDump(source.name, offset: offset, reason: "unterminated \(what)")
        }
        pos = close + terminator.utf8.count
        return nil
    }

    private func keepEscaped(_ from: Int, _ to: Int) {
        guard capturing else { return }
        var escaped = [UInt8]()
        for b in UnsafeRawBufferPointer(rebasing: buffer[from..<to]) {
            switch b {
            case UInt8(ascii: "&"): escaped += Array("&amp;".utf8)
            case UInt8(ascii: "<"): escaped += Array("&lt;".utf8)
            default: escaped.append(b)
            }
        }
        if captured.count + escaped.count > captureLimit { captureOverflow = true; return }
        captured += escaped
    }

    private func parseTag(_ inner: [UInt8]) throws -> Event {
        if inner.first == UInt8(ascii: "/") {
            let name = String(decoding: inner.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .end(name: name)
        }
        var body = inner[...]
        let selfClosing = body.last == UInt8(ascii: "/")
        if selfClosing { body = body.dropLast() }
        let nameEnd = body.firstIndex { $0 <= 0x20 } ?? body.endIndex
        let name = String(decoding: body[..<nameEnd], as: UTF8.self)
        guard !name.isEmpty else { throw SourceError.malformedDump(source.name, offset: offset, reason: "empty tag name") }
        return .start(name: name, attributes: try attributes(body[nameEnd...]), selfClosing: selfClosing)
    }

    private func attributes(_ text: ArraySlice<UInt8>) throws -> [String: String] {
        var result: [String: String] = [:]
        var i = text.startIndex
        func skipSpace() { while i < text.endIndex, text[i] <= 0x20 { i += 1 } }
        while true {
            skipSpace()
            guard i < text.endIndex else { return result }
            let nameStart = i
            while i < text.endIndex, text[i] != UInt8(ascii: "="), text[i] > 0x20 { i += 1 }
            let name = String(decoding: text[nameStart..<i], as: UTF8.self)
            skipSpace()
            guard i < text.endIndex, text[i] == UInt8(ascii: "=") else { result[name] = ""; continue }
            i += 1
            skipSpace()
            guard i < text.endIndex, text[i] == UInt8(ascii: "\"") || text[i] == UInt8(ascii: "'") else {
                throw SourceError.malformedDump(source.name, offset: offset, reason: "unquoted attribute \(name)")
            }
            let quote = text[i]
            i += 1
            let valueStart = i
            while i < text.endIndex, text[i] != quote { i += 1 }
            guard i < text.endIndex else {
                throw SourceError.malformedDump(source.name, offset: offset, reason: "unterminated attribute \(name)")
            }
            let value = Array(text[valueStart..<i]).withUnsafeBufferPointer { CharacterReferences.decode($0, html: false) }
            result[name] = String(decoding: value, as: UTF8.self)
            i += 1
        }
    }
}
