import CCurl
import Foundation

/// One HTTP(S) transfer at a time over a reused libcurl handle (keep-alive, gzip).
/// Transport failures throw `SourceError.transfer`; HTTP statuses are returned for the caller to judge.
public final class HTTPClient {
    public struct Settings: Sendable {
        public var userAgent: String
        public var connectTimeout: Double = 30
        /// A transfer that receives nothing for this long is abandoned (whole seconds, at least 1).
        public var stallTimeout: Double = 60
        /// Upper bound for one request, 0 for none (a dump download may take hours).
        public var totalTimeout: Double = 0
        public init(userAgent: String) { self.userAgent = userAgent }
    }

    public struct Response {
        public let status: Int
        /// Header names in lowercase; the last value wins.
        public let headers: [String: String]
        /// The body, or for downloads of a successful response the bytes that went to the file: none.
        public let body: [UInt8]
        public let bodyBytes: Int64
    }

    public let settings: Settings
    private let handle: UnsafeMutableRawPointer

    public static let curlVersion: String = {
        String(cString: curl_version()).split(separator: " ").first.map(String.init) ?? "libcurl"
    }()

    public init(_ settings: Settings) {
        _ = Self.globalInit
        self.settings = settings
        handle = curl_easy_init()!
    }

    deinit { curl_easy_cleanup(handle) }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// GET (or POST with `form`) into memory, refusing bodies over `maxBytes`.
    public func fetch(_ url: String, form: String? = nil, maxBytes: Int = 256 << 20) throws -> Response {
        let sink = Sink(file: nil, maxMemory: maxBytes)
        return try perform(url: url, form: form, range: nil, compressed: true, sink: sink)
    }

    /// GET appending a successful body to `fd`; with `resumeFrom` > 0 asks for the rest only
    /// (`Range`), guarded by `ifRange` (an ETag or Last-Modified) so that a changed file restarts.
    /// On a 200 answer to a range request the file is truncated first. Error bodies are kept in memory.
    /// `onStart` sees the status and headers before the first byte of a successful body is written.
    public func download(_ url: String, to fd: Int32, resumeFrom: Int64, ifRange: String?,
                         onStart: @escaping (Int, [String: String]) throws -> Void = { _, _ in }) throws -> Response {
        let sink = Sink(file: fd, maxMemory: 64 << 10)
        sink.onStart = onStart
        return try perform(url: url, form: nil, range: resumeFrom > 0 ? (resumeFrom, ifRange) : nil, compressed: false, sink: sink)
    }

    private func perform(url: String, form: String?, range: (Int64, String?)?, compressed: Bool, sink: Sink) throws -> Response {
        let h = handle
        curl_easy_reset(h)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        var setupFailure: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK && setupFailure == CURLE_OK { setupFailure = code } }
        set(minillm_curl_setopt_string(h, CURLOPT_URL, url))
        set(minillm_curl_setopt_string(h, CURLOPT_USERAGENT, settings.userAgent))
        set(minillm_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(minillm_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set(minillm_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        set(minillm_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1))
        set(minillm_curl_setopt_long(h, CURLOPT_MAXREDIRS, 5))
        set(minillm_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1000)))
        set(minillm_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(settings.totalTimeout * 1000)))
        if compressed { set(minillm_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")) }
        if let form {
            set(minillm_curl_setopt_long(h, CURLOPT_POST, 1))
            set(minillm_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, form))
        }
        if let (offset, validator) = range {
            set(minillm_curl_setopt_string(h, CURLOPT_RANGE, "\(offset)-"))
            if let validator { headerList = curl_slist_append(headerList, "If-Range: \(validator)") }
            sink.resuming = true
        }
        if headerList != nil { set(minillm_curl_setopt_pointer(h, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))) }
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        set(minillm_curl_setopt_write_callback(h, CURLOPT_WRITEFUNCTION, bodyCallback))
        set(minillm_curl_setopt_pointer(h, CURLOPT_WRITEDATA, box.toOpaque()))
        set(minillm_curl_setopt_write_callback(h, CURLOPT_HEADERFUNCTION, headerCallback))
        set(minillm_curl_setopt_pointer(h, CURLOPT_HEADERDATA, box.toOpaque()))
        // Our own stall timer: curl's low-speed check averages over several seconds.
        sink.stallTimeout = settings.stallTimeout
        set(minillm_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0))
        set(minillm_curl_setopt_xferinfo_callback(h, CURLOPT_XFERINFOFUNCTION, progressCallback))
        set(minillm_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, box.toOpaque()))
        guard setupFailure == CURLE_OK else {
            throw SourceError.transfer(url: url, curlCode: Int(setupFailure.rawValue), message: String(cString: curl_easy_strerror(setupFailure)))
        }
        let code = curl_easy_perform(h)
        if let failure = sink.failure { throw failure }
        if sink.stalled {
            throw SourceError.transfer(url: url, curlCode: Int(CURLE_OPERATION_TIMEDOUT.rawValue),
                                       message: "no data for \(settings.stallTimeout) s (stalled)")
        }
        guard code == CURLE_OK else {
            throw SourceError.transfer(url: url, curlCode: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        _ = minillm_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: sink.headers, body: sink.memory, bodyBytes: sink.bodyBytes)
    }
}

/// Where one transfer's headers and body go; shared with the C callbacks through an opaque pointer.
private final class Sink {
    let file: Int32?
    let maxMemory: Int
    var resuming = false
    var status = 0
    var headers: [String: String] = [:]
    var memory: [UInt8] = []
    var bodyBytes: Int64 = 0
    var failure: Error?
    var onStart: (Int, [String: String]) throws -> Void = { _, _ in }
    var stallTimeout = 60.0
    var lastData = DispatchTime.now()
    var stalled = false
    private var started = false

    /// False stops the transfer.
    func checkStall() -> Bool {
        let idle = Double(DispatchTime.now().uptimeNanoseconds - lastData.uptimeNanoseconds) / 1e9
        if idle > stallTimeout { stalled = true }
        return !stalled
    }

    init(file: Int32?, maxMemory: Int) {
        self.file = file
        self.maxMemory = maxMemory
    }

    func header(_ line: String) {
        lastData = .now()
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            headers = [:]
            status = Int(trimmed.split(separator: " ").dropFirst().first ?? "") ?? 0
        } else if let colon = trimmed.firstIndex(of: ":") {
            headers[trimmed[..<colon].lowercased()] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// False stops the transfer.
    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastData = .now()
        guard let file, status == 200 || status == 206 else {
            guard memory.count + bytes.count <= maxMemory else {
                failure = SourceError.invalidResponse(url: "", reason: "body larger than \(maxMemory) bytes")
                return false
            }
            memory += bytes
            bodyBytes += Int64(bytes.count)
            return true
        }
        if !started {
            started = true
            do { try onStart(status, headers) } catch { failure = error; return false }
            if resuming && status == 200 && ftruncate(file, 0) != 0 {
                failure = SourceError.io(path: "download", operation: "truncate", errno: errno)
                return false
            }
        }
        var offset = 0
        while offset < bytes.count {
            let n = write(file, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = SourceError.io(path: "download", operation: "write", errno: errno)
                return false
            }
            offset += n
        }
        bodyBytes += Int64(bytes.count)
        return true
    }
}

private func bodyCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return sink.body(bytes) ? size * count : 0
}

private func headerCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
    sink.header(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
    return size * count
}

private func progressCallback(_ user: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue().checkStall() ? 0 : 1
}
