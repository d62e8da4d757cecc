import Foundation
import MiniGPT
import Tokenizer

/// A model directory that `transformers.AutoModelForCausalLM.from_pretrained(DIR)` and
/// `AutoTokenizer.from_pretrained(DIR)` load with no custom code, as the standard architecture
/// the model is. Its tokenizer encodes text alone, as GPT-2's does: minillm's documents start with
/// `[BOS]`, so put it first (`tokenizer("[BOS]" + text)`); lm-evaluation-harness does so itself.
public enum HuggingFaceDirectory {
    /// The files, by name, in the order they are written.
    public static func contents(model: MiniGPT, architecture: any ExportArchitecture, tokenizer: Tokenizer,
                                metadata: [String: String]) -> [(name: String, data: Data)] {
        let c = model.config
        var config = architecture.huggingFaceConfig(c)
        let specials: [String: JSONValue] = ["bos_token_id": .int(Int(SpecialToken.bos.id)),
                                             "eos_token_id": .int(Int(SpecialToken.eos.id)),
                                             "pad_token_id": .int(Int(SpecialToken.pad.id))]
        config.merge(specials) { _, special in special }
        let names: [String: JSONValue] = ["bos_token": .string(SpecialToken.bos.text), "eos_token": .string(SpecialToken.eos.text),
                                          "pad_token": .string(SpecialToken.pad.text), "unk_token": .string(SpecialToken.unk.text)]
        let tokenizerConfig = names.merging([
            "tokenizer_class": .string("PreTrainedTokenizerFast"), "model_max_length": .int(c.contextLength),
            "clean_up_tokenization_spaces": .bool(false),
        ]) { a, _ in a }
        return [
            ("config.json", JSONValue.object(config)),
            ("generation_config.json", JSONValue.object(specials)),
            ("model.safetensors", safetensors(architecture.huggingFaceTensors(model), metadata: metadata.merging(["format": "pt"]) { a, _ in a })),
            ("tokenizer.json", tokenizer.huggingFaceJSON()),
            ("tokenizer_config.json", JSONValue.object(tokenizerConfig)),
            ("special_tokens_map.json", JSONValue.object(names)),
        ]
    }

    static func safetensors(_ tensors: [ExportTensor], metadata: [String: String]) -> Data {
        let all = tensors.flatMap(\.values)
        return all.withUnsafeBufferPointer { values in
            var offset = 0
            let views = tensors.map { tensor in
                defer { offset += tensor.values.count }
                return (name: tensor.name, shape: tensor.shape,
                        values: UnsafeBufferPointer(rebasing: values[offset..<offset + tensor.values.count]))
            }
            return Safetensors.encode(tensors: views, metadata: metadata)
        }
    }
}
