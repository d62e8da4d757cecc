import Foundation

/// One article of the clean corpus. The title is its identity (it decides the split); the
/// page id is kept when the source had one.
public struct CorpusDocument: Sendable, Equatable, Codable {
    public var title: String
    public var text: String
    public var pageID: Int?

    public init(title: String, text: String, pageID: Int? = nil) {
        self.title = title
        self.text = text
        self.pageID = pageID
    }

    enum CodingKeys: String, CodingKey {
        case title, text
        case pageID = "page_id"
    }
}

/// Reads the clean corpus: JSON Lines, one article per line with at least `title` and `text`
/// (other fields are ignored; blank lines are skipped).
public enum Corpus {
    public static func read(path: String) throws -> [CorpusDocument] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ShardError.unreadable(path: path) }
        return try parse(data, source: path)
    }

    public static func parse(_ data: Data, source: String) throws -> [CorpusDocument] {
        let decoder = JSONDecoder()
        var documents: [CorpusDocument] = []
        var lines: [Range<Int>] = []
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var start = 0
            while start < raw.count {
                let newline = memchr(base + start, 0x0A, raw.count - start)
                let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
                lines.append(start..<end)
                start = end + 1
            }
        }
        for (index, range) in lines.enumerated() {
            let line = data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
            if let document = try decode(line, number: index + 1, source: source, decoder: decoder) { documents.append(document) }
        }
        return documents
    }

    /// Reads the corpus at `path` in batches of whole lines of about `batchBytes`, in order, so
    /// that memory is one batch whatever the corpus size.
    public static func stream(path: String, batchBytes: Int = 16 << 20, _ body: ([CorpusDocument]) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShardError.unreadable(path: path) }
        defer { close(fd) }
        let decoder = JSONDecoder()
        var pending = Data()
        var number = 0
        var ended = false
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var wanted = batchBytes
        while !ended || !pending.isEmpty {
            while pending.count < wanted && !ended {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw ShardError.unreadable(path: path) }
                if n == 0 { ended = true; break }
                pending.append(contentsOf: chunk[0..<n])
            }
            // Whole lines only, up to the first line end past `batchBytes`; the rest waits for the
            // next batch. A line longer than that: read on until it ends.
            let from = pending.startIndex + min(batchBytes, pending.count) - 1
            let newline = pending.count == 0 ? nil : pending[from...].firstIndex(of: 0x0A)
            let cut = newline.map { $0 - pending.startIndex + 1 } ?? (ended ? pending.count : 0)
            wanted = cut > 0 ? batchBytes : pending.count + chunk.count
            guard cut > 0 else { continue }
            var documents: [CorpusDocument] = []
            var start = pending.startIndex
            let stop = pending.startIndex + cut
            while start < stop {
                let end = pending[start..<stop].firstIndex(of: 0x0A) ?? stop
                number += 1
                if let document = try decode(pending[start..<end], number: number, source: path, decoder: decoder) {
                    documents.append(document)
                }
                start = end + 1
            }
            pending = Data(pending[stop...])
            if !documents.isEmpty { try body(documents) }
        }
    }

    /// One line as a document; nil for a blank line.
    private static func decode(_ line: Data, number: Int, source: String, decoder: JSONDecoder) throws -> CorpusDocument? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        do {
            return try decoder.decode(CorpusDocument.self, from: line)
        } catch {
            throw ShardError.badCorpusLine(source: source, line: number, reason: Self.reason(error))
        }
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "not a JSON object (\(error.localizedDescription))"
        }
    }
}
