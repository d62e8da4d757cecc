import CoreSupport
import CorpusFormat
import Foundation

/// Reading raw-corpus JSON Lines (see `RawArticle`) as a stream.
public final class CorpusReader {
    private let lines: LineReader
    private let name: String

    public init(path: String) throws {
        let source = try Input.open(path)
        lines = LineReader(source)
        name = path
    }

    public init(_ source: ByteSource) {
        lines = LineReader(source)
        name = source.name
    }

    public func next() throws -> RawArticle? {
        while true {
            let parsed = try lines.next { (line) -> Result<RawArticle, JSONProblem>? in
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { return nil }
                do throws(JSONProblem) { return .success(try RawArticle(jsonLine: line)) } catch { return .failure(error) }
            }
            switch parsed {
            case .none: return nil
            case .some(.none): continue
            case .some(.some(.success(let article))): return article
            case .some(.some(.failure(let problem))):
                throw BadRecord(name, line: lines.lineNumber, reason: problem.description)
            }
        }
    }

    public func forEach(_ body: (RawArticle) throws -> Void) throws {
        while let article = try next() { try body(article) }
    }
}
