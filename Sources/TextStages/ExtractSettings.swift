import StageParameters

/// Everything `extract` is told by the pipeline file, typed; each parameter declared once.
public struct ExtractSettings: StageSettings, Equatable {
    public enum Source: String, Sendable, CaseIterable { case sample, api, dump }

    @Parameter("source", "where the articles come from")
    public var source = Source.sample
    @Parameter("sample_file", "bundled sample: plain-text JSON Lines or a pages-articles XML dump, optionally bzip2ed")
    public var sampleFile = "data/eswiki-plaintext-2000.jsonl.bz2"
    @Parameter("limit", in: 0...100_000_000, "sample and dump: keep the first N articles, 0 for all")
    public var limit = 0
    @Parameter("api_endpoint", "api: the api.php URL")
    public var apiEndpoint = "https://es.wikipedia.org/w/api.php"
    @Parameter("api_contact", "api: your URL or e-mail for the User-Agent, as Wikimedia asks")
    public var apiContact = ""
    @Parameter("api_articles", in: 1...1_000_000, "api: articles to fetch")
    public var apiArticles = 1000
    @Parameter("api_batch_size", in: 1...50, "api: random titles drawn per batch (one content request each)")
    public var apiBatchSize = 20
    @Parameter("api_min_chars", in: 0...1_000_000, "api: pass over articles with less wikitext")
    public var apiMinChars = 500
    @Parameter("api_stale_batches", in: 1...1000, "api: stop after this many batches in a row draw only titles drawn before (the wiki has no more)")
    public var apiStaleBatches = 3
    @Parameter("api_titles_file", "api: fetch the titles listed in this file (one a line, e.g. a run's titles output) instead of random ones; api_articles does not apply")
    public var apiTitlesFile = ""
    @Parameter("api_min_interval_seconds", in: 0...60, "api: pause at least this long between the end of one request and the start of the next")
    public var apiMinIntervalSeconds = 0.5
    @Parameter("api_max_requests", in: 1...10_000_000, "api: most requests one run may send, retries included; one more is an error")
    public var apiMaxRequests = 10_000
    @Parameter("dump_location", "dump: a local path or an http(s) URL of a pages-articles .xml or .xml.bz2")
    public var dumpLocation = ""
    @Parameter("dump_checksum", "dump URL: hex SHA-1 or SHA-256 the download must have")
    public var dumpChecksum = ""
    @Parameter("verify_page_sha1", "dump: check each page's text against its <sha1>")
    public var verifyPageSHA1 = true
    @Parameter("max_page_bytes", in: 1 << 16...(1 << 31) - 1, "dump: refuse a page larger than this")
    public var maxPageBytes = 128 << 20
    @Parameter("http_max_attempts", in: 1...100, "api and dump URL: attempts per request")
    public var httpMaxAttempts = 8
    @Parameter("http_backoff_seconds", in: 0...600, "first backoff after a transient failure (doubles, with jitter)")
    public var httpBackoffSeconds = 1.0
    @Parameter("http_backoff_max_seconds", in: 0...3600, "longest backoff")
    public var httpBackoffMaxSeconds = 60.0
    @Parameter("http_retry_after_max_seconds", in: 0...86_400, "longest Retry-After honoured; longer is an error")
    public var httpRetryAfterMaxSeconds = 600.0
    @Parameter("http_stall_seconds", in: 0.1...3600, "abandon a transfer that receives nothing this long")
    public var httpStallSeconds = 60.0

    public init() {}
}
