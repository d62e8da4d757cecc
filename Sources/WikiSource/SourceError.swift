import Foundation

/// Failures of reading a source, each naming what was wrong and where.
public enum SourceError: Error, CustomStringConvertible, Equatable {
    case io(path: String, operation: String, errno: Int32)
    case emptyInput(String)
    case truncatedBzip2(String, offset: Int64)
    case notBzip2(String)
    case unsupportedCompression(String, format: String)
    case corruptBzip2(String, offset: Int64, code: Int)
    case bzip2StreamOverrun(String, start: Int64, next: Int64)
    case badStreamIndex(String, reason: String)
    case notADump(String, reason: String)
    case malformedDump(String, offset: Int64, reason: String)
    case pageTooLarge(String, title: String, limit: Int)
    case pageChecksumMismatch(String, title: String, expected: String, actual: String)
    case noArticles(String)
    case checksumMismatch(String, algorithm: String, expected: String, actual: String)
    case badChecksumParameter(String)
    case http(url: String, status: Int, detail: String)
    case transfer(url: String, curlCode: Int, message: String)
    case invalidResponse(url: String, reason: String)
    case api(url: String, code: String, info: String)
    case revisionChecksumMismatch(title: String, expected: String, actual: String)
    case retryAfterTooLong(url: String, seconds: Double, limit: Double)
    case gaveUp(url: String, attempts: Int, last: String)
    case notEnoughArticles(wanted: Int, got: Int, reason: String)
    case wikiExhausted(wanted: Int, found: Int, minChars: Int, staleBatches: Int, titlesDrawn: Int)
    case continuationRepeats(url: String, continuation: String, page: String?)
    case requestBudgetExceeded(url: String, limit: Int)
    case badTitleList(String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return "\(path): \(operation) failed: \(String(cString: strerror(code)))"
        case .emptyInput(let path):
            return "\(path): the file is empty"
        case .truncatedBzip2(let path, let offset):
            return "\(path): bzip2 data ends early (truncated download?) after \(offset) compressed bytes"
        case .notBzip2(let path):
            return "\(path): named .bz2 but not bzip2 data (bzip2 starts with BZh)"
        case .unsupportedCompression(let path, let format):
            return "\(path): \(format)-compressed; minillm reads plain or bzip2-compressed files (decompress it, or recompress it with bzip2)"
        case .corruptBzip2(let path, let offset, let code):
            return "\(path): corrupt bzip2 data near compressed byte \(offset) (libbz2 error \(code))"
        case .bzip2StreamOverrun(let path, let start, let next):
            return "\(path): the bzip2 stream starting at compressed byte \(start) does not end before the next one, at byte \(next) (damaged data)"
        case .badStreamIndex(let path, let reason):
            return "\(path): not the multistream index of this dump: \(reason)"
        case .notADump(let path, let reason):
            return "\(path): not a MediaWiki XML dump: \(reason)"
        case .malformedDump(let path, let offset, let reason):
            return "\(path): malformed XML near byte \(offset): \(reason)"
        case .pageTooLarge(let path, let title, let limit):
            return "\(path): page \"\(title)\" is larger than the limit of \(limit) bytes"
        case .pageChecksumMismatch(let path, let title, let expected, let actual):
            return "\(path): page \"\(title)\": text sha1 is \(actual) but the dump says \(expected)"
        case .noArticles(let path):
            return "\(path): no articles (namespace 0, not redirects) found"
        case .checksumMismatch(let path, let algorithm, let expected, let actual):
            return "\(path): \(algorithm) is \(actual), expected \(expected); the partial download was deleted"
        case .badChecksumParameter(let text):
            return "checksum \"\(text)\" is not a hex SHA-1 (40 digits) or SHA-256 (64 digits)"
        case .http(let url, let status, let detail):
            return "\(url): HTTP \(status)\(detail.isEmpty ? "" : ": " + detail)"
        case .transfer(let url, let code, let message):
            return "\(url): transfer failed (curl \(code)): \(message)"
        case .invalidResponse(let url, let reason):
            return "\(url): invalid response: \(reason)"
        case .api(let url, let code, let info):
            return "\(url): API error \(code): \(info)"
        case .revisionChecksumMismatch(let title, let expected, let actual):
            return "revision of \"\(title)\": content sha1 is \(actual) but the API says \(expected)"
        case .retryAfterTooLong(let url, let seconds, let limit):
            return "\(url): server asks to retry after \(seconds) s, more than the limit of \(limit) s"
        case .gaveUp(let url, let attempts, let last):
            return "\(url): gave up after \(attempts) attempts; last error: \(last)"
        case .notEnoughArticles(let wanted, let got, let reason):
            return "wanted \(wanted) articles, got \(got): \(reason)"
        case .wikiExhausted(let wanted, let found, let minChars, let stale, let drawn):
            return "the wiki seems to have only \(found) articles of ≥ \(minChars) characters (api_min_chars), "
                + "not the \(wanted) asked for: \(stale) batches in a row drew only titles drawn before "
                + "(\(drawn) distinct titles drawn); set api_articles to at most \(found) or lower api_min_chars"
        case .continuationRepeats(let url, let continuation, let page):
            let which = page.map { "page \"\($0)\"" } ?? "a page"
            return "\(url): the server answered the same continuation (\(continuation)) again: \(which) does not fit "
                + "in one answer, probably larger than the wiki's result size limit ($wgAPIMaxResultSize, 8 MiB "
                + "by default); stopped instead of asking for it again"
        case .requestBudgetExceeded(let url, let limit):
            return "\(url): not sent: the run has used its budget of \(limit) requests (api_max_requests)"
        case .badTitleList(let path, let reason):
            return "\(path): not a list of page titles (one a line): \(reason)"
        }
    }
}
