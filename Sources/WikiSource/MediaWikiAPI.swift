import CorpusFormat
import Digests
import Foundation

/// The MediaWiki Action API calls the `api` source needs: random titles, page revisions and the
/// main page. One request at a time, at least `minInterval` apart, at most `maxRequests` in all,
/// `maxlag=5`, gzip, `formatversion=2`, retries per `RetryPolicy`.
public final class MediaWikiAPI {
    public static let clientVersion = "0.1"

    public struct Settings: Sendable {
        /// The `api.php` endpoint, e.g. `https://es.wikipedia.org/w/api.php`.
        public var endpoint: String
        /// Who runs the client (URL or e-mail), for the User-Agent Wikimedia asks for.
        public var contact: String
        public var retry = RetryPolicy()
        public var stallTimeout = 60.0
        public var requestTimeout = 300.0
        /// Seconds from the end of one request to the start of the next: Wikimedia asks for
        /// serial requests, and a client stuck in a loop must not turn into a flood.
        public var minInterval = 0.5
        /// Requests (retries included) this value may send; one more is an error.
        public var maxRequests = 10_000
        public init(endpoint: String, contact: String) {
            self.endpoint = endpoint
            self.contact = contact
        }
    }

    /// A drawn run of random titles and the token that continues the generator's sequence.
    public struct Selection: Equatable, Sendable {
        public var titles: [String]
        public var next: String?
        public init(titles: [String], next: String?) {
            self.titles = titles
            self.next = next
        }
    }

    public let settings: Settings
    private let http: HTTPClient
    private let log: (String) -> Void
    public private(set) var requests = 0
    private var lastFinished: DispatchTime?

    public init(_ settings: Settings, log: @escaping (String) -> Void = { _ in }) {
        self.settings = settings
        var http = HTTPClient.Settings(userAgent: Self.userAgent(contact: settings.contact))
        http.stallTimeout = settings.stallTimeout
        http.totalTimeout = settings.requestTimeout
        self.http = HTTPClient(http)
        self.log = log
    }

    public static func userAgent(contact: String) -> String {
        let who = contact.trimmingCharacters(in: .whitespaces)
        return "minillm/\(clientVersion) (\(who.isEmpty ? "contact not configured" : who)) \(HTTPClient.curlVersion)"
    }

    /// Up to `count` (≤ 50) random article titles, continuing `from` a previous selection's token.
    public func randomTitles(count: Int, from token: String?) throws -> Selection {
        var params = [("action", "query"), ("list", "random"), ("rnnamespace", "0"),
                      ("rnfilterredir", "nonredirects"), ("rnlimit", String(min(50, count)))]
        if let token { params.append(("rncontinue", token)) }
        let (json, url) = try call(params)
        guard let query = json["query"] as? [String: Any], let random = query["random"] as? [[String: Any]] else {
            throw SourceError.invalidResponse(url: url, reason: "no query.random list")
        }
        let titles = random.compactMap { $0["title"] as? String }
        let next = (json["continue"] as? [String: Any])?["rncontinue"] as? String
        return Selection(titles: titles, next: next)
    }

    /// The wiki's main page (`meta=siteinfo`): a third-party wiki's sits in namespace 0, but it is no article.
    public func mainPage() throws -> String? {
        let (json, _) = try call([("action", "query"), ("meta", "siteinfo"), ("siprop", "general")])
        return ((json["query"] as? [String: Any])?["general"] as? [String: Any])?["mainpage"] as? String
    }

    /// The current revision of each title that exists, in the order asked for. ≤ 50 titles.
    public func revisions(of titles: [String]) throws -> [RawArticle] {
        precondition(titles.count <= 50, "the API serves at most 50 titles a request")
        guard !titles.isEmpty else { return [] }
        let base = [("action", "query"), ("prop", "revisions"), ("titles", titles.joined(separator: "|")),
                    ("rvprop", "content|ids|timestamp|sha1"), ("rvslots", "main")]
        var pages: [String: RawArticle] = [:]
        var renamed: [String: String] = [:]
        var titleOfPage: [Int: String] = [:]
        var continuation: [(String, String)] = []
        // A continuation met again would ask the same question again, forever: MediaWiki answers
        // so when one page is larger than the result size limit.
        var continued = Set<String>()
        repeat {
            let (json, url) = try call(base + continuation)
            guard let query = json["query"] as? [String: Any] else { throw SourceError.invalidResponse(url: url, reason: "no query object") }
            for case let pair as [String: Any] in (query["normalized"] as? [Any] ?? []) + (query["redirects"] as? [Any] ?? []) {
                if let from = pair["from"] as? String, let to = pair["to"] as? String { renamed[from] = to }
            }
            for case let page as [String: Any] in query["pages"] as? [Any] ?? [] {
                if let id = page["pageid"] as? Int, let title = page["title"] as? String { titleOfPage[id] = title }
                if let article = try Self.article(page, url: url) { pages[article.title] = article }
            }
            continuation = ((json["continue"] as? [String: Any]) ?? [:]).sorted { $0.key < $1.key }
                .map { ($0.key, "\($0.value)") }
            let shown = continuation.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            if !continuation.isEmpty && !continued.insert(shown).inserted {
                // rvcontinue is "pageid|revid" of the page the answer stopped at.
                let stopped = continuation.first { $0.0 == "rvcontinue" }.flatMap { Int($0.1.prefix { $0 != "|" }) }
                throw SourceError.continuationRepeats(url: url, continuation: shown, page: stopped.flatMap { titleOfPage[$0] })
            }
        } while !continuation.isEmpty
        return titles.compactMap { title in pages[renamed[title] ?? title] }
    }

    private static func article(_ page: [String: Any], url: String) throws -> RawArticle? {
        guard page["missing"] == nil, page["invalid"] == nil, let title = page["title"] as? String,
              let revision = (page["revisions"] as? [[String: Any]])?.first else { return nil }
        let slot = (revision["slots"] as? [String: Any])?["main"] as? [String: Any]
        guard let content = slot?["content"] as? String ?? revision["content"] as? String else {
            throw SourceError.invalidResponse(url: url, reason: "revision of \"\(title)\" has no content")
        }
        if let expected = (slot?["sha1"] ?? revision["sha1"]) as? String {
            let actual = Digester.sha1(Array(content.utf8)).map { String(format: "%02x", $0) }.joined()
            guard actual == expected.lowercased() else {
                throw SourceError.revisionChecksumMismatch(title: title, expected: expected, actual: actual)
            }
        }
        return RawArticle(pageID: page["pageid"] as? Int, title: title, revisionID: revision["revid"] as? Int,
                          timestamp: revision["timestamp"] as? String, source: "api", format: .wikitext, text: content)
    }

    /// One API call with retries; returns the decoded JSON and the URL for messages.
    private func call(_ params: [(String, String)]) throws -> ([String: Any], String) {
        let all = params + [("format", "json"), ("formatversion", "2"), ("maxlag", "5")]
        let form = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let getURL = settings.endpoint + "?" + form
        let usePost = getURL.utf8.count > 2000
        let url = usePost ? settings.endpoint : getURL
        let shown = String(url.prefix(160))
        let policy = settings.retry
        return try policy.run(url: shown, log: log) { () throws -> RetryPolicy.Outcome<([String: Any], String)> in
            guard requests < settings.maxRequests else { throw SourceError.requestBudgetExceeded(url: shown, limit: settings.maxRequests) }
            pace()
            requests += 1
            defer { lastFinished = .now() }
            let response = try http.fetch(url, form: usePost ? form : nil)
            let retryAfter = RetryPolicy.retryAfter(response.headers["retry-after"])
            switch response.status {
            case 200: break
            case 429, 503: return .retry(reason: "HTTP \(response.status)", retryAfter: retryAfter ?? policy.defaultRetryAfter)
            case 408, 500, 502, 504: return .retry(reason: "HTTP \(response.status)", retryAfter: nil)
            default:
                let detail = String(decoding: response.body.prefix(300), as: UTF8.self)
                let hint = response.status == 403 ? " (Wikimedia refuses clients without a descriptive User-Agent: set the contact)" : ""
                throw SourceError.http(url: shown, status: response.status, detail: detail + hint)
            }
            guard let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
                return .retry(reason: "invalid JSON (\(response.body.count) bytes)", retryAfter: nil)
            }
            if let error = json["error"] as? [String: Any] {
                let code = error["code"] as? String ?? "unknown"
                let info = error["info"] as? String ?? ""
                switch code {
                case "maxlag", "ratelimited":
                    return .retry(reason: "API \(code): \(info)", retryAfter: retryAfter ?? policy.defaultRetryAfter)
                case "readonly", "internal_api_error_DBQueryError", "internal_api_error_DBConnectionError":
                    return .retry(reason: "API \(code)", retryAfter: retryAfter)
                default:
                    throw SourceError.api(url: shown, code: code, info: info)
                }
            }
            return .done((json, shown))
        }
    }

    private func pace() {
        guard let lastFinished else { return }
        let idle = Double(DispatchTime.now().uptimeNanoseconds - lastFinished.uptimeNanoseconds) / 1e9
        if idle < settings.minInterval { Thread.sleep(forTimeInterval: settings.minInterval - idle) }
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
