import CorpusFormat
import Foundation
import MiniStore
import StoreTestSupport
import WikiSource
import WikiTestSupport

/// One `api` fetch against a fixture server, unpaced unless told, with what it produced.
struct APIRun {
    let output: APIFetcher.Output
    let articles: [RawArticle]
    let fetcher: APIFetcher
    let api: MediaWikiAPI
    let log: [String]
    var hash: ArtifactHash { output.corpus }

    init(_ server: FixtureServer, store: Store, key: String = "k", articles: Int = 12, batch: Int = 5,
         waits: WaitLog = WaitLog(), attempts: Int = 4, lines: LineLog = LineLog(), configure: (inout MediaWikiAPI.Settings, inout APIFetcher.Plan) throws -> Void = { _, _ in }) throws {
        var settings = MediaWikiAPI.Settings(endpoint: server.endpoint, contact: "tests@example.org")
        settings.retry = waits.policy(attempts: attempts)
        settings.stallTimeout = 1
        settings.minInterval = 0
        var plan = APIFetcher.Plan()
        plan.articles = articles
        plan.batchSize = batch
        try configure(&settings, &plan)
        api = MediaWikiAPI(settings)
        fetcher = APIFetcher(api: api, store: store, journal: CatalogueJournal(catalogue: store.catalogue, key: key),
                             plan: plan, log: lines.append)
        output = try fetcher.run()
        log = lines.lines
        var list: [RawArticle] = []
        try CorpusReader(path: try store.ensureIntact(output.corpus)).forEach { list.append($0) }
        self.articles = list
    }
}

/// The progress lines a fetcher logs.
final class LineLog: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}

extension FixtureServer {
    /// The titles asked for in content requests, in order, repeats included.
    func contentTitles() -> [String] {
        requests("content").flatMap { (($0["params"] as? [String: String])?["titles"] ?? "").split(separator: "|").map(String.init) }
    }
}
