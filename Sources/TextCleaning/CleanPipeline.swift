import Foundation
import WikiSource

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

    /// One cleaned article before filtering.
    struct Cleaned: Sendable {
        let title: String
        let pageID: Int?
        let text: String
        let characters: Int
        let charactersIn: Int
        let spanish: (ratio: Double, leads: Bool)
        let signature: [UInt32]?
        let histogram: [(UInt32, Int32)]
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

    /// Reads every article, writes the kept ones as clean JSON Lines to `write`.
    public func run(_ reader: CorpusReader, write: ([UInt8]) throws -> Void) throws {
        var batch: [RawArticle] = []
        var bytes = 0
        while let article = try reader.next() {
            batch.append(article)
            bytes += article.text.utf8.count
            if batch.count >= Self.batchArticles || bytes >= Self.batchBytes {
                try process(batch, write)
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
        }
        try process(batch, write)
    }

    private func process(_ batch: [RawArticle], _ write: ([UInt8]) throws -> Void) throws {
        guard !batch.isEmpty else { return }
        let workers = max(1, min(settings.threads, batch.count))
        let results = UnsafeMutableBufferPointer<Cleaned?>.allocate(capacity: batch.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let tallies = (0..<workers).map { _ in CharacterTally() }
        nonisolated(unsafe) let slots = results
        let near = settings.nearDuplicateThreshold > 0
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for k in stride(from: worker, to: batch.count, by: workers) {
                slots[k] = Self.clean(batch[k], near: near, tally: tallies[worker])
            }
        }
        for k in 0..<batch.count {
            let article = results[k]!
            stats.count(article.title, in: batch[k].format, characters: article.charactersIn)
            if let reason = verdict(article) {
                stats.drop(article.title, reason: reason.0, duplicateOf: reason.1)
            } else {
                stats.keep(article.text, characters: article.characters, histogram: article.histogram)
                try write(Self.jsonLine(article))
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
        if settings.dropExactDuplicates, let first = exact.earlier(article.text, index: index) {
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
        let signature = near && characters > 0 ? NearDuplicates.signature(text) : nil
        return Cleaned(title: raw.title, pageID: raw.pageID, text: text, characters: characters,
                       charactersIn: raw.text.unicodeScalars.count, spanish: LanguageCheck.score(text), signature: signature,
                       histogram: histogram)
    }

    /// `{"title":…,"page_id":…,"text":…}` and a newline.
    static func jsonLine(_ article: Cleaned) -> [UInt8] {
        var out = Array("{\"title\":".utf8)
        JSONText.appendString(article.title, to: &out)
        out += Array(",\"page_id\":".utf8)
        JSONText.appendOptionalInt(article.pageID, to: &out)
        out += Array(",\"text\":".utf8)
        JSONText.appendString(article.text, to: &out)
        out += Array("}\n".utf8)
        return out
    }
}
