import Foundation

/// Receives the bytes of one artifact being written; hashes them as they pass.
public final class ArtifactWriter {
    private var fd: Int32
    private let path: String
    private var hasher = StreamingHasher()
    private var buffer = [UInt8]()
    private static let flushThreshold = 1 << 20

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "create", errno: errno) }
        self.path = path
        buffer.reserveCapacity(Self.flushThreshold)
    }

    /// Continues the file at `path` after its first `prefix.length` bytes when they hash to
    /// `prefix.hash` (it reads them again: the final hash covers them); else starts it empty.
    /// `kept` says which.
    init(path: String, keeping prefix: WrittenPrefix?) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        self.path = path
        buffer.reserveCapacity(Self.flushThreshold)
        if let prefix, try hashPrefix(prefix.length) == prefix.hash {
            kept = true
        } else {
            hasher = StreamingHasher()
        }
        let length = kept ? prefix!.length : 0
        guard ftruncate(fd, off_t(length)) == 0, lseek(fd, off_t(length), SEEK_SET) >= 0 else {
            throw StoreError.io(path: path, operation: "truncate", errno: errno)
        }
    }

    /// Whether `init(path:keeping:)` kept the prefix.
    public private(set) var kept = false

    /// The hash of the first `length` bytes, nil when the file is shorter.
    private func hashPrefix(_ length: Int64) throws -> ArtifactHash? {
        var chunk = [UInt8](repeating: 0, count: Self.flushThreshold)
        while hasher.byteCount < length {
            let want = Int(min(Int64(chunk.count), length - hasher.byteCount))
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(hasher.byteCount)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw StoreError.io(path: path, operation: "read", errno: errno) }
            if n == 0 { return nil }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalize()
    }

    /// Makes everything written so far durable and says what it is, for a checkpoint.
    public func sync() throws -> WrittenPrefix {
        try flush()
        guard fsync(fd) == 0 else { throw StoreError.io(path: path, operation: "fsync", errno: errno) }
        return WrittenPrefix(length: hasher.byteCount, hash: hasher.finalize())
    }

    public var bytesWritten: Int64 { hasher.byteCount + Int64(buffer.count) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.flushThreshold { try flush() }
        if bytes.count >= Self.flushThreshold {
            try writeThrough(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }
    public func write(_ text: String) throws { try write(Data(text.utf8)) }
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    private func flush() throws {
        try buffer.withUnsafeBytes { try writeThrough($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    var filePath: String { path }

    func finish() throws -> (ArtifactHash, Int64) {
        try flush()
        guard fsync(fd) == 0 else { throw StoreError.io(path: path, operation: "fsync", errno: errno) }
        close(fd)
        fd = -1
        return (hasher.finalize(), hasher.byteCount)
    }

    func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
    }
}

/// The bytes of a resumable artifact made durable by `ArtifactWriter.sync`: what a checkpoint
/// records so that a later run continues after them.
public struct WrittenPrefix: Codable, Equatable, Sendable {
    public var length: Int64
    public var hash: ArtifactHash

    public init(length: Int64, hash: ArtifactHash) {
        self.length = length
        self.hash = hash
    }
}
