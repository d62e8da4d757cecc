import DataShards
import Foundation
import MiniPipeline
import MiniStore
import StageParameters
import Tokenizer

/// `minillm-vocab`: decides the train/val/test split and trains the tokenizer on the train
/// split. Outputs `tokenizer` (Hugging Face tokenizer.json), `vocabulary` (a listing for
/// people), `stats` (JSON, on the train and validation splits) and `split` (the split rule, which
/// the shard stage applies so that both stages agree by construction).
public struct VocabStage: Stage {
    public init() {}

    public let name = "vocab"
    public let version = 1
    public let summary = "Train the tokenizer (byte-level BPE or the original's word list) on the train split"
    public let inputs = [StageInput("corpus", from: "clean")]
    public let parameters = VocabSettings.specs

    /// The split fractions must leave the test split a share of at least 0.
    public func validate(_ parameters: Parameters) throws {
        let settings = try VocabSettings(parameters)
        let (train, validation) = (settings.trainFraction, settings.validationFraction)
        guard (try? DocumentSplit(trainFraction: train, validationFraction: validation)) != nil else {
            throw ParameterConflict("train_fraction \(train) + val_fraction \(validation) = \(String(format: "%g", train + validation)) is more than 1 "
                                    + "(the test split takes the rest)")
        }
    }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let settings = try VocabSettings(context.parameters)
        let split = try DocumentSplit(trainFraction: settings.trainFraction, validationFraction: settings.validationFraction)
        let kind = settings.kind
        let size = settings.vocabularySize
        let path = try context.inputPath("corpus")
        let threads = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        // Streamed twice, a batch at a time: word-type counts of the train split, then the
        // tokenizer's figures on the train and validation splits.
        var counts = Tokenizer.TrainingCounts(kind, threads: threads)
        var articles: [DocumentSplit.Part: Int] = [:]
        var trainBytes = 0
        try Corpus.stream(path: path) { documents in
            var train: [String] = []
            for document in documents {
                let part = split.part(title: document.title)
                articles[part, default: 0] += 1
                if part == .train {
                    train.append(document.text)
                    trainBytes += document.text.utf8.count
                }
            }
            counts.add(train)
        }
        guard articles[.train] ?? 0 > 0 else {
            throw PipelineError.stageFailed(stage: name, reason: "the train split is empty (\(articles.values.reduce(0, +)) articles in the corpus)")
        }
        context.log.info("training a \(kind.rawValue) vocabulary of \(size) on \(articles[.train] ?? 0) train articles "
            + "(\(trainBytes) bytes, \(counts.distinctPieces) distinct pieces"
            + (counts.prunedPieces > 0 ? ", \(counts.prunedPieces) of the rarest dropped past the cap)" : ")"))
        let started = Date()
        let tokenizer = try Tokenizer.train(counts, vocabularySize: size)
        context.log.info(String(format: "trained in %.2f s: %d tokens", Date().timeIntervalSince(started), tokenizer.vocabularySize))

        var trainStats = TokenizerStats(), validationStats = TokenizerStats()
        try Corpus.stream(path: path) { documents in
            func texts(_ part: DocumentSplit.Part) -> [String] { documents.filter { split.part(title: $0.title) == part }.map(\.text) }
            trainStats = trainStats + TokenizerStats.measure(tokenizer, on: texts(.train))
            validationStats = validationStats + TokenizerStats.measure(tokenizer, on: texts(.val))
        }
        try context.recordMetrics(step: 0, trainStats.figures.map { ("train_" + $0, $1) } + validationStats.figures.map { ("val_" + $0, $1) })
        context.log.info(String(format: "validation: %.3f bytes/token, %.3f tokens/word, [UNK] rate %.4f, coverage %.3f",
                                validationStats.bytesPerToken, validationStats.tokensPerWord, validationStats.unknownRate,
                                validationStats.coverage))
        let store = context.store
        return [
            "tokenizer": try store.put(tokenizer.huggingFaceJSON(), kind: "tokenizer", mediaType: "application/json"),
            "vocabulary": try store.put(Data(tokenizer.vocabularyListing().utf8), kind: "vocabulary",
                                        mediaType: "text/plain; charset=utf-8"),
            "stats": try store.put(Self.statsJSON(tokenizer, split: split, articles: articles, train: trainStats, validation: validationStats),
                                   kind: "tokenizer-stats", mediaType: "application/json"),
            "split": try store.put(split.artifactData(), kind: "split-rule", mediaType: "application/json"),
        ]
    }

    static func statsJSON(_ tokenizer: Tokenizer, split: DocumentSplit, articles: [DocumentSplit.Part: Int],
                          train: TokenizerStats, validation: TokenizerStats) -> Data {
        func figures(_ stats: TokenizerStats) -> [String: Any] { Dictionary(uniqueKeysWithValues: stats.figures) }
        let object: [String: Any] = [
            "kind": tokenizer.kind.rawValue,
            "vocabulary_size": tokenizer.vocabularySize,
            "articles": Dictionary(uniqueKeysWithValues: DocumentSplit.Part.allCases.map { ($0.rawValue, articles[$0] ?? 0) }),
            "train": figures(train),
            "val": figures(validation),
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) + Data("\n".utf8)
    }
}
