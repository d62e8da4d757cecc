import Foundation
import MiniStore
import Testing
import TestSupport
import Tokenizer
@testable import DataShards

@Suite struct SplitTests {
    @Test func theRuleIsPinned() {
        // SHA-256 of the NFC title, first 8 bytes big-endian, mod 10,000 (checked with Python's hashlib).
        #expect(DocumentSplit.bucket(title: "Andorra") == 9110)
        #expect(DocumentSplit.bucket(title: "Ateísmo") == 4669)
        #expect(DocumentSplit.bucket(title: "Ate\u{0131}smo") != 4669)
        #expect(DocumentSplit.bucket(title: "Ñandú") == 4898)
        #expect(DocumentSplit.bucket(title: "N\u{303}andu\u{301}") == 4898)
    }

    @Test func fractionsAreRoughlyRespected() throws {
        let split = try DocumentSplit()
        var counts: [DocumentSplit.Part: Int] = [:]
        for i in 0..<20_000 { counts[split.part(title: "Artículo \(i)"), default: 0] += 1 }
        #expect(abs(counts[.train]! - 14_000) < 400)
        #expect(abs(counts[.val]! - 3_000) < 250)
        #expect(abs(counts[.test]! - 3_000) < 250)
    }

    @Test func badFractionsAreRefused() {
        #expect(throws: ShardError.badSplit(train: 0.9, validation: 0.2)) { try DocumentSplit(trainFraction: 0.9, validationFraction: 0.2) }
        #expect(throws: ShardError.badSplit(train: 0, validation: 0.5)) { try DocumentSplit(trainFraction: 0, validationFraction: 0.5) }
    }

    @Test func theArtifactFormRoundTripsAndUnknownRulesAreRefused() throws {
        let split = try DocumentSplit(trainFraction: 0.8, validationFraction: 0.1)
        #expect(try JSONDecoder().decode(DocumentSplit.self, from: split.artifactData()) == split)
        let other = Data(#"{"buckets":100,"scheme":"md5","trainBuckets":70,"validationBuckets":15}"#.utf8)
        #expect(throws: ShardError.unknownSplitScheme("md5 over 100 buckets")) { try JSONDecoder().decode(DocumentSplit.self, from: other) }
    }

    /// Build the shards of the sample, then of the sample with articles added: every article
    /// is in exactly one split, and the added ones moved none of the others.
    @Test func noArticleIsInTwoSplitsAndAddingArticlesMovesNone() throws {
        try TemporaryDirectory.with("minillm-shards") { directory in
            let store = try Store(at: directory)
            let split = try DocumentSplit()
            let original = Support.articles
            let extra = (0..<30).map { CorpusDocument(title: "Añadido \($0)", text: "Texto añadido número \($0).") }
            func titlesBySplit(_ documents: [CorpusDocument]) throws -> [DocumentSplit.Part: [String]] {
                let hash = try ShardSet.build(documents: documents, tokenizer: Support.tokenizer,
                                              tokenizerHash: Support.tokenizerHash, split: split, store: store)
                let set = try ShardSet(store: store, manifest: hash)
                let byText = Dictionary(uniqueKeysWithValues: documents.map { ($0.text, $0.title) })
                var result: [DocumentSplit.Part: [String]] = [:]
                for part in DocumentSplit.Part.allCases {
                    let reader = set.tokens(part)
                    result[part] = try reader.documentRanges().map { byText[try Support.tokenizer.decode(reader.tokens($0))]! }
                    #expect(result[part]!.count == set.manifest.parts[part.rawValue]!.documents)
                }
                return result
            }
            let before = try titlesBySplit(original)
            let after = try titlesBySplit(extra.prefix(15) + original + extra.suffix(15))
            let all = DocumentSplit.Part.allCases.flatMap { before[$0]! }
            #expect(all.count == original.count && Set(all).count == original.count)
            #expect(Set(DocumentSplit.Part.allCases.flatMap { after[$0]! }).count == original.count + extra.count)
            for part in DocumentSplit.Part.allCases {
                #expect(before[part]!.allSatisfy { split.part(title: $0) == part })
                #expect(Set(before[part]!).isSubset(of: Set(after[part]!)), "an article left \(part)")
                #expect(!before[part]!.isEmpty)
            }
        }
    }
}
