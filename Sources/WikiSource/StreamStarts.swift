import CorpusFormat
import Foundation

/// Where the streams of a (multistream) bzip2 file begin after the first one, at 0: from the
/// dump's companion index when given, else by scanning. Streams start byte-aligned with a header
/// `BZh1`…`BZh9` followed by the block magic 0x314159265359 (or the end-of-stream magic
/// 0x177245385090 for an empty stream); those 10 bytes occur by chance inside compressed data
/// about once in 2^85 positions, and a false start could only make the stream before it fail
/// its CRC check (an error), never give other bytes.
final class StreamStarts {
    private let file: SharedFile
    private let name: String
    private var indexed: [Int64]?
    private var indexPosition = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var chunkStart: Int64 = 0
    private var chunkCount = 0
    private var scanFrom: Int64

    static let headerBytes = 10

    /// `index`: stream offsets in increasing order (`StreamIndex.offsets`); `from`: where the
    /// stream before the first one returned starts.
    init(_ file: SharedFile, name: String, index: [Int64]?, from start: Int64 = 0) {
        self.file = file
        self.name = name
        indexed = index?.filter { $0 > start }
        scanFrom = start + 1
    }

    /// The next stream start, or nil when there is none before the end of the file.
    func next() throws -> Int64? {
        if let indexed {
            guard indexPosition < indexed.count else { return nil }
            let offset = indexed[indexPosition]
            indexPosition += 1
            var head = [UInt8](repeating: 0, count: Self.headerBytes)
            let n = try head.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
            guard n == Self.headerBytes, head.withUnsafeBytes({ Self.isHeader($0.baseAddress!) }) else {
                throw SourceError.badStreamIndex(name, reason: "no bzip2 stream starts at byte \(offset) of the dump")
            }
            return offset
        }
        while true {
            if scanFrom + Int64(Self.headerBytes) > chunkStart + Int64(chunkCount) {
                // Keep the last 9 bytes so that a header across two reads is seen.
                chunkStart = scanFrom
                chunkCount = try chunk.withUnsafeMutableBytes { try file.read(into: $0, at: chunkStart) }
                if chunkCount < Self.headerBytes { return nil }
            }
            let found: Int64? = chunk.withUnsafeBytes { raw in
                let base = raw.baseAddress!
                var i = Int(scanFrom - chunkStart)
                let last = chunkCount - Self.headerBytes
                while i <= last {
                    guard let p = memchr(base + i, 0x42, last - i + 1) else { return nil }
                    i = UnsafeRawPointer(p) - base
                    if Self.isHeader(base + i) { return chunkStart + Int64(i) }
                    i += 1
                }
                return nil
            }
            if let found {
                scanFrom = found + 1
                return found
            }
            scanFrom = chunkStart + Int64(chunkCount - Self.headerBytes + 1)
        }
    }

    /// `BZh` + block size digit + block or end-of-stream magic.
    static func isHeader(_ p: UnsafeRawPointer) -> Bool {
        let b = p.assumingMemoryBound(to: UInt8.self)
        guard b[0] == 0x42, b[1] == 0x5A, b[2] == 0x68, (0x31...0x39).contains(b[3]) else { return false }
        let block: [UInt8] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], end: [UInt8] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
        return memcmp(b + 4, block, 6) == 0 || memcmp(b + 4, end, 6) == 0
    }
}

/// Wikimedia's multistream index (`…-multistream-index.txt.bz2`): lines `offset:page_id:title`,
/// about 100 a stream, in file order.
public enum StreamIndex {
    /// Where Wikimedia puts the index of a `…-multistream.xml.bz2` dump: `…-multistream-index.txt.bz2`.
    public static func companion(of dumpPath: String) -> String? {
        let suffix = "-multistream.xml.bz2"
        guard dumpPath.hasSuffix(suffix) else { return nil }
        return String(dumpPath.dropLast(suffix.count)) + "-multistream-index.txt.bz2"
    }

    /// The distinct stream offsets, increasing; an unreadable line or offsets out of order are
    /// an error naming the line.
    public static func offsets(path: String, name: String? = nil) throws -> [Int64] {
        let label = name ?? path
        let lines = LineReader(try Input.open(path, name: label))
        var offsets: [Int64] = []
        enum Line { case blank, bad, offset(Int64) }
        while let line = try lines.next({ line -> Line in
            if line.isEmpty { return .blank }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  let value = Int64(String(decoding: line[..<colon], as: UTF8.self)), value >= 0 else { return .bad }
            return .offset(value)
        }) {
            switch line {
            case .blank: continue
            case .bad: throw SourceError.badStreamIndex(label, reason: "line \(lines.lineNumber) is not offset:page_id:title")
            case .offset(let offset):
                if let last = offsets.last {
                    guard offset >= last else {
                        throw SourceError.badStreamIndex(label, reason: "line \(lines.lineNumber): offset \(offset) after \(last)")
                    }
                    if offset == last { continue }
                }
                offsets.append(offset)
            }
        }
        return offsets
    }
}

/// A file read at given offsets from several threads (`pread`); closed when the last user lets go.
final class SharedFile: @unchecked Sendable {
    let name: String
    let size: Int64
    private let fd: Int32

    init(path: String, name: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError.io(path: name, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw SourceError.io(path: name, operation: "stat", errno: code)
        }
        size = Int64(info.st_size)
        self.name = name
    }

    deinit { close(fd) }

    /// Fills as much of `buffer` as the file holds from `offset` on; fewer bytes only at its end.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceError.io(path: name, operation: "read", errno: errno)
            }
            done += n
        }
        return done
    }
}
