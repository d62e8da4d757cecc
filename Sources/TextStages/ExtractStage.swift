import CorpusFormat
import Foundation
import MiniPipeline
import MiniStore
import WikiSource

/// `minillm-extract`: Spanish Wikipedia articles from one of three sources, as the raw corpus
/// (JSON Lines, see `RawArticle`): `sample`, the bundled sample (offline, the default); `api`,
/// random articles from the MediaWiki Action API; `dump`, a `pages-articles` XML dump.
public struct ExtractStage: Stage {
    public init() {}

    public let name = "extract"
    public let version = 1
    public let summary = "Extract articles from the bundled sample, the MediaWiki API or a pages-articles dump"
    public let inputs: [StageInput] = []
    public let parameters: [ParameterSpec] = [
        .string("source", default: "sample", allowed: ["sample", "api", "dump"], "where the articles come from"),
        .string("sample_file", default: "pipeline/data/eswiki-plaintext-2000.jsonl.bz2",
                "bundled sample: plain-text JSON Lines or a pages-articles XML dump, optionally bzip2ed"),
        .int("limit", default: 0, in: 0...100_000_000, "sample and dump: keep the first N articles, 0 for all"),
        .string("api_endpoint", default: "https://es.wikipedia.org/w/api.php", "api: the api.php URL"),
        .string("api_contact", default: "", "api: your URL or e-mail for the User-Agent, as Wikimedia asks"),
        .int("api_articles", default: 1000, in: 1...1_000_000, "api: articles to fetch"),
        .int("api_batch_size", default: 20, in: 1...50, "api: random titles drawn per batch (one content request each)"),
        .int("api_min_chars", default: 500, in: 0...1_000_000, "api: pass over articles with less wikitext"),
        .string("dump_location", default: "", "dump: a local path or an http(s) URL of a pages-articles .xml or .xml.bz2"),
        .string("dump_checksum", default: "", "dump URL: hex SHA-1 or SHA-256 the download must have"),
        .bool("verify_page_sha1", default: true, "dump: check each page's text against its <sha1>"),
        .int("max_page_bytes", default: 128 << 20, in: 1 << 16...(1 << 31) - 1, "dump: refuse a page larger than this"),
        .int("http_max_attempts", default: 8, in: 1...100, "api and dump URL: attempts per request"),
        .double("http_backoff_seconds", default: 1, in: 0...600, "first backoff after a transient failure (doubles, with jitter)"),
        .double("http_backoff_max_seconds", default: 60, in: 0...3600, "longest backoff"),
        .double("http_retry_after_max_seconds", default: 600, in: 0...86_400, "longest Retry-After honoured; longer is an error"),
        .double("http_stall_seconds", default: 60, in: 0.1...3600, "abandon a transfer that receives nothing this long"),
    ]

    public func externalFiles(_ parameters: Parameters) throws -> [String: String] {
        switch parameters.string("source") {
        case "sample": return ["sample": parameters.string("sample_file")]
        case "dump":
            let location = parameters.string("dump_location")
            guard !location.isEmpty else {
                throw PipelineError.stageFailed(stage: name, reason: "source dump needs dump_location (a path or URL)")
            }
            return Self.isURL(location) ? [:] : ["dump": location]
        default: return [:]
        }
    }

    static func isURL(_ location: String) -> Bool {
        location.hasPrefix("http://") || location.hasPrefix("https://")
    }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let p = context.parameters
        let limit = p.int("limit") > 0 ? p.int("limit") : nil
        let corpus: ArtifactHash
        switch p.string("source") {
        case "sample":
            corpus = try writeCorpus(context, from: try context.inputPath("sample"), named: p.string("sample_file"),
                                     source: "sample", limit: limit)
        case "dump":
            let location = p.string("dump_location")
            let path = Self.isURL(location) ? try download(location, context) : try context.inputPath("dump")
            corpus = try writeCorpus(context, from: path, named: location, source: "dump", limit: limit)
        default:
            corpus = try fetchFromAPI(context)
        }
        return ["corpus": corpus]
    }

    /// Streams a sample or dump file into the raw corpus artifact.
    /// `label` names the file in messages (the store's copy has a hash for a name).
    private func writeCorpus(_ context: StageContext, from path: String, named label: String, source: String,
                             limit: Int?) throws -> ArtifactHash {
        let p = context.parameters
        guard try Store.stat(path).size > 0 else { throw SourceError.emptyInput(label) }
        var count = 0
        var bytes = 0
        let started = Date()
        let hash: ArtifactHash
        if try Self.isXML(path) {
            let parser = DumpParser(try Input.open(path, readAhead: true, name: label), maxPageBytes: p.int("max_page_bytes"),
                                    verifySHA1: p.bool("verify_page_sha1"), source: source)
            hash = try context.store.write(kind: "raw-corpus", mediaType: "application/x-ndjson") { writer in
                while limit.map({ count < $0 }) ?? true, let article = try parser.next() {
                    try writer.write(article.jsonLine())
                    count += 1
                    bytes += article.text.utf8.count
                }
            }
            let c = parser.counts
            context.log.info("\(c.pages) pages: \(count) articles kept, \(c.redirects) redirects, "
                + "\(c.otherNamespaces) in other namespaces, \(c.withoutText) without text")
            try context.recordMetrics(step: 0, [("pages", Double(c.pages)), ("redirects", Double(c.redirects)),
                                                ("other_namespaces", Double(c.otherNamespaces))])
        } else {
            hash = try context.store.write(kind: "raw-corpus", mediaType: "application/x-ndjson") { writer in
                try PlainSample.read(path: path, limit: limit, name: label) { article in
                    try writer.write(article.jsonLine())
                    count += 1
                    bytes += article.text.utf8.count
                }
            }
        }
        guard count > 0 else { throw SourceError.noArticles(label) }
        let seconds = Date().timeIntervalSince(started)
        context.log.info(String(format: "%d articles, %.1f MB of text in %.2f s", count, Double(bytes) / 1e6, seconds))
        try context.recordMetrics(step: 0, [("articles", Double(count)), ("text_bytes", Double(bytes))])
        return hash
    }

    /// A dump starts with `<` (after any byte-order mark and space); JSON Lines with `{`.
    static func isXML(_ path: String) throws -> Bool {
        let source = try Input.open(path)
        var head = [UInt8](repeating: 0, count: 64)
        let n = try head.withUnsafeMutableBytes { try source.read(into: $0) }
        let first = head[0..<n].drop { $0 <= 0x20 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.first
        return first == UInt8(ascii: "<")
    }

    private func retryPolicy(_ p: Parameters) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.maxAttempts = p.int("http_max_attempts")
        policy.baseDelay = p.double("http_backoff_seconds")
        policy.maxDelay = p.double("http_backoff_max_seconds")
        policy.maxRetryAfter = p.double("http_retry_after_max_seconds")
        return policy
    }

    private func download(_ url: String, _ context: StageContext) throws -> String {
        let p = context.parameters
        let checksum = p.string("dump_checksum")
        var settings = DumpDownloader.Settings(url: url, checksum: checksum.isEmpty ? nil : checksum,
                                               partialDirectory: context.store.root + "/downloads")
        settings.userAgent = MediaWikiAPI.userAgent(contact: p.string("api_contact"))
        settings.retry = retryPolicy(p)
        settings.stallTimeout = p.double("http_stall_seconds")
        let hash = try DumpDownloader(settings, log: context.log.info).run(store: context.store, journal: ContextJournal(context))
        return try context.store.ensureIntact(hash, full: true)
    }

    private func fetchFromAPI(_ context: StageContext) throws -> ArtifactHash {
        let p = context.parameters
        if p.string("api_contact").isEmpty {
            context.log.warning("api_contact is empty: Wikimedia asks API clients to name a contact in the User-Agent")
        }
        var settings = MediaWikiAPI.Settings(endpoint: p.string("api_endpoint"), contact: p.string("api_contact"))
        settings.retry = retryPolicy(p)
        settings.stallTimeout = p.double("http_stall_seconds")
        var plan = APIFetcher.Plan()
        plan.articles = p.int("api_articles")
        plan.batchSize = p.int("api_batch_size")
        plan.minChars = p.int("api_min_chars")
        let api = MediaWikiAPI(settings, log: context.log.info)
        let fetcher = APIFetcher(api: api, store: context.store, journal: ContextJournal(context), plan: plan, log: context.log.info)
        let hash = try fetcher.run()
        let r = fetcher.report
        try context.recordMetrics(step: 0, [("articles", Double(plan.articles)), ("batches", Double(r.batches)),
                                            ("batches_resumed", Double(r.batchesResumed)), ("api_requests", Double(api.requests))])
        return hash
    }
}

/// The run's checkpoints, for the resumable downloads.
final class ContextJournal: CheckpointJournal {
    private let context: StageContext
    init(_ context: StageContext) { self.context = context }

    func checkpoint(_ name: String) throws -> ArtifactHash? { try context.checkpoint(name)?.hash }

    func saveCheckpoint(_ name: String, hash: ArtifactHash, step: Int64) throws {
        try context.saveCheckpoint(name, hash: hash, step: step)
    }
}
