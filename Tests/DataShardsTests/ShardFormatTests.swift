import Foundation
import MiniStore
import Testing
import TestSupport
import Tokenizer
@testable import DataShards

@Suite struct ShardFormatTests {
    @Test(arguments: [2, 4])
    func aShardReadsBackExactly(width: Int) throws {
        try TemporaryDirectory.with("minillm-shards") { directory in
            let content = Support.sampleContent()
            let path = directory + "/shard"
            try Support.writeShard(content, width: width, to: path)
            let reader = try ShardReader(path: path, expectedTokenizer: Support.tokenizerHash)
            #expect(reader.header.tokenWidth == width)
            #expect(reader.header.documentCount == Support.articles.count)
            #expect(reader.header.textBytes == Support.articles.reduce(0) { $0 + $1.text.utf8.count })
            #expect(reader.count == content.tokens.count)
            #expect(reader.tokens(0..<reader.count) == content.tokens)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == ShardHeader.size + content.tokens.count * width)
            let ranges = reader.documentRanges()
            #expect(ranges.count == Support.articles.count)
            for (range, article) in zip(ranges, Support.articles) {
                #expect(reader[range.lowerBound] == SpecialToken.bos.id && reader[range.upperBound - 1] == SpecialToken.eos.id)
                #expect(try Support.tokenizer.decode(reader.tokens(range)) == article.text)
            }
        }
    }

    @Test func anEmptyShardIsValid() throws {
        try TemporaryDirectory.with("minillm-shards") { directory in
            try Support.writeShard(ShardContent(), to: directory + "/empty")
            let reader = try ShardReader(path: directory + "/empty")
            #expect(reader.count == 0 && reader.documentRanges().isEmpty)
        }
    }

    /// Damage a valid shard in one way and expect it refused with the matching reason.
    static func damaged(_ damage: (inout [UInt8]) -> Void) throws -> ShardError? {
        try TemporaryDirectory.with("minillm-shards") { directory in
            let path = directory + "/shard"
            var content = ShardContent()
            content.append(document: [10, 11, 12, 13], textBytes: 4)
            try Support.writeShard(content, to: path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            damage(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try ShardReader(path: path, expectedTokenizer: Support.tokenizerHash)
                return nil
            } catch let error as ShardError {
                #expect(error.description.hasPrefix(path), "the message names the file: \(error)")
                return error
            }
        }
    }

    @Test func corruptOrTruncatedShardsAreRefused() throws {
        func reason(_ error: ShardError?) -> String { error.map { "\($0)".components(separatedBy: ": ").dropFirst().joined(separator: ": ") } ?? "accepted" }
        #expect(try Self.damaged { _ in } == nil)
        #expect(reason(try Self.damaged { $0[ShardHeader.size + 3] ^= 1 }).contains("checksum does not match"))
        #expect(reason(try Self.damaged { $0[45] ^= 1 }).contains("made with tokenizer"))
        #expect(reason(try Self.damaged { $0[104] = 1 }).contains("checksum does not match"))
        #expect(reason(try Self.damaged { $0.removeLast() }) == "file is 139 bytes but its header describes 140 (truncated or overwritten)")
        #expect(reason(try Self.damaged { $0 += [0, 0] }).contains("file is 142 bytes"))
        #expect(reason(try Self.damaged { $0[16] = 7 }).contains("header describes 142"))
        #expect(reason(try Self.damaged { $0.removeLast($0.count - 20) }).contains("file is 20 bytes"))
        #expect(reason(try Self.damaged { $0[0] = UInt8(ascii: "X") }).contains("not a minillm token shard (magic XLLMSHRD)"))
        #expect(reason(try Self.damaged { $0[8] = 2 }).contains("format version 2 is not supported"))
        #expect(reason(try Self.damaged { $0[12] = 3 }).contains("token width 3 bytes"))
    }
}
