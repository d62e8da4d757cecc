import CBzip2
import CorpusFormat

/// Streaming bzip2 decompression, including multistream files (the concatenated streams of
/// Wikimedia's `*-multistream.xml.bz2`). Memory stays at libbz2's ~3.5 MB plus one input chunk.
public final class Bzip2Source: ByteSource {
    private let input: ByteSource
    private var stream = bz_stream()
    private var inBuffer: UnsafeMutableRawBufferPointer
    private var inStart = 0
    private var inEnd = 0
    private var inputEnded = false
    private var active = false
    private var finished = false
    private var consumed: Int64 = 0
    public var name: String { input.name }

    public init(_ input: ByteSource) {
        self.input = input
        inBuffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit {
        if active { BZ2_bzDecompressEnd(&stream) }
        inBuffer.deallocate()
    }

    static func hasSignature(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count >= 3 && Array(bytes.prefix(3)) == Array("BZh".utf8)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if inStart == inEnd && !inputEnded { try refill() }
            if !active {
                if inStart == inEnd && inputEnded {
                    if consumed == 0 { throw SourceError.truncatedBzip2(name, offset: 0) }
                    finished = true
                    return 0
                }
                try startStream()
            }
            stream.next_in = inBuffer.baseAddress!.advanced(by: inStart).assumingMemoryBound(to: CChar.self)
            stream.avail_in = UInt32(inEnd - inStart)
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            stream.avail_out = UInt32(buffer.count)
            let status = BZ2_bzDecompress(&stream)
            let used = (inEnd - inStart) - Int(stream.avail_in)
            inStart += used
            consumed += Int64(used)
            let produced = buffer.count - Int(stream.avail_out)
            switch status {
            case BZ_OK:
                if produced > 0 { return produced }
                if inStart == inEnd && inputEnded { throw SourceError.truncatedBzip2(name, offset: consumed) }
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(&stream)
                active = false
                if produced > 0 { return produced }
            default:
                throw SourceError.corruptBzip2(name, offset: consumed, code: Int(status))
            }
        }
    }

    private func refill() throws {
        if inStart > 0 && inStart == inEnd { inStart = 0; inEnd = 0 }
        let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: inBuffer[inEnd...]))
        if n == 0 { inputEnded = true } else { inEnd += n }
    }

    /// A new stream must begin with `BZh`; anything else after a finished stream is garbage.
    private func startStream() throws {
        while inEnd - inStart < 3 && !inputEnded {
            if inStart > 0 {
                inBuffer.baseAddress!.copyMemory(from: inBuffer.baseAddress! + inStart, byteCount: inEnd - inStart)
                inEnd -= inStart
                inStart = 0
            }
            try refill()
        }
        let head = Array(UnsafeRawBufferPointer(rebasing: inBuffer[inStart..<min(inEnd, inStart + 3)]))
        guard Self.hasSignature(head[...]) else {
            throw SourceError.corruptBzip2(name, offset: consumed, code: Int(BZ_DATA_ERROR_MAGIC))
        }
        stream = bz_stream()
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else {
            throw SourceError.corruptBzip2(name, offset: consumed, code: Int(BZ_MEM_ERROR))
        }
        active = true
    }
}
