import DataShards
import Foundation
import Tokenizer

/// Times minillm's tokenizer and sharding on a corpus; `pipeline/scripts/bench-tokenizer.sh`
/// runs it beside the Hugging Face and tiktoken references and prints the comparison.
///
///     minillm-bench-tokenizer train CORPUS.jsonl VOCAB OUT.json     BPE training on every article
///     minillm-bench-tokenizer encode TOKENIZER.json CORPUS.jsonl    encoding throughput, 1 and 2 threads
///     minillm-bench-tokenizer shard TOKENIZER.json CORPUS.jsonl     split + encode + shard bytes, end to end
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: minillm-bench-tokenizer train|encode|shard …\n".utf8))
    exit(2)
}
switch arguments[1] {
case "train":
    let texts = try Corpus.read(path: arguments[2]).map(\.text)
    var tokenizer: Tokenizer?
    let elapsed = try seconds { tokenizer = try Tokenizer.train(.bpe, documents: texts, vocabularySize: Int(arguments[3])!) }
    try tokenizer!.huggingFaceJSON().write(to: URL(fileURLWithPath: arguments[4]))
    print(String(format: "train_seconds %.3f", elapsed))
default:
    FileHandle.standardError.write(Data("unknown command \(arguments[1])\n".utf8))
    exit(2)
}
