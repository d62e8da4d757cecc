import Foundation
import Testing
import TestSupport
import Tokenizer
@testable import DataShards

@Suite struct LoaderTests {
    static func withSampleShard<T>(_ body: (ShardReader) throws -> T) throws -> T {
        try TemporaryDirectory.with("minillm-shards") { directory in
            try Support.writeShard(Support.sampleContent(), to: directory + "/shard")
            return try body(try ShardReader(path: directory + "/shard"))
        }
    }

    @Test func batchesAreAFunctionOfSeedAndStep() throws {
        try Self.withSampleShard { reader in
            let sampler = try BatchSampler(tokens: reader, batchSize: 4, context: 16, seed: 7)
            let again = try BatchSampler(tokens: reader, batchSize: 4, context: 16, seed: 7)
            let other = try BatchSampler(tokens: reader, batchSize: 4, context: 16, seed: 8)
            #expect(sampler.batch(step: 5) == again.batch(step: 5))
            #expect(sampler.batch(step: 5) != sampler.batch(step: 6))
            #expect(sampler.batch(step: 5) != other.batch(step: 5))
        }
    }

    /// Pinned so that a change of generator or of the offset mapping, which would break
    /// resuming older runs exactly, is noticed (values checked with a Python SplitMix64).
    @Test func offsetsArePinned() throws {
        try TemporaryDirectory.with("minillm-shards") { directory in
            var content = ShardContent()
            content.append(document: (0..<9_998).map { TokenID(4 + $0 % 500) }, textBytes: 9_998)
            try Support.writeShard(content, to: directory + "/shard")
            let sampler = try BatchSampler(tokens: try ShardReader(path: directory + "/shard"), batchSize: 4, context: 16, seed: 7)
            #expect(sampler.offsets(step: 0) == [3892, 167, 8993, 5819])
            #expect(sampler.offsets(step: 123_456) == [7947, 8025, 3808, 6919])
        }
    }

    @Test func targetsAreTheNextTokens() throws {
        try Self.withSampleShard { reader in
            let sampler = try BatchSampler(tokens: reader, batchSize: 8, context: 32, seed: 1)
            for step in 0..<20 {
                let batch = sampler.batch(step: step)
                for (row, offset) in sampler.offsets(step: step).enumerated() {
                    #expect(offset >= 0 && offset + 32 < reader.count)
                    #expect(Array(batch.inputs[(row * 32)..<(row * 32 + 32)]) == reader.tokens(offset..<(offset + 32)))
                    #expect(Array(batch.targets[(row * 32)..<(row * 32 + 32)]) == reader.tokens((offset + 1)..<(offset + 33)))
                }
            }
        }
    }

    @Test func prefetchingGivesTheSameBatchesInOrder() throws {
        try Self.withSampleShard { reader in
            let sampler = try BatchSampler(tokens: reader, batchSize: 2, context: 8, seed: 3)
            let prefetcher = BatchPrefetcher(sampler, from: 40, depth: 3)
            for step in 40..<60 {
                let (got, batch) = prefetcher.next()
                #expect(got == step && batch == sampler.batch(step: step))
            }
            prefetcher.stop()
        }
    }

    /// Releasing a prefetcher that is still producing ends its thread (a hang fails by time limit).
    @Test(.timeLimit(.minutes(1))) func releasingAPrefetcherEndsItsThread() throws {
        try Self.withSampleShard { reader in
            let sampler = try BatchSampler(tokens: reader, batchSize: 2, context: 8, seed: 3)
            for depth in [1, 4] {
                do {
                    let prefetcher = BatchPrefetcher(sampler, from: 0, depth: depth)
                    #expect(prefetcher.next().step == 0)
                }
            }
        }
    }

    @Test func aSplitShorterThanOneRowIsRefused() throws {
        try TemporaryDirectory.with("minillm-shards") { directory in
            var content = ShardContent()
            content.append(document: [10, 11, 12], textBytes: 3)
            try Support.writeShard(content, to: directory + "/tiny")
            let reader = try ShardReader(path: directory + "/tiny")
            #expect(throws: ShardError.splitTooShort(part: directory + "/tiny", tokens: 5, needed: 9)) {
                try BatchSampler(tokens: reader, batchSize: 1, context: 8, seed: 0)
            }
        }
    }

    @Test func sequentialBatchesScoreEveryTokenOnceExceptDocumentStarts() throws {
        try Self.withSampleShard { reader in
            let batches = SequentialBatches(tokens: reader, batchSize: 3, context: 50)
            var inputs: [TokenID] = [], targets: [TokenID] = []
            for index in 0..<batches.count {
                inputs += batches.batch(index).inputs
                targets += batches.batch(index).targets
            }
            let all = reader.tokens(0..<reader.count)
            let scored = targets.filter { $0 != Batch.ignored }
            #expect(scored == all.dropFirst().filter { $0 != SpecialToken.bos.id })
            #expect(scored.count == reader.count - reader.header.documentCount)
            #expect(Array(inputs.prefix(reader.count - 1)) == Array(all.dropLast()))
            #expect(inputs.dropFirst(reader.count - 1).allSatisfy { $0 == SpecialToken.pad.id })
            #expect(batches.windowCount == (reader.count - 2) / 50 + 1)
        }
    }
}
