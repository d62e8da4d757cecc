import CBzip2
import CoreSupport
import CorpusFormat
import Foundation

/// Decompresses a multistream bzip2 file (Wikimedia's `*-multistream.xml.bz2`, ~100 pages a
/// stream) on several threads and hands the bytes over in file order. A coordinator thread cuts
/// the file at stream starts (`StreamStarts`) into units of about `unitBytes` of compressed data;
/// `threads` workers decode units, each into a queue of its own; the consumer reads the queues in
/// order. The output is the same bytes as a sequential decoder's whatever the thread count.
///
/// Memory is bounded: at most `threads + 2` units are in flight, each holding at most
/// `unitDepth` chunks of `chunkBytes` of output, and each worker a libbz2 state (≤ 3.7 MB) and
/// one input chunk: 2 threads ≈ 30 MB, 16 threads ≈ 160 MB, whatever the file size. A
/// single-stream file is one unit and decodes on one worker.
public final class ParallelBzip2Source: ByteSource, RestartableSource {
    final class Unit: @unchecked Sendable {
        let start: Int64
        let end: Int64
        let output: BoundedQueue<[UInt8]>
        init(start: Int64, end: Int64, depth: Int) {
            self.start = start
            self.end = end
            output = BoundedQueue(depth: depth)
        }
    }

    public let name: String
    private let shared: Shared
    private var current: Unit?
    private var chunk: [UInt8] = []
    private var chunkOffset = 0
    private var delivered: Int64 = 0
    private var skip: Int64
    /// Where each unit read so far began, in the file and in the output (for `restartPoint`).
    private var marks: [RestartPoint] = []

    /// `index`: stream offsets from the dump's companion index (`StreamIndex.offsets`), or nil
    /// to scan for them. `start` (a stream start, from `restartPoint`) begins decoding there, and
    /// the first `skip` bytes decoded from it are passed over.
    public init(path: String, name: String? = nil, threads: Int, index: [Int64]? = nil, from start: RestartPoint? = nil,
                skip: Int64 = 0, unitBytes: Int = 256 << 10, chunkBytes: Int = 1 << 20, unitDepth: Int = 4) throws {
        let file = try SharedFile(path: path, name: name ?? path)
        self.name = file.name
        let workers = max(1, threads)
        let begin = start ?? RestartPoint(fileOffset: 0, outputOffset: 0)
        delivered = begin.outputOffset
        self.skip = skip
        shared = Shared(depth: workers + 2)
        let shared = self.shared
        let coordinator = Thread {
            Self.cut(file, index: index, from: begin.fileOffset, unitBytes: unitBytes, unitDepth: unitDepth, shared: shared)
        }
        coordinator.stackSize = 1 << 20
        coordinator.start()
        for _ in 0..<workers {
            let worker = Thread {
                while let unit = try? shared.work.take() {
                    do {
                        if try Self.decode(unit, file, chunkBytes: chunkBytes) { unit.output.finish() }
                    } catch {
                        unit.output.fail(error)
                    }
                }
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
    }

    /// A consumer that stops early releases every thread.
    deinit { shared.cancelAll() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while chunkOffset == chunk.count || skip > 0 {
            if skip > 0 && chunkOffset < chunk.count {
                let n = Int(min(skip, Int64(chunk.count - chunkOffset)))
                chunkOffset += n
                delivered += Int64(n)
                skip -= Int64(n)
                continue
            }
            if let unit = current {
                if let next = try unit.output.take() {
                    chunk = next
                    chunkOffset = 0
                    continue
                }
                shared.release(unit)
                current = nil
            }
            guard let unit = try shared.ordered.take() else { return 0 }
            marks.append(RestartPoint(fileOffset: unit.start, outputOffset: delivered))
            current = unit
        }
        let n = min(buffer.count, chunk.count - chunkOffset)
        chunk.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + chunkOffset, byteCount: n) }
        chunkOffset += n
        delivered += Int64(n)
        return n
    }

    public func restartPoint(before offset: Int64) -> RestartPoint {
        // Marks before the last one at or before `offset` are not needed again: callers ask for
        // increasing offsets.
        guard let last = marks.lastIndex(where: { $0.outputOffset <= offset }) else {
            return marks.first ?? RestartPoint(fileOffset: 0, outputOffset: 0)
        }
        marks.removeFirst(last)
        return marks[0]
    }

    /// The coordinator: units of whole streams, in file order.
    private static func cut(_ file: SharedFile, index: [Int64]?, from begin: Int64, unitBytes: Int, unitDepth: Int,
                            shared: Shared) {
        let starts = StreamStarts(file, name: file.name, index: index, from: begin)
        var unitStart = begin
        do {
            while true {
                let next = try starts.next()
                let end = next ?? file.size
                guard next == nil || end - unitStart >= Int64(unitBytes) else { continue }
                if end > unitStart {
                    guard shared.submit(Unit(start: unitStart, end: end, depth: unitDepth)) else { return }
                }
                unitStart = end
                if next == nil { break }
            }
            shared.ordered.finish()
        } catch {
            shared.ordered.fail(error)
        }
        shared.work.finish()
    }

    /// Decodes one unit (one or more whole streams) into its queue; false when cancelled.
    private static func decode(_ unit: Unit, _ file: SharedFile, chunkBytes: Int) throws -> Bool {
        let inputBytes = 256 << 10
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputBytes, alignment: 16)
        defer { input.deallocate() }
        var stream = bz_stream()
        var active = false
        defer { if active { BZ2_bzDecompressEnd(&stream) } }
        var position = unit.start
        var inStart = 0, inEnd = 0
        var streamStart = unit.start
        var out = [UInt8](repeating: 0, count: chunkBytes)
        var outUsed = 0
        func offset() -> Int64 { position - Int64(inEnd - inStart) }
        /// At least `count` unread bytes when the unit has them.
        func ensure(_ count: Int) throws {
            guard inEnd - inStart < count, position < unit.end else { return }
            if inStart > 0 {
                input.baseAddress!.copyMemory(from: input.baseAddress! + inStart, byteCount: inEnd - inStart)
                inEnd -= inStart
                inStart = 0
            }
            let want = min(inputBytes - inEnd, Int(unit.end - position))
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inEnd..<(inEnd + want)]), at: position)
            if n < want { throw SourceError.truncatedBzip2(file.name, offset: position + Int64(n)) }
            inEnd += n
            position += Int64(n)
        }
        while true {
            try ensure(active ? 1 : 4)
            if !active {
                if inStart == inEnd { break }
                let head = UnsafeRawBufferPointer(rebasing: input[inStart..<min(inEnd, inStart + 3)])
                guard Bzip2Source.hasSignature(ArraySlice(head)) else {
                    throw SourceError.corruptBzip2(file.name, offset: offset(), code: Int(BZ_DATA_ERROR_MAGIC))
                }
                stream = bz_stream()
                guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else {
                    throw SourceError.corruptBzip2(file.name, offset: offset(), code: Int(BZ_MEM_ERROR))
                }
                active = true
                streamStart = offset()
            }
            let available = inEnd - inStart
            stream.next_in = (input.baseAddress! + inStart).assumingMemoryBound(to: CChar.self)
            stream.avail_in = UInt32(available)
            let status = out.withUnsafeMutableBytes { raw -> Int32 in
                stream.next_out = (raw.baseAddress! + outUsed).assumingMemoryBound(to: CChar.self)
                stream.avail_out = UInt32(chunkBytes - outUsed)
                return BZ2_bzDecompress(&stream)
            }
            inStart += available - Int(stream.avail_in)
            outUsed = chunkBytes - Int(stream.avail_out)
            if outUsed == chunkBytes {
                guard unit.output.put(out) else { return false }
                outUsed = 0
            }
            switch status {
            case BZ_OK:
                if inStart == inEnd && position == unit.end && outUsed < chunkBytes && stream.avail_out > 0 {
                    if unit.end == file.size { throw SourceError.truncatedBzip2(file.name, offset: unit.end) }
                    throw SourceError.bzip2StreamOverrun(file.name, start: streamStart, next: unit.end)
                }
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(&stream)
                active = false
            default:
                throw SourceError.corruptBzip2(file.name, offset: offset(), code: Int(status))
            }
        }
        if outUsed > 0 { return unit.output.put(Array(out[0..<outUsed])) }
        return true
    }

    /// What the coordinator, the workers and the consumer share.
    final class Shared: @unchecked Sendable {
        /// Units in file order, for the consumer; its depth bounds the units in flight.
        let ordered: BoundedQueue<Unit>
        /// The same units, for the workers.
        let work = BoundedQueue<Unit>(depth: .max)
        private let lock = NSLock()
        private var live: [ObjectIdentifier: Unit] = [:]
        private var cancelled = false

        init(depth: Int) { ordered = BoundedQueue(depth: depth) }

        func submit(_ unit: Unit) -> Bool {
            guard lock.withLock({ () -> Bool in
                if cancelled { return false }
                live[ObjectIdentifier(unit)] = unit
                return true
            }) else { return false }
            guard ordered.put(unit) else { return false }
            return work.put(unit)
        }

        func release(_ unit: Unit) { lock.withLock { _ = live.removeValue(forKey: ObjectIdentifier(unit)) } }

        func cancelAll() {
            let units = lock.withLock { () -> [Unit] in
                cancelled = true
                return Array(live.values)
            }
            ordered.cancel()
            work.cancel()
            for unit in units { unit.output.cancel() }
        }
    }
}
