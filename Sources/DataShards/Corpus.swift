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
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                documents.append(try decoder.decode(CorpusDocument.self, from: line))
            } catch {
                throw ShardError.badCorpusLine(source: source, line: index + 1, reason: Self.reason(error))
            }
        }
        return documents
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
