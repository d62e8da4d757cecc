import DataShards
import Foundation
import MiniStore
import Tokenizer

/// Times minillm's tokenizer and sharding on a corpus; `pipeline/scripts/bench-tokenizer.sh`
/// runs it beside the Hugging Face and tiktoken references and prints the comparison. Each
/// command prints `name value` lines (seconds, bytes) on stdout.
///
///     minillm-bench-tokenizer train CORPUS.jsonl VOCAB OUT.json   BPE training on every article
///     minillm-bench-tokenizer encode TOKENIZER.json CORPUS.jsonl  encoding, 1 and 2 threads, cold cache;
///                                                                  then checks decode(encode(x)) == x
///     minillm-bench-tokenizer shard TOKENIZER.json CORPUS.jsonl   read + split + encode + write shards
///     minillm-bench-tokenizer stats bpe|word VOCAB CORPUS.jsonl   train on the 70 % train split, measure on val
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ name: String, _ value: Double) { print("\(name) \(value)") }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("minillm-bench-tokenizer: \(message)\n".utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else { fail("usage: minillm-bench-tokenizer train|encode|shard …") }
do {
    switch arguments[1] {
    case "train":
        guard arguments.count == 5, let size = Int(arguments[3]) else { fail("usage: train CORPUS.jsonl VOCAB OUT.json") }
        let texts = try Corpus.read(path: arguments[2]).map(\.text)
        var tokenizer: Tokenizer?
        report("train_seconds", try seconds { tokenizer = try Tokenizer.train(.bpe, documents: texts, vocabularySize: size) })
        try tokenizer!.huggingFaceJSON().write(to: URL(fileURLWithPath: arguments[4]))
    case "encode":
        let tokenizer = try Tokenizer(huggingFaceJSON: try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
        let texts = try Corpus.read(path: arguments[3]).map(\.text)
        report("text_bytes", Double(texts.reduce(0) { $0 + $1.utf8.count }))
        var tokens = 0
        report("encode_1_thread_seconds", seconds {
            let encoder = tokenizer.makeEncoder()
            tokens = texts.reduce(0) { $0 + encoder.encode($1).count }
        })
        report("tokens", Double(tokens))
        var encoded: [[TokenID]] = []
        report("encode_2_threads_seconds", seconds { encoded = tokenizer.encode(texts, threads: 2) })
        let mismatches = try zip(texts, encoded).filter { text, ids in try tokenizer.decode(ids) != text }.count
        report("roundtrip_mismatches", Double(mismatches))
    case "shard":
        let json = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", directory]).waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let store = try Store(at: directory)
        var bytes = 0
        report("shard_seconds", try seconds {
            let documents = try Corpus.read(path: arguments[3])
            bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
            let tokenizer = try Tokenizer(huggingFaceJSON: json)
            try ShardSet.build(documents: documents, tokenizer: tokenizer, tokenizerHash: ArtifactHash.of(json),
                               split: try DocumentSplit(), store: store)
        })
        report("text_bytes", Double(bytes))
    case "stats":
        guard arguments.count == 5, let kind = Tokenizer.Kind(rawValue: arguments[2]), let size = Int(arguments[3]) else {
            fail("usage: stats bpe|word VOCAB CORPUS.jsonl")
        }
        let split = try DocumentSplit()
        let documents = try Corpus.read(path: arguments[4])
        let train = documents.filter { split.part(title: $0.title) == .train }.map(\.text)
        var tokenizer: Tokenizer?
        report("train_seconds", try seconds { tokenizer = try Tokenizer.train(kind, documents: train, vocabularySize: size) })
        let stats = TokenizerStats.measure(tokenizer!, on: documents.filter { split.part(title: $0.title) == .val }.map(\.text))
        for (name, value) in stats.figures { report("val_" + name, value) }
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
