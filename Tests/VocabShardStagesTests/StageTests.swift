import DataShards
import Foundation
import MiniPipeline
import MiniStore
import PipelineTestSupport
import Testing
import TestSupport
import Tokenizer
@testable import VocabShardStages

extension StageProject {
    /// The clean stage's `corpus` output is a JSON Lines file imported as is.
    static let corpusFile = StandInStage(
        "clean", summary: "a corpus file as the clean corpus",
        parameters: [.string("corpus_file", default: "", "JSON Lines corpus")],
        files: { ["source": try $0.string("corpus_file")] }) { ["corpus": $0.inputs["source"]!] }
    static let vocabRegistry = StageRegistry([corpusFile, VocabStage(), ShardStage()])

    /// clean (the committed articles) → vocab → shard; `stages` is appended to the stages object.
    static func vocab(_ stages: String = "") throws -> StageProject {
        try StageProject("minillm-vocab", registry: vocabRegistry,
                         pipeline: #"{"stages": {"clean": {"corpus_file": "\#(Repo.articles)"}\#(stages)}}"#)
    }
}

@Suite struct StageTests {
    @Test func cleanVocabShardRunsAndRerunsFresh() throws {
        let project = try StageProject.vocab(#", "vocab": {"bpe_vocab_size": 600}"#)
        let first = try project.build()
        #expect(first["vocab"]!.outcome == .built && first["shard"]!.outcome == .built)
        let vocab = first["vocab"]!.outputs
        #expect(Set(vocab.keys) == ["tokenizer", "vocabulary", "stats", "split"])
        let tokenizer = try Tokenizer(huggingFaceJSON: try project.store.data(vocab["tokenizer"]!))
        #expect(tokenizer.kind == .bpe && tokenizer.vocabularySize == 600)
        let listing = String(decoding: try project.store.data(vocab["vocabulary"]!), as: UTF8.self)
        #expect(listing.contains("\n2\t[BOS]\n") && listing.contains("\n36\t\"\\x20\"") == false && listing.contains("\n36\t\" \"\n"))
        let stats = try JSONSerialization.jsonObject(with: try project.store.data(vocab["stats"]!)) as! [String: Any]
        #expect((stats["val"] as! [String: Double])["unk_rate"] == 0)
        #expect((stats["articles"] as! [String: Int]).values.reduce(0, +) == 50)

        let manifestHash = first["shard"]!.outputs["shards"]!
        let members = try project.store.catalogue.members(of: manifestHash)
        #expect(Set(members.map(\.role)) == ["train", "val", "test"])
        let set = try ShardSet(store: project.store, manifest: manifestHash)
        #expect(set.manifest.tokenizer == vocab["tokenizer"]!)
        #expect(DocumentSplit.Part.allCases.reduce(0) { $0 + set.manifest.parts[$1.rawValue]!.documents } == 50)
        #expect(members.first { $0.role == "train" }!.hash == set.manifest.parts["train"]!.shard)

        let second = try project.build()
        #expect(second["vocab"]!.outcome == .fresh && second["shard"]!.outcome == .fresh)
    }

    /// The tokenizer is exactly the one trained on the train split's articles, and another
    /// store given the same inputs produces the same bytes.
    @Test func vocabularyIsTrainedOnTheTrainSplitOnlyAndDeterministically() throws {
        let settings = #", "vocab": {"bpe_vocab_size": 400, "train_fraction": 0.5, "val_fraction": 0.25}"#
        let one = try StageProject.vocab(settings), two = try StageProject.vocab(settings)
        let a = try one.build(), b = try two.build()
        #expect(a["vocab"]!.outputs == b["vocab"]!.outputs && a["shard"]!.outputs == b["shard"]!.outputs)

        let articles = try Corpus.read(path: Repo.articles)
        let split = try DocumentSplit(trainFraction: 0.5, validationFraction: 0.25)
        let train = articles.filter { split.part(title: $0.title) == .train }.map(\.text)
        #expect(train.count > 10 && train.count < 40)
        let expected = try Tokenizer.train(.bpe, documents: train, vocabularySize: 400).huggingFaceJSON()
        let everything = try Tokenizer.train(.bpe, documents: articles.map(\.text), vocabularySize: 400).huggingFaceJSON()
        let produced = try one.store.data(a["vocab"]!.outputs["tokenizer"]!)
        #expect(produced == expected && produced != everything)
        #expect(try JSONDecoder().decode(DocumentSplit.self, from: try one.store.data(a["vocab"]!.outputs["split"]!)) == split)
    }

    @Test func theWordKindReproducesTheOriginal() throws {
        let project = try StageProject.vocab(#", "vocab": {"kind": "word", "word_vocab_size": 300}"#)
        let outputs = try project.build()
        let tokenizer = try Tokenizer(huggingFaceJSON: try project.store.data(outputs["vocab"]!.outputs["tokenizer"]!))
        #expect(tokenizer.kind == .word && tokenizer.vocabularySize == 300)
        let set = try ShardSet(store: project.store, manifest: outputs["shard"]!.outputs["shards"]!)
        let validation = set.tokens(.val)
        let unknown = validation.tokens(0..<validation.count).filter { $0 == SpecialToken.unk.id }.count
        #expect(unknown > 0, "a 300-word vocabulary leaves unknown words in held-out text")
        let stats = try JSONSerialization.jsonObject(with: try project.store.data(outputs["vocab"]!.outputs["stats"]!)) as! [String: Any]
        #expect((stats["val"] as! [String: Double])["unk_rate"]! > 0.1)
    }
}
