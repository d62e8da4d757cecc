import CoreSupport
import CorpusFormat
import Digests
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
        /// A batch (cleaned in parallel, then filtered in order) ends after this many bytes of
        /// input or 256 articles; progress can be checkpointed after each.
        public var batchBytes = 32 << 20
        public init() {}
    }

    /// One cleaned article before filtering, with its output line ready.
    struct Cleaned {
        let record: CleanRecord
        let histogram: [(UInt32, Int32)]
        let jsonLine: [UInt8]
    }

    public let settings: Settings
    public private(set) var stats = CleanStats()
    private var exact = ExactDuplicates()
    private var near: NearDuplicates
    private var index = 0
    /// What the filters saw since the last `takeSegment()`, for a checkpoint.
    private var segment = CleanSegment()
    private static let batchArticles = 256

    public init(_ settings: Settings) {
        self.settings = settings
        near = NearDuplicates(threshold: settings.nearDuplicateThreshold)
    }

    /// Where the input stands after a batch: its byte offset and the number of its last line.
    public struct InputPosition: Codable, Equatable, Sendable {
        public var offset: Int64
        public var line: Int
        public init(offset: Int64, line: Int) {
            self.offset = offset
            self.line = line
        }
    }

    /// Reads every raw-corpus line of `source`, writes the kept articles as clean JSON Lines to
    /// `write`. Parsing, cleaning and encoding run on the workers; only the filters' decisions
    /// and the writes are sequential. `source` starts at `from` of the corpus (after `replay` of
    /// what came before); `afterBatch` is told where the input stands after each batch.
    public func run(_ source: ByteSource, from start: InputPosition = InputPosition(offset: 0, line: 0),
                    write: ([UInt8]) throws -> Void, afterBatch: (InputPosition) throws -> Void = { _ in }) throws {
        let lines = LineReader(source, offset: start.offset, line: start.line)
        var batch: [(bytes: [UInt8], number: Int)] = []
        var bytes = 0
        while let line = try lines.next({ Array($0) }) {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            batch.append((line, lines.lineNumber))
            bytes += line.count
            if batch.count >= Self.batchArticles || bytes >= settings.batchBytes {
                try process(batch, name: source.name, write)
                try afterBatch(InputPosition(offset: lines.offset, line: lines.lineNumber))
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
        }
        try process(batch, name: source.name, write)
        try afterBatch(InputPosition(offset: lines.offset, line: lines.lineNumber))
    }

    /// What the filters saw since the last call, encoded (`CleanSegment`): a checkpoint stores
    /// it, and `replay` of all the segments so far brings a new pipeline to the same state.
    public func takeSegment() -> [UInt8] {
        defer { segment = CleanSegment() }
        return segment.encoded()
    }

    /// Decides again, without writing, what the articles of a segment decided (the filters and
    /// the stats end as they were).
    public func replay(_ bytes: [UInt8], name: String) throws {
        let decoded = try CleanSegment(decoding: bytes, name: name)
        for record in decoded.records { _ = decide(record) }
        stats.characterCounts.add(decoded.characters)
        segment = CleanSegment()
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
            segment.records.append(article.record)
            if decide(article.record) {
                stats.characterCounts.add(article.histogram)
                segment.characters.add(article.histogram)
                try write(article.jsonLine)
            }
        }
    }

    /// Applies the filters to one article and counts it; true when it is kept.
    private func decide(_ article: CleanRecord) -> Bool {
        stats.count(article.title, in: article.format, characters: article.charactersIn)
        defer { index += 1 }
        if let reason = verdict(article) {
            stats.drop(article.title, reason: reason.0, duplicateOf: reason.1)
            return false
        }
        stats.keep(bytes: article.bytes, characters: article.characters, words: article.words)
        return true
    }

    /// Why an article is dropped (and the title it duplicates), or nil to keep it.
    private func verdict(_ article: CleanRecord) -> (CleanStats.Reason, String?)? {
        if article.characters == 0 { return (.empty, nil) }
        if article.characters < settings.minChars { return (.tooShort, nil) }
        if settings.minSpanishRatio > 0 && (article.spanishRatio < settings.minSpanishRatio || !article.spanishLeads) {
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
        let spanish = LanguageCheck.score(words: words)
        let record = CleanRecord(title: raw.title, format: raw.format, characters: characters, words: words.count,
                                 charactersIn: raw.text.unicodeScalars.count, bytes: text.utf8.count,
                                 spanishRatio: spanish.ratio, spanishLeads: spanish.leads,
                                 digest: TextDigest(Digester.sha256(Array(text.utf8))),
                                 signature: near ? NearDuplicates.signature(words) : nil)
        return Cleaned(record: record, histogram: histogram, jsonLine: jsonLine(raw, text))
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
