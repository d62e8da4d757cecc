import CoreSupport

/// One article of the raw corpus, as extracted from a source.
///
/// Stored as JSON Lines, one record a line, keys always in this order:
/// `{"page_id":…,"title":…,"revision_id":…,"timestamp":…,"source":…,"format":…,"text":…}`;
/// unknown ids and timestamps are `null`.

public struct RawArticle: Equatable, Sendable {
    public enum Format: String, Sendable { case wikitext, plain }

    public var pageID: Int?
    public var title: String
    public var revisionID: Int?
    /// ISO 8601 UTC (`2019-10-14T20:11:53Z`) when the source gives one.
    public var timestamp: String?
    /// `sample`, `api` or `dump`.
    public var source: String
    public var format: Format
    public var text: String

    public init(pageID: Int?, title: String, revisionID: Int?, timestamp: String?, source: String,
                format: Format, text: String) {
        self.pageID = pageID
        self.title = title
        self.revisionID = revisionID
        self.timestamp = timestamp
        self.source = source
        self.format = format
        self.text = text
    }

    /// The record as one JSON line, newline included.
    public func jsonLine() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + title.utf8.count + 128)
        out += Array("{\"page_id\":".utf8)
        JSONText.appendOptionalInt(pageID, to: &out)
        out += Array(",\"title\":".utf8)
        JSONText.appendString(title, to: &out)
        out += Array(",\"revision_id\":".utf8)
        JSONText.appendOptionalInt(revisionID, to: &out)
        out += Array(",\"timestamp\":".utf8)
        JSONText.appendOptionalString(timestamp, to: &out)
        out += Array(",\"source\":".utf8)
        JSONText.appendString(source, to: &out)
        out += Array(",\"format\":".utf8)
        JSONText.appendString(format.rawValue, to: &out)
        out += Array(",\"text\":".utf8)
        JSONText.appendString(text, to: &out)
        out += Array("}\n".utf8)
        return out
    }

    /// Reads a record written by `jsonLine()`.
    public init(jsonLine bytes: UnsafeBufferPointer<UInt8>) throws(JSONProblem) {
        let fields = try JSONText.parseFlatObject(bytes)
        func required(_ key: String) throws(JSONProblem) -> String {
            guard let value = fields[key]?.string else { throw JSONProblem(offset: 0, reason: "missing string \"\(key)\"") }
            return value
        }
        let formatName = try required("format")
        guard let format = Format(rawValue: formatName) else {
            throw JSONProblem(offset: 0, reason: "unknown format \"\(formatName)\"")
        }
        self.init(pageID: fields["page_id"]?.int, title: try required("title"), revisionID: fields["revision_id"]?.int,
                  timestamp: fields["timestamp"]?.string, source: try required("source"), format: format,
                  text: try required("text"))
    }
}
