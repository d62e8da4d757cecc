import CorpusFormat
import Foundation
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

@Suite struct Bzip2Tests {
    func readAll(_ source: ByteSource) throws -> [UInt8] {
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 777)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    @Test func multistreamFilesDecodeAsOneStream() throws {
        let a = Array("primera parte\n".utf8), b = Array(String(repeating: "segunda ", count: 10_000).utf8)
        let joined = try bzip2(a) + bzip2(b)
        let dir = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("x.bz2"), contents: Data(joined))
        #expect(try readAll(Input.open(dir.file("x.bz2"))) == a + b)
        #expect(try readAll(Input.open(dir.file("x.bz2"), readAhead: true)) == a + b)
    }

    @Test func truncatedDataIsReportedNotSilentlyShort() throws {
        let whole = try bzip2(Array(String(repeating: "datos ", count: 50_000).utf8))
        let dir = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("cut.bz2"), contents: Data(whole.prefix(whole.count / 2)))
        #expect { try readAll(Input.open(dir.file("cut.bz2"))) } throws: { error in
            guard case SourceError.truncatedBzip2 = error else { return false }
            return true
        }
        #expect { try readAll(Input.open(dir.file("cut.bz2"), readAhead: true)) } throws: { error in
            guard case SourceError.truncatedBzip2 = error else { return false }
            return true
        }
    }

    @Test func garbageAfterAStreamIsAnError() throws {
        let dir = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("g.bz2"), contents: Data(try bzip2([1, 2, 3]) + [0x3C, 0x68]))
        #expect { try readAll(Input.open(dir.file("g.bz2"))) } throws: { error in
            guard case SourceError.corruptBzip2 = error else { return false }
            return true
        }
    }
}
