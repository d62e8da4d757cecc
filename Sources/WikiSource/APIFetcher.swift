import CorpusFormat
import Foundation
import MiniStore

/// Draws N random articles from the API in small batches, or fetches a fixed list of titles.
/// Each batch's selection and then its articles are stored as artifacts and checkpointed as soon
/// as they arrive, so a killed run resumes after its last finished batch without fetching it
/// again. Batches continue the random generator's sequence from the previous selection, so a
/// resumed run selects exactly what an uninterrupted one would have, and the final artifact is
/// byte-identical. Only the first batch's starting point is the server's random choice: two fresh
/// runs draw different articles, and the `titles` output is what lets a run be fetched again.
public final class APIFetcher {
    public struct Plan: Sendable {
        public var articles = 1000
        /// Titles drawn per batch; the content of a batch is one request (the API's limit is 50).
        public var batchSize = 20
        /// Articles with less wikitext than this are passed over (the original kept ≥ 500 chars).
        public var minChars = 500
        /// After this many batches in a row that draw only titles drawn before, the wiki has no more.
        public var staleBatches = 3
        /// Fetch these titles, in this order, instead of random ones; `articles` does not apply.
        public var titles: [String]? = nil
        public init() {}
    }

    public struct Report: Equatable, Sendable {
        /// Articles in the corpus.
        public var articles = 0
        public var batches = 0
        public var batchesResumed = 0
        /// Titles the random list gave (repeats included) or the fixed list holds.
        public var drawn = 0
        /// Drawn titles drawn before in the run: not fetched again.
        public var repeated = 0
        public var tooShort = 0
        public var redirects = 0
        /// Titles drawn for the first time and not kept: the main page, missing, redirects or too short.
        public var passedOver = 0
    }

    public struct Output: Equatable, Sendable {
        /// The raw corpus (JSON Lines).
        public let corpus: ArtifactHash
        /// The corpus's titles in its order (`TitleList`): an `api_titles_file` that fetches it again.
        public let titles: ArtifactHash
    }

    private let api: MediaWikiAPI
    private let store: Store
    private let journal: CheckpointJournal
    private let plan: Plan
    private let log: (String) -> Void
    public private(set) var report = Report()
    private var kept: [RawArticle] = []
    private var keptTitles = Set<String>()

    public init(api: MediaWikiAPI, store: Store, journal: CheckpointJournal, plan: Plan, log: @escaping (String) -> Void = { _ in }) {
        precondition((1...50).contains(plan.batchSize), "batch size must be 1…50")
        self.api = api
        self.store = store
        self.journal = journal
        self.plan = plan
        self.log = log
    }

    /// Fetches (or resumes) the articles; returns the raw corpus and its title list.
    public func run() throws -> Output {
        report = Report()
        kept = []
        keptTitles = []
        if let titles = plan.titles { try fetchList(titles) } else { try draw() }
        report.articles = kept.count
        let corpus = try store.write(kind: "raw-corpus", mediaType: "application/x-ndjson") { writer in
            for article in kept { try writer.write(article.jsonLine()) }
        }
        let titles = try store.put(Data(TitleList.text(kept.map(\.title)).utf8), kind: "title-list",
                                   mediaType: "text/plain; charset=utf-8")
        return Output(corpus: corpus, titles: titles)
    }

    private func draw() throws {
        let mainPage = try api.mainPage()
        var drawn = Set<String>()
        var token: String? = nil
        var stale = 0
        var batch = 0
        while kept.count < plan.articles {
            batch += 1
            let selection = try select(batch, from: token)
            if batch == 1 && selection.titles.isEmpty {
                throw SourceError.notEnoughArticles(wanted: plan.articles, got: 0, reason: "the random list came back empty")
            }
            let new = selection.titles.filter { drawn.insert($0).inserted }
            let wanted = new.filter { $0 != mainPage }
            let articles = wanted.isEmpty ? [] : try fetch(batch, wanted)
            keep(articles, limit: plan.articles)
            report.batches += 1
            report.drawn += selection.titles.count
            report.repeated += selection.titles.count - new.count
            report.passedOver += new.count - articles.count
            log("batch \(batch): \(selection.titles.count) titles drawn, \(new.count) not drawn before, "
                + "\(articles.count) usable; \(kept.count)/\(plan.articles) distinct articles")
            stale = new.isEmpty ? stale + 1 : 0
            if stale >= plan.staleBatches && kept.count < plan.articles {
                throw SourceError.wikiExhausted(wanted: plan.articles, found: kept.count, minChars: plan.minChars,
                                                staleBatches: stale, titlesDrawn: drawn.count)
            }
            token = selection.next
        }
    }

    private func fetchList(_ titles: [String]) throws {
        for (index, start) in stride(from: 0, to: titles.count, by: plan.batchSize).enumerated() {
            let chunk = Array(titles[start..<min(start + plan.batchSize, titles.count)])
            let articles = try fetch(index + 1, chunk)
            keep(articles, limit: .max)
            report.batches += 1
            report.drawn += chunk.count
            report.passedOver += chunk.count - articles.count
            log("batch \(index + 1): \(articles.count) of \(chunk.count) listed titles usable; \(kept.count)/\(titles.count) articles")
        }
        guard !kept.isEmpty else {
            throw SourceError.notEnoughArticles(wanted: titles.count, got: 0,
                                                reason: "none of the listed titles is an article of ≥ \(plan.minChars) characters")
        }
    }

    /// Two titles may name one page (a listed title the server normalises); it is kept once.
    private func keep(_ articles: [RawArticle], limit: Int) {
        for article in articles where kept.count < limit && keptTitles.insert(article.title).inserted {
            kept.append(article)
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

    private func fetch(_ batch: Int, _ titles: [String]) throws -> [RawArticle] {
        let name = String(format: "api-batch-%06d", batch)
        if let hash = try journal.checkpoint(name) {
            report.batchesResumed += 1
            var articles: [RawArticle] = []
            try CorpusReader(path: try store.ensureIntact(hash, full: true)).forEach { articles.append($0) }
            return articles
        }
        var usable: [RawArticle] = []
        for article in try api.revisions(of: titles) {
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
