import CorpusFormat
import Foundation
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

/// The parallel decoder gives a sequential decoder's bytes for any thread count, with or without
/// the index, from any restart point, and names the offset of bad data.
@Suite struct ParallelBzip2Tests {
    func readAll(_ source: ByteSource, chunk: Int = 4093) throws -> [UInt8] {
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// 40 streams of different sizes and contents (some compress to a few bytes, some to many kB).
    func streams() -> [[UInt8]] {
        (0..<40).map { k in
            let words = ["casa", "río", "año", "ciudad", "\(k)", "<page>", "ñandú", "\n"]
            let count = k % 5 == 0 ? 3 : (k * 7919 + 13) % 20_000
            return Array((0..<count).map { i in words[(i * i + 3 * k + i / 7) % words.count] }.joined(separator: " ").utf8)
        }
    }

    @Test func sameBytesForAnyThreadCountWithOrWithoutIndex() throws {
        let parts = streams()
        let (bytes, offsets) = try MultistreamDump.compress(parts)
        let dir = TemporaryDirectory()
        let path = dir.file("m.xml.bz2")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let expected = parts.flatMap { $0 }
        #expect(try readAll(Input.open(path)) == expected)
        for threads in [1, 2, 3, 8] {
            for index in [nil, offsets] {
                // Units of about 1 kB: many units, several streams in some of them.
                let source = try ParallelBzip2Source(path: path, threads: threads, index: index, unitBytes: 1024, chunkBytes: 4096)
                #expect(try readAll(source) == expected, "threads \(threads), index \(index != nil)")
            }
        }
        #expect(try readAll(Input.openResumable(path, threads: 2)) == expected)
    }

    @Test func restartPointsGiveTheRestOfTheBytes() throws {
        let parts = streams()
        let (bytes, _) = try MultistreamDump.compress(parts)
        let dir = TemporaryDirectory()
        let path = dir.file("m.bz2")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let expected = parts.flatMap { $0 }
        let source = try ParallelBzip2Source(path: path, threads: 2, unitBytes: 2048, chunkBytes: 1000)
        var read: [UInt8] = []
        var points: [(RestartPoint, Int64)] = []
        for target in stride(from: 0, to: expected.count, by: expected.count / 7) {
            while read.count < target + 1 {
                var buffer = [UInt8](repeating: 0, count: 333)
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                read += buffer[0..<n]
            }
            points.append((source.restartPoint(before: Int64(target)), Int64(target)))
        }
        #expect(Set(points.map(\.0.fileOffset)).count > 3)
        for (point, offset) in points {
            #expect(point.outputOffset <= offset)
            let resumed = try Input.openResumable(path, threads: 3, resume: (point, offset))
            #expect(try readAll(resumed) == Array(expected[Int(offset)...]), "from \(offset) via \(point)")
        }
    }

    @Test func badDataIsReportedAtItsOffsetAfterTheGoodBytesBeforeIt() throws {
        let parts = streams()
        let (bytes, offsets) = try MultistreamDump.compress(parts)
        let dir = TemporaryDirectory()
        // A damaged byte inside stream 21: everything before it arrives, then the error.
        var damaged = bytes
        damaged[Int(offsets[21]) + 40] ^= 0x55
        let path = dir.file("d.bz2")
        _ = FileManager.default.createFile(atPath: path, contents: Data(damaged))
        let source = try ParallelBzip2Source(path: path, threads: 3, unitBytes: 1, chunkBytes: 512)
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 100)
        var failure: Error?
        do {
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                got += buffer[0..<n]
            }
        } catch { failure = error }
        let before = parts[..<21].flatMap { $0 }
        #expect(Array(got.prefix(before.count)) == before)
        guard case SourceError.corruptBzip2(_, let offset, _)? = failure as? SourceError else {
            Issue.record("expected corrupt bzip2, got \(String(describing: failure))")
            return
        }
        #expect(offset >= offsets[21] && offset < offsets[22])

        // Cut inside the last stream: truncated at the end of the file.
        let cut = Array(bytes.prefix(bytes.count - 30))
        _ = FileManager.default.createFile(atPath: dir.file("t.bz2"), contents: Data(cut))
        #expect(throws: SourceError.truncatedBzip2(dir.file("t.bz2"), offset: Int64(cut.count))) {
            try readAll(ParallelBzip2Source(path: dir.file("t.bz2"), threads: 2, unitBytes: 1))
        }
        // An index from another file: refused by name and offset.
        _ = FileManager.default.createFile(atPath: dir.file("ok.bz2"), contents: Data(bytes))
        #expect(throws: SourceError.badStreamIndex(dir.file("ok.bz2"), reason: "no bzip2 stream starts at byte \(offsets[3] + 1) of the dump")) {
            try readAll(ParallelBzip2Source(path: dir.file("ok.bz2"), threads: 2, index: [offsets[3] + 1]))
        }
    }

    @Test func aStreamCutShortBeforeTheNextIsNamed() throws {
        let parts = streams()
        let first = try bzip2(parts[1]), second = try bzip2(parts[2])
        let dir = TemporaryDirectory()
        let cut = Array(first.dropLast(8)) + second
        _ = FileManager.default.createFile(atPath: dir.file("c.bz2"), contents: Data(cut))
        #expect(throws: SourceError.bzip2StreamOverrun(dir.file("c.bz2"), start: 0, next: Int64(first.count - 8))) {
            try readAll(ParallelBzip2Source(path: dir.file("c.bz2"), threads: 2, index: [Int64(first.count - 8)], unitBytes: 1))
        }
    }

    @Test func aConsumerThatStopsEarlyReleasesTheThreads() throws {
        let (bytes, _) = try MultistreamDump.compress(streams())
        let dir = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("e.bz2"), contents: Data(bytes))
        for _ in 0..<20 {
            let source = try ParallelBzip2Source(path: dir.file("e.bz2"), threads: 4, unitBytes: 512, chunkBytes: 256, unitDepth: 1)
            var buffer = [UInt8](repeating: 0, count: 10)
            _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        }
    }

    @Test func wikimediaIndexLinesGiveDistinctOffsets() throws {
        let dir = TemporaryDirectory()
        let text = "597:10:Argentina\n597:11:Bolivia\n\n90211:1206:Perú: historia\n"
        _ = FileManager.default.createFile(atPath: dir.file("i.txt.bz2"), contents: Data(try bzip2(Array(text.utf8))))
        #expect(try StreamIndex.offsets(path: dir.file("i.txt.bz2")) == [597, 90211])
        _ = FileManager.default.createFile(atPath: dir.file("bad.txt"), contents: Data("597:1:A\n12:2:B\n".utf8))
        #expect(throws: SourceError.badStreamIndex(dir.file("bad.txt"), reason: "line 2: offset 12 after 597")) {
            try StreamIndex.offsets(path: dir.file("bad.txt"))
        }
        _ = FileManager.default.createFile(atPath: dir.file("worse.txt"), contents: Data("title only\n".utf8))
        #expect(throws: SourceError.badStreamIndex(dir.file("worse.txt"), reason: "line 1 is not offset:page_id:title")) {
            try StreamIndex.offsets(path: dir.file("worse.txt"))
        }
        #expect(StreamIndex.companion(of: "d/eswiki-20250101-pages-articles-multistream.xml.bz2")
                == "d/eswiki-20250101-pages-articles-multistream-index.txt.bz2")
        #expect(StreamIndex.companion(of: "d/eswiki-20250101-pages-articles.xml.bz2") == nil)
    }
}
