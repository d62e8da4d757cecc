import Foundation

/// How failed requests are retried: the server's `Retry-After` for 429, 503 and maxlag (up to a
/// limit), otherwise exponential backoff with jitter; a bounded number of attempts in all.
public struct RetryPolicy: Sendable {
    public var maxAttempts = 8
    public var baseDelay = 1.0
    public var maxDelay = 60.0
    /// A server asking for a longer wait than this is an error rather than a silent hour-long sleep.
    public var maxRetryAfter = 600.0
    /// The wait when a 429, 503 or maxlag answer names none (the API's own maxlag default).
    public var defaultRetryAfter = 5.0
    public var sleep: @Sendable (Double) -> Void = { if $0 > 0 { Thread.sleep(forTimeInterval: $0) } }

    public init() {}

    /// Backoff before attempt `attempt + 1`: base·2^(attempt−1), capped, times a jitter in [0.5, 1).
    public func backoff(afterAttempt attempt: Int) -> Double {
        let raw = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return raw * Double.random(in: 0.5..<1)
    }

    /// `Retry-After` as seconds or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }

    /// What one attempt came to.
    public enum Outcome<T> {
        case done(T)
        /// Transient: wait the server's time if it named one, else back off.
        case retry(reason: String, retryAfter: Double?)
    }

    /// Runs `attempt` until it is done, throws, or the attempts run out.
    public func run<T>(url: String, log: (String) -> Void, _ attempt: () throws -> Outcome<T>) throws -> T {
        var last = ""
        for number in 1...maxAttempts {
            let outcome: Outcome<T>
            do {
                outcome = try attempt()
            } catch let error as SourceError {
                guard Self.isTransient(error) else { throw error }
                outcome = .retry(reason: error.description, retryAfter: nil)
            }
            switch outcome {
            case .done(let value):
                return value
            case .retry(let reason, let retryAfter):
                last = reason
                guard number < maxAttempts else { break }
                if let retryAfter, retryAfter > maxRetryAfter {
                    throw SourceError.retryAfterTooLong(url: url, seconds: retryAfter, limit: maxRetryAfter)
                }
                let wait = retryAfter ?? backoff(afterAttempt: number)
                log("attempt \(number) failed (\(reason)); retrying in \(String(format: "%.2f", wait)) s")
                sleep(wait)
            }
        }
        throw SourceError.gaveUp(url: url, attempts: maxAttempts, last: last)
    }

    /// Transport failures worth another try; malformed URLs, unsupported protocols and TLS
    /// certificate problems are not.
    static func isTransient(_ error: SourceError) -> Bool {
        switch error {
        case .transfer(_, let code, _): return ![1, 3, 4, 51, 58, 60, 77, 83, 90, 91].contains(code)
        case .invalidResponse: return true
        default: return false
        }
    }
}
