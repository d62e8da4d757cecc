import Digests
import Foundation
import Testing

@Suite struct DigesterTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func knownVectors() {
        #expect(Self.hex(Digester.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(Digester.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(Digester.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex(Digester.sha1(Data())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func chunksGiveTheOneShotDigest() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        var digester = Digester(.sha256)
        for start in stride(from: 0, to: bytes.count, by: 7_777) {
            digester.update(data: bytes[start..<min(start + 7_777, bytes.count)])
        }
        #expect(digester.finalize() == Digester.sha256(bytes))
    }

    @Test func finalizeLeavesTheDigesterUsableAndCopiesAreIndependent() {
        var first = Digester(.sha256)
        first.update(data: Array("ab".utf8))
        _ = first.finalize()
        let snapshot = first
        first.update(data: Array("c".utf8))
        #expect(first.finalize() == Digester.sha256(Array("abc".utf8)))
        #expect(snapshot.finalize() == Digester.sha256(Array("ab".utf8)))
        var second = snapshot
        second.update(data: Array("x".utf8))
        #expect(second.finalize() == Digester.sha256(Array("abx".utf8)))
        #expect(snapshot.finalize() == Digester.sha256(Array("ab".utf8)))
    }
}
