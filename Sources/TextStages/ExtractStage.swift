import CorpusFormat
import Foundation
import MiniPipeline
import MiniStore
import StageParameters
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
    public let parameters = ExtractSettings.specs

    public func externalFiles(_ parameters: Parameters) throws -> [String: String] {
        let settings = try ExtractSettings(parameters)
        switch settings.source {
        case .sample: return ["sample": settings.sampleFile]
        case .dump:
            let location = settings.dumpLocation
            guard !location.isEmpty else {
                throw ParameterConflict("source dump needs dump_location (a path or URL)")
            }
            return Self.isURL(location) ? [:] : ["dump": location]
        case .api: return settings.apiTitlesFile.isEmpty ? [:] : ["titles": settings.apiTitlesFile]
        }
    }

    /// A local `…-multistream.xml.bz2` dump's index, when it lies beside it.
    public func optionalExternalFiles(_ parameters: Parameters) throws -> [String: String] {
        let settings = try ExtractSettings(parameters)
        guard settings.source == .dump, !Self.isURL(settings.dumpLocation),
              let index = StreamIndex.companion(of: settings.dumpLocation) else { return [:] }
        return ["dump_index": index]
    }

    static func isURL(_ location: String) -> Bool {
        location.hasPrefix("http://") || location.hasPrefix("https://")
    }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let p = try ExtractSettings(context.parameters)
        let limit = p.limit > 0 ? p.limit : nil
        switch p.source {
        case .sample:
            return ["corpus": try writeCorpus(context, p, from: try context.inputPath("sample"), named: p.sampleFile,
                                              source: "sample", limit: limit)]
        case .dump:
            let location = p.dumpLocation
            let path = Self.isURL(location) ? try download(location, context, p) : try context.inputPath("dump")
            return ["corpus": try writeCorpus(context, p, from: path, named: location, source: "dump", limit: limit)]
        case .api:
            let output = try fetchFromAPI(context, p)
            return ["corpus": output.corpus, "titles": output.titles]
        }
    }

    /// Streams a sample or dump file into the raw corpus artifact.
    /// `label` names the file in messages (the store's copy has a hash for a name).
    private func writeCorpus(_ context: StageContext, _ p: ExtractSettings, from path: String, named label: String,
                             source: String, limit: Int?) throws -> ArtifactHash {
        guard try Store.stat(path).size > 0 else { throw SourceError.emptyInput(label) }
        var count = 0
        var bytes = 0
        let started = Date()
        let hash: ArtifactHash
        let isXML = try Self.isXML(path, named: label)
        if source == "dump" && !isXML {
            throw SourceError.notADump(label, reason: "it does not start with an XML element (a dump starts with <mediawiki>)")
        }
        if isXML {
            let extracted = try extractDump(context, p, from: path, named: label, source: source, limit: limit)
            (hash, count, bytes) = (extracted.corpus, extracted.articles, extracted.textBytes)
            let c = extracted.counts
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
    static func isXML(_ path: String, named label: String) throws -> Bool {
        let source = try Input.open(path, name: label)
        var head = [UInt8](repeating: 0, count: 64)
        let n = try head.withUnsafeMutableBytes { try source.read(into: $0) }
        let first = head[0..<n].drop { $0 <= 0x20 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.first
        return first == UInt8(ascii: "<")
    }

    private func retryPolicy(_ p: ExtractSettings) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.maxAttempts = p.httpMaxAttempts
        policy.baseDelay = p.httpBackoffSeconds
        policy.maxDelay = p.httpBackoffMaxSeconds
        policy.maxRetryAfter = p.httpRetryAfterMaxSeconds
        return policy
    }

    private func download(_ url: String, _ context: StageContext, _ p: ExtractSettings) throws -> String {
        let checksum = p.dumpChecksum
        var settings = DumpDownloader.Settings(url: url, checksum: checksum.isEmpty ? nil : checksum,
                                               partialDirectory: context.store.root + "/downloads")
        settings.userAgent = MediaWikiAPI.userAgent(contact: p.apiContact)
        settings.retry = retryPolicy(p)
        settings.stallTimeout = p.httpStallSeconds
        let hash = try DumpDownloader(settings, log: context.log.info).run(store: context.store, journal: ContextJournal(context))
        return try context.store.ensureIntact(hash, full: true)
    }

    private func fetchFromAPI(_ context: StageContext, _ p: ExtractSettings) throws -> APIFetcher.Output {
        if p.apiContact.isEmpty {
            context.log.warning("api_contact is empty: Wikimedia asks API clients to name a contact in the User-Agent")
        }
        var settings = MediaWikiAPI.Settings(endpoint: p.apiEndpoint, contact: p.apiContact)
        settings.retry = retryPolicy(p)
        settings.stallTimeout = p.httpStallSeconds
        settings.minInterval = p.apiMinIntervalSeconds
        settings.maxRequests = p.apiMaxRequests
        var plan = APIFetcher.Plan()
        plan.articles = p.apiArticles
        plan.batchSize = p.apiBatchSize
        plan.minChars = p.apiMinChars
        plan.staleBatches = p.apiStaleBatches
        if !p.apiTitlesFile.isEmpty {
            plan.titles = try TitleList.read(path: try context.inputPath("titles"), name: p.apiTitlesFile)
        }
        let api = MediaWikiAPI(settings, log: context.log.info)
        let fetcher = APIFetcher(api: api, store: context.store, journal: ContextJournal(context), plan: plan, log: context.log.info)
        let output = try fetcher.run()
        let r = fetcher.report
        if let titles = plan.titles, r.passedOver > 0 {
            context.log.warning("\(r.passedOver) of the \(titles.count) listed titles were not kept (missing, redirects or "
                + "shorter than api_min_chars): the corpus differs from the one the list came from")
        }
        try context.recordMetrics(step: 0, [("articles", Double(r.articles)), ("batches", Double(r.batches)),
                                            ("batches_resumed", Double(r.batchesResumed)), ("api_requests", Double(api.requests)),
                                            ("titles_drawn", Double(r.drawn)), ("titles_repeated", Double(r.repeated)),
                                            ("titles_passed_over", Double(r.passedOver))])
        return output
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
