import CorpusFormat
import Foundation
import MiniStore

/// Draws N random articles from the API in small batches. Each batch's selection and then its
/// articles are stored as artifacts and checkpointed as soon as they arrive, so a killed run
/// resumes after its last finished batch without fetching it again. Batches continue the random
/// generator's sequence from the previous selection, so a resumed run selects exactly what an
/// uninterrupted one would have, and the final artifact is byte-identical.
public final class APIFetcher {
    public struct Plan: Sendable {
        public var articles = 1000
        /// Titles drawn per batch; the content of a batch is one request (the API's limit is 50).
        public var batchSize = 20
        /// Articles with less wikitext than this are passed over (the original kept ≥ 500 chars).
        public var minChars = 500
        public init() {}
    }

    public struct Report: Equatable, Sendable {
        public var batches = 0
        public var batchesResumed = 0
        public var drawn = 0
        public var tooShort = 0
        public var redirects = 0
        public var repeated = 0
        /// Drawn titles not kept: missing, redirects or too short.
        public var passedOver = 0
    }

    private let api: MediaWikiAPI
    private let store: Store
    private let journal: CheckpointJournal
    private let plan: Plan
    private let log: (String) -> Void
    public private(set) var report = Report()

    public init(api: MediaWikiAPI, store: Store, journal: CheckpointJournal, plan: Plan, log: @escaping (String) -> Void = { _ in }) {
        precondition((1...50).contains(plan.batchSize), "batch size must be 1…50")
        self.api = api
        self.store = store
        self.journal = journal
        self.plan = plan
        self.log = log
    }

    /// Fetches (or resumes) until `plan.articles` articles are in hand; returns the raw corpus artifact.
    public func run() throws -> ArtifactHash {
        var kept: [RawArticle] = []
        var seen = Set<String>()
        var token: String? = nil
        let maxBatches = (plan.articles + plan.batchSize - 1) / plan.batchSize * 10 + 10
        var batch = 0
        while kept.count < plan.articles {
            batch += 1
            guard batch <= maxBatches else {
                throw SourceError.notEnoughArticles(wanted: plan.articles, got: kept.count,
                                                    reason: "\(maxBatches) batches drew too few usable articles")
            }
            let selection = try select(batch, from: token)
            let articles = try fetch(batch, selection)
            report.batches += 1
            report.drawn += selection.titles.count
            report.passedOver += selection.titles.count - articles.count
            for article in articles where kept.count < plan.articles {
                if seen.contains(article.title) { report.repeated += 1; continue }
                seen.insert(article.title)
                kept.append(article)
            }
            log("batch \(batch): \(articles.count) of \(selection.titles.count) drawn titles usable; \(kept.count)/\(plan.articles) articles")
            if selection.titles.isEmpty && selection.next == nil && token == nil {
                throw SourceError.notEnoughArticles(wanted: plan.articles, got: kept.count, reason: "the random list came back empty")
            }
            token = selection.next
        }
        return try store.write(kind: "raw-corpus", mediaType: "application/x-ndjson") { writer in
            for article in kept { try writer.write(article.jsonLine()) }
        }
    }

    private func select(_ batch: Int, from token: String?) throws -> MediaWikiAPI.Selection {
        let name = String(format: "api-selection-%06d", batch)
        if let hash = try journal.checkpoint(name) {
            let json = try JSONSerialization.jsonObject(with: try store.data(hash)) as? [String: Any]
            return MediaWikiAPI.Selection(titles: json?["titles"] as? [String] ?? [], next: json?["next"] as? String)
        }
        let selection = try api.randomTitles(count: plan.batchSize, from: token)
        var object: [String: Any] = ["titles": selection.titles]
        if let next = selection.next { object["next"] = next }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let hash = try store.put(data, kind: "api-selection", mediaType: "application/json")
        try journal.saveCheckpoint(name, hash: hash, step: Int64(batch))
        return selection
    }

    private func fetch(_ batch: Int, _ selection: MediaWikiAPI.Selection) throws -> [RawArticle] {
        let name = String(format: "api-batch-%06d", batch)
        if let hash = try journal.checkpoint(name) {
            report.batchesResumed += 1
            var articles: [RawArticle] = []
            try CorpusReader(path: try store.ensureIntact(hash, full: true)).forEach { articles.append($0) }
            return articles
        }
        var usable: [RawArticle] = []
        for article in try api.revisions(of: selection.titles) {
            if Redirects.isRedirect(Array(article.text.utf8.prefix(32))) { report.redirects += 1; continue }
            if article.text.count < plan.minChars { report.tooShort += 1; continue }
            usable.append(article)
        }
        let hash = try store.write(kind: "raw-corpus-batch", mediaType: "application/x-ndjson") { writer in
            for article in usable { try writer.write(article.jsonLine()) }
        }
        try journal.saveCheckpoint(name, hash: hash, step: Int64(batch))
        return usable
    }
}
