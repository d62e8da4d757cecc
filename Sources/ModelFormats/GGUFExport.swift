import Foundation
import MiniGPT
import Tokenizer

/// One GGUF file llama.cpp runs: the architecture's hyperparameters and tensors, and the
/// tokenizer as a GPT-2-style byte-level BPE (vocabulary, merges, token types, special ids).
public enum GGUFExport {
    /// llama.cpp knows pre-tokenizers by name, not by regex. minillm's split is GPT-2's without
    /// the English contractions, with combining marks kept in words and `¿`/`¡` opening one,
    /// so llama.cpp's own tokenizer agrees on most Spanish text but not all (README).
    static let preTokenizer = "gpt-2"

    public static func contents(model: MiniGPT, architecture: any ExportArchitecture, tokenizer: Tokenizer,
                                name: String) throws(ExportRefusal) -> Data {
        guard tokenizer.kind == .bpe else {
            throw ExportRefusal(reasons: ["tokenizer kind \(tokenizer.kind.rawValue) (GGUF needs the byte-level bpe)"])
        }
        let specials: [TokenID: Int32] = [SpecialToken.pad.id: 3, SpecialToken.unk.id: 2, SpecialToken.bos.id: 3,
                                          SpecialToken.eos.id: 3]
        var metadata: [(String, GGUFValue)] = [
            ("general.architecture", .string(architecture.name)), ("general.name", .string(name)),
            // 0: every tensor F32.
            ("general.file_type", .uint32(0)), ("general.alignment", .uint32(UInt32(GGUFFile.alignment))),
        ]
        metadata += architecture.ggufHyperparameters(model.config)
        metadata += [
            ("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string(preTokenizer)),
            ("tokenizer.ggml.tokens", .strings(tokenizer.vocabularyEntries)),
            // 1 normal, 2 unknown, 3 control.
            ("tokenizer.ggml.token_type", .int32s((0..<tokenizer.vocabularySize).map { specials[TokenID($0)] ?? 1 })),
            ("tokenizer.ggml.merges", .strings(tokenizer.mergeEntries.map { "\($0) \($1)" })),
            ("tokenizer.ggml.bos_token_id", .uint32(UInt32(SpecialToken.bos.id))),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(SpecialToken.eos.id))),
            ("tokenizer.ggml.unknown_token_id", .uint32(UInt32(SpecialToken.unk.id))),
            ("tokenizer.ggml.padding_token_id", .uint32(UInt32(SpecialToken.pad.id))),
            ("tokenizer.ggml.add_bos_token", .bool(true)), ("tokenizer.ggml.add_eos_token", .bool(false)),
        ]
        return GGUFFile.encode(metadata: metadata, tensors: architecture.ggufTensors(model))
    }
}
