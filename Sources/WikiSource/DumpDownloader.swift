import Digests
import Foundation
import MiniStore

/// Downloads a dump into the store: into a partial file that survives a killed run and is
/// resumed with HTTP `Range` (guarded by `If-Range`), then checked against the SHA-1 or
/// SHA-256 given, imported, and checkpointed so a rerun does not download it again.
public final class DumpDownloader {
    public struct Settings: Sendable {
        public var url: String
        /// Hex SHA-1 (40 digits) or SHA-256 (64 digits) of the file, as Wikimedia publishes them.
        public var checksum: String?
        /// Where partial downloads live between runs.
        public var partialDirectory: String
        public var userAgent = MediaWikiAPI.userAgent(contact: "")
        public var retry = RetryPolicy()
        public var stallTimeout = 60.0
        public init(url: String, checksum: String?, partialDirectory: String) {
            self.url = url
            self.checksum = checksum
            self.partialDirectory = partialDirectory
        }
    }

    private let settings: Settings
    private let log: (String) -> Void

    public init(_ settings: Settings, log: @escaping (String) -> Void = { _ in }) {
        self.settings = settings
        self.log = log
    }

    public static let checkpointName = "dump-download"

    public func run(store: Store, journal: CheckpointJournal) throws -> ArtifactHash {
        if let hash = try journal.checkpoint(Self.checkpointName), (try? store.ensureIntact(hash)) != nil { return hash }
        let algorithm = try settings.checksum.map(Self.algorithm)
        try FileManager.default.createDirectory(atPath: settings.partialDirectory, withIntermediateDirectories: true)
        let key = Digester.sha256(Array(settings.url.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let partial = "\(settings.partialDirectory)/\(key).part"
        try fetch(into: partial)
        if let checksum = settings.checksum, let algorithm {
            let actual = try Self.digest(partial, algorithm: algorithm)
            guard actual == checksum.lowercased() else {
                unlink(partial)
                unlink(partial + ".validator")
                throw SourceError.checksumMismatch(settings.url, algorithm: algorithm, expected: checksum.lowercased(), actual: actual)
            }
        }
        let media = settings.url.hasSuffix(".bz2") ? "application/x-bzip2" : "application/xml"
        let hash = try store.importFile(at: partial, kind: "wiki-dump", mediaType: media)
        try journal.saveCheckpoint(Self.checkpointName, hash: hash, step: 0)
        unlink(partial)
        unlink(partial + ".validator")
        return hash
    }

    private enum Progress { case complete, incomplete }

    /// Appends to `partial` until the server's whole file is there.
    private func fetch(into partial: String) throws {
        var http = HTTPClient.Settings(userAgent: settings.userAgent)
        http.stallTimeout = settings.stallTimeout
        let client = HTTPClient(http)
        let validatorPath = partial + ".validator"
        while true {
            let outcome = try settings.retry.run(url: settings.url, log: log) { () throws -> RetryPolicy.Outcome<Progress> in
                let fd = open(partial, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw SourceError.io(path: partial, operation: "open", errno: errno) }
                defer { close(fd) }
                let offset = try Store.stat(partial).size
                let validator = (try? String(contentsOfFile: validatorPath, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
                if offset > 0 { log("resuming \(settings.url) at byte \(offset)") }
                let response = try client.download(settings.url, to: fd, resumeFrom: offset, ifRange: validator) { status, headers in
                    guard let tag = headers["etag"] ?? headers["last-modified"], status == 200 || validator == nil else { return }
                    try Data(tag.utf8).write(to: URL(fileURLWithPath: validatorPath), options: .atomic)
                }
                let retryAfter = RetryPolicy.retryAfter(response.headers["retry-after"])
                switch response.status {
                case 200, 206:
                    let size = try Store.stat(partial).size
                    guard let total = Self.totalSize(response.headers, status: response.status) else { return .done(.complete) }
                    if size == total { return .done(.complete) }
                    if size > total { _ = ftruncate(fd, 0); return .retry(reason: "partial file larger than the server's \(total) bytes", retryAfter: 0) }
                    return response.bodyBytes > 0 ? .done(.incomplete) : .retry(reason: "body ended at \(size) of \(total) bytes", retryAfter: nil)
                case 416:
                    if Self.totalSize(response.headers, status: 416) == offset { return .done(.complete) }
                    _ = ftruncate(fd, 0)
                    return .retry(reason: "range not satisfiable; restarting", retryAfter: 0)
                case 429, 503:
                    return .retry(reason: "HTTP \(response.status)", retryAfter: retryAfter ?? settings.retry.defaultRetryAfter)
                case 408, 500, 502, 504:
                    return .retry(reason: "HTTP \(response.status)", retryAfter: nil)
                default:
                    throw SourceError.http(url: settings.url, status: response.status,
                                           detail: String(decoding: response.body.prefix(200), as: UTF8.self))
                }
            }
            if case .complete = outcome { return }
        }
    }

    /// The full file size: from `Content-Range: bytes a-b/total` or, for a 200, `Content-Length`.
    static func totalSize(_ headers: [String: String], status: Int) -> Int64? {
        if status == 200 { return headers["content-length"].flatMap { Int64($0) } }
        guard let range = headers["content-range"], let slash = range.lastIndex(of: "/") else { return nil }
        return Int64(range[range.index(after: slash)...])
    }

    static func algorithm(_ checksum: String) throws -> String {
        let hex = checksum.lowercased()
        guard hex.allSatisfy({ $0.isHexDigit }) else { throw SourceError.badChecksumParameter(checksum) }
        switch hex.count {
        case 40: return "SHA-1"
        case 64: return "SHA-256"
        default: throw SourceError.badChecksumParameter(checksum)
        }
    }

    static func digest(_ path: String, algorithm: String) throws -> String {
        let source = try FileSource(path: path)
        var sha1 = Digester(.sha1)
        var sha256 = Digester(.sha256)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            chunk.withUnsafeBytes { bytes in
                let part = UnsafeRawBufferPointer(rebasing: bytes[0..<n])
                if algorithm == "SHA-1" { sha1.update(bufferPointer: part) } else { sha256.update(bufferPointer: part) }
            }
        }
        let digest: [UInt8] = algorithm == "SHA-1" ? Array(sha1.finalize()) : Array(sha256.finalize())
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
