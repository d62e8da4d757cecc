import CoreSupport
import CorpusFormat
import Foundation

/// The bundled plain-text sample: JSON Lines `{"id", "title", "url", "text", …}` (optionally
/// bzip2-compressed), scraped from the rendered articles. Its `id` is the scraper's own
/// numbering, not a page id, so `pageID` stays unknown.
public enum PlainSample {
    public static func read(path: String, limit: Int?, name: String? = nil, _ body: (RawArticle) throws -> Void) throws {
        let input = try Input.open(path, readAhead: true, name: name)
        let path = input.name
        let lines = LineReader(input)
        var count = 0
        while limit.map({ count < $0 }) ?? true {
            let record = try lines.next { (line) -> Result<RawArticle, BadRecord>? in
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { return nil }
                do throws(JSONProblem) {
                    let fields = try JSONText.parseFlatObject(line)
                    guard let title = fields["title"]?.string, let text = fields["text"]?.string else {
                        return .failure(BadRecord(path, line: lines.lineNumber, reason: "needs string fields \"title\" and \"text\""))
                    }
                    return .success(RawArticle(pageID: nil, title: title, revisionID: nil, timestamp: nil,
                                               source: "sample", format: .plain, text: text))
                } catch {
                    return .failure(BadRecord(path, line: lines.lineNumber, reason: error.description))
                }
            }
            switch record {
            case .none: return
            case .some(.none): continue
            case .some(.some(.success(let article))):
                try body(article)
                count += 1
            case .some(.some(.failure(let error))): throw error
            }
        }
    }
}
