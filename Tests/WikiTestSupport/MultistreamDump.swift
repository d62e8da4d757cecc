import Foundation

/// Multistream bzip2 files for tests, made with the system `bzip2` as Wikimedia makes theirs:
/// each stream compressed on its own, the streams concatenated, and an index of their offsets.
public enum MultistreamDump {
    /// The streams compressed one by one and joined, and where each starts.
    public static func compress(_ streams: [[UInt8]]) throws -> (bytes: [UInt8], offsets: [Int64]) {
        var bytes: [UInt8] = []
        var offsets: [Int64] = []
        for stream in streams {
            offsets.append(Int64(bytes.count))
            bytes += try bzip2(stream)
        }
        return (bytes, offsets)
    }

    /// A pages-articles dump made of `copies` copies of the pages of a real dump (`xml`), each
    /// copy's titles and page ids made distinct, compressed in streams of
    /// `pagesPerStream` pages with the header and the footer in streams of their own; and its
    /// index (`offset:page_id:title` lines, bzip2ed, as Wikimedia's).
    public static func build(fromXML xml: String, copies: Int, pagesPerStream: Int) throws -> (dump: [UInt8], index: [UInt8], xml: String) {
        guard let first = xml.range(of: "<page>"), let last = xml.range(of: "</page>", options: .backwards) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let header = String(xml[..<first.lowerBound])
        let footer = String(xml[last.upperBound...])
        let pages = xml[first.lowerBound..<last.upperBound].components(separatedBy: "</page>")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.map { $0 + "\n  </page>\n  " }
        var all: [(text: String, id: Int, title: String)] = []
        for copy in 0..<copies {
            for page in pages {
                var text = page
                let title = field("title", in: page) ?? "?"
                let newTitle = copy == 0 ? title : "\(title) \(copy)"
                text = text.replacingOccurrences(of: "<title>\(title)</title>", with: "<title>\(newTitle)</title>")
                var id = 0
                if let oldID = field("id", in: page), let number = Int(oldID) {
                    id = number + copy * 10_000_000
                    text = text.replacingOccurrences(of: "<id>\(oldID)</id>", with: "<id>\(id)</id>")
                }
                all.append((text, id, newTitle))
            }
        }
        var streams = [Array(header.utf8)]
        for start in stride(from: 0, to: all.count, by: pagesPerStream) {
            streams.append(Array(all[start..<min(start + pagesPerStream, all.count)].map(\.text).joined().utf8))
        }
        streams.append(Array(footer.utf8))
        let (dump, offsets) = try compress(streams)
        var index = ""
        for (k, page) in all.enumerated() { index += "\(offsets[1 + k / pagesPerStream]):\(page.id):\(page.title)\n" }
        return (dump, try bzip2(Array(index.utf8)), streams.map { String(decoding: $0, as: UTF8.self) }.joined())
    }

    private static func field(_ name: String, in page: String) -> String? {
        guard let open = page.range(of: "<\(name)>"), let close = page.range(of: "</\(name)>", range: open.upperBound..<page.endIndex) else {
            return nil
        }
        return String(page[open.upperBound..<close.lowerBound])
    }
}
