import Foundation
import MiniGPT
import ModelFormats
import Testing
import Tokenizer

/// The GGUF bytes read back by an independent reader written from ggml's docs/gguf.md.
@Suite("GGUF v3") struct GGUFFileTests {
    struct Reader {
        let bytes: [UInt8]
        var at = 0
        mutating func int<T: FixedWidthInteger>(_: T.Type) -> T {
            defer { at += MemoryLayout<T>.size }
            return (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(bytes[at + $1]) << (8 * $1) }
        }
        mutating func string() -> String {
            let count = Int(int(UInt64.self))
            defer { at += count }
            return String(decoding: bytes[at..<at + count], as: UTF8.self)
        }
        /// A value of `type` as text, arrays as their length and first element.
        mutating func value(_ type: UInt32) -> String {
            switch type {
            case 4: return "\(int(UInt32.self))"
            case 5: return "\(int(Int32.self))"
            case 6: return "\(Float(bitPattern: int(UInt32.self)))"
            case 7: return int(UInt8.self) == 1 ? "true" : "false"
            case 8: return string()
            case 9:
                let element = int(UInt32.self), count = int(UInt64.self)
                let values = (0..<count).map { _ in value(element) }
                return "\(count):\(values.first ?? "")"
            default: Issue.record("type \(type)"); return ""
            }
        }
    }

    @Test func headerMetadataTensorInfosAndAlignedData() throws {
        let tensors = [ExportTensor(name: "a.weight", shape: [3, 2], values: [1, 2, 3, 4, 5, 6]),
                       ExportTensor(name: "b", shape: [5], values: [7, 8, 9, 10, 11])]
        let data = GGUFFile.encode(metadata: [("general.architecture", .string("gpt2")), ("x.count", .uint32(12)),
                                              ("x.eps", .float32(1e-5)), ("x.flag", .bool(true)),
                                              ("x.tokens", .strings(["[PAD]", "Ġa"])), ("x.types", .int32s([3, 1, -1]))],
                                   tensors: tensors)
        var r = Reader(bytes: Array(data))
        #expect(r.int(UInt32.self) == 0x4655_4747, "magic GGUF")
        #expect(r.int(UInt32.self) == 3)
        #expect(r.int(UInt64.self) == 2 && r.int(UInt64.self) == 6)
        var metadata: [String: String] = [:]
        for _ in 0..<6 {
            let key = r.string()
            metadata[key] = r.value(r.int(UInt32.self))
        }
        #expect(metadata == ["general.architecture": "gpt2", "x.count": "12", "x.eps": "1e-05", "x.flag": "true",
                             "x.tokens": "2:[PAD]", "x.types": "3:3"])
        var infos: [(String, [UInt64], UInt32, UInt64)] = []
        for _ in 0..<2 {
            let name = r.string()
            let dimensions = (0..<r.int(UInt32.self)).map { _ in r.int(UInt64.self) }
            infos.append((name, dimensions, r.int(UInt32.self), r.int(UInt64.self)))
        }
        #expect(infos[0].0 == "a.weight" && infos[0].1 == [2, 3] && infos[0].2 == 0 && infos[0].3 == 0, "innermost dimension first, F32")
        #expect(infos[1].0 == "b" && infos[1].1 == [5] && infos[1].3 == 32, "the next tensor starts at the alignment")
        let start = (r.at + 31) / 32 * 32
        #expect(data.count == start + 64)
        func floats(_ offset: Int, _ count: Int) -> [Float] {
            (0..<count).map { i in
                var p = Reader(bytes: Array(data), at: start + offset + 4 * i)
                return Float(bitPattern: p.int(UInt32.self))
            }
        }
        #expect(floats(0, 6) == [1, 2, 3, 4, 5, 6] && floats(32, 5) == [7, 8, 9, 10, 11])
    }

    @Test func theModelFileCarriesTheTokenizerAndRefusesTheWordKind() throws {
        let config = ModelFormatsTests.config()
        let model = try MiniGPT(config: config, maxBatch: 1, seed: 3)
        let bpe = try Tokenizer.train(.bpe, documents: ["el gato y el perro y el gato"], vocabularySize: 262)
        let data = try GGUFExport.contents(model: MiniGPT(config: MiniGPTConfig(
            vocabSize: 262, width: 16, layers: 2, heads: 2, contextLength: 8, gelu: .tanh, positions: .learned), maxBatch: 1, seed: 3),
            architecture: GPT2Architecture(), tokenizer: bpe, name: "t")
        let text = String(decoding: data.prefix(20_000), as: UTF8.self)
        for key in ["tokenizer.ggml.merges", "tokenizer.ggml.pre", "gpt-2", "gpt2.attention.layer_norm_epsilon", "blk.1.ffn_down.weight"] {
            #expect(text.contains(key), "\(key)")
        }
        #expect(bpe.mergeEntries.count == 2 && bpe.vocabularyEntries[260] == bpe.mergeEntries[0].0 + bpe.mergeEntries[0].1)
        let word = try Tokenizer.train(.word, documents: ["uno dos"], vocabularySize: 6)
        #expect(throws: ExportRefusal.self) {
            try GGUFExport.contents(model: model, architecture: GPT2Architecture(), tokenizer: word, name: "w")
        }
    }
}
