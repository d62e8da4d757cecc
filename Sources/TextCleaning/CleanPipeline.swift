import CoreSupport
import CorpusFormat
import Crypto
import Foundation

/// Cleans a raw corpus into a clean one: articles are cleaned in parallel in batches, then
/// filtered and written strictly in input order, so the output bytes do not depend on the
/// number of threads.
public final class CleanPipeline {
    public struct Settings: Sendable {
        /// Articles with fewer characters after cleaning are dropped (the original kept ≥ 500).
        public var minChars = 500
        /// Minimum share of common Spanish words; 0 turns the language check off.
        public var minSpanishRatio = 0.1
        public var dropExactDuplicates = true
        /// Estimated Jaccard similarity of word 5-grams at which an article is a near duplicate
        /// of an earlier one; 0 turns the check off.
        public var nearDuplicateThreshold = 0.8
        public var threads = 2
        public init() {}
    }

    /// One cleaned article before filtering, with its output line ready.
    struct Cleaned {
        let title: String
        let format: RawArticle.Format
        let text: String
        let characters: Int
        /// Runs of letters (`WordHashes`).
        let words: Int
        let charactersIn: Int
        let spanish: (ratio: Double, leads: Bool)
        let signature: [UInt32]?
        let histogram: [(UInt32, Int32)]
        let digest: SHA256.Digest
        let jsonLine: [UInt8]
    }

    public let settings: Settings
    public private(set) var stats = CleanStats()
    private var exact = ExactDuplicates()
    private var near: NearDuplicates
    private var index = 0
    private static let batchArticles = 256
    private static let batchBytes = 32 << 20

    public init(_ settings: Settings) {
        self.settings = settings
        near = NearDuplicates(threshold: settings.nearDuplicateThreshold)
    }

    /// Reads every raw-corpus line of `source`, writes the kept articles as clean JSON Lines to
    /// `write`. Parsing, cleaning and encoding run on the workers; only the filters' decisions
    /// and the writes are sequential.
    public func run(_ source: ByteSource, write: ([UInt8]) throws -> Void) throws {
        let lines = LineReader(source)
        var batch: [(bytes: [UInt8], number: Int)] = []
        var bytes = 0
        while let line = try lines.next({ Array($0) }) {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            batch.append((line, lines.lineNumber))
            bytes += line.count
            if batch.count >= Self.batchArticles || bytes >= Self.batchBytes {
                try process(batch, name: source.name, write)
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
        }
        try process(batch, name: source.name, write)
    }

    private func process(_ batch: [(bytes: [UInt8], number: Int)], name: String, _ write: ([UInt8]) throws -> Void) throws {
        guard !batch.isEmpty else { return }
        let workers = max(1, min(settings.threads, batch.count))
        let results = UnsafeMutableBufferPointer<Result<Cleaned, JSONProblem>?>.allocate(capacity: batch.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let slots = results
        let near = settings.nearDuplicateThreshold > 0
        let next = WorkCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let tally = CharacterTally()
            while let k = next.take(below: batch.count) {
                slots[k] = batch[k].bytes.withUnsafeBufferPointer { line in
                    Result { () throws(JSONProblem) in Self.clean(try RawArticle(jsonLine: line), near: near, tally: tally) }
                }
            }
        }
        for k in 0..<batch.count {
            let article: Cleaned
            switch results[k]! {
            case .success(let cleaned): article = cleaned
            case .failure(let problem): throw BadRecord(name, line: batch[k].number, reason: problem.description)
            }
            stats.count(article.title, in: article.format, characters: article.charactersIn)
            if let reason = verdict(article) {
                stats.drop(article.title, reason: reason.0, duplicateOf: reason.1)
            } else {
                stats.keep(article.text, characters: article.characters, words: article.words, histogram: article.histogram)
                try write(article.jsonLine)
            }
            index += 1
        }
    }

    /// Why an article is dropped (and the title it duplicates), or nil to keep it.
    private func verdict(_ article: Cleaned) -> (CleanStats.Reason, String?)? {
        if article.characters == 0 { return (.empty, nil) }
        if article.characters < settings.minChars { return (.tooShort, nil) }
        if settings.minSpanishRatio > 0 && (article.spanish.ratio < settings.minSpanishRatio || !article.spanish.leads) {
            return (.notSpanish, nil)
        }
        if settings.dropExactDuplicates, let first = exact.earlier(article.digest, index: index) {
            return (.exactDuplicate, stats.title(ofInput: first))
        }
        if settings.nearDuplicateThreshold > 0, let signature = article.signature,
           let first = near.earlier(signature, index: index) {
            return (.nearDuplicate, stats.title(ofInput: first))
        }
        return nil
    }

    static func clean(_ raw: RawArticle, near: Bool, tally: CharacterTally) -> Cleaned {
        let text = Cleaner.clean(raw.text, format: raw.format)
        let (histogram, characters) = tally.histogram(text)
        let words = WordHashes.of(text)
        return Cleaned(title: raw.title, format: raw.format, text: text, characters: characters, words: words.count,
                       charactersIn: raw.text.unicodeScalars.count, spanish: LanguageCheck.score(words: words),
                       signature: near ? NearDuplicates.signature(words) : nil, histogram: histogram,
                       digest: SHA256.hash(data: Array(text.utf8)), jsonLine: jsonLine(raw, text))
    }

    /// `{"title":…,"page_id":…,"text":…}` and a newline.
    static func jsonLine(_ raw: RawArticle, _ text: String) -> [UInt8] {
        var out = Array("{\"title\":".utf8)
        out.reserveCapacity(text.utf8.count + raw.title.utf8.count + 48)
        JSONText.appendString(raw.title, to: &out)
        out += Array(",\"page_id\":".utf8)
        JSONText.appendOptionalInt(raw.pageID, to: &out)
        out += Array(",\"text\":".utf8)
        JSONText.appendString(text, to: &out)
        out += Array("}\n".utf8)
        return out
    }
}

/// Hands out indices to workers, each once.
private final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
