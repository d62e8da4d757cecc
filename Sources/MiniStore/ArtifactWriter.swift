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
