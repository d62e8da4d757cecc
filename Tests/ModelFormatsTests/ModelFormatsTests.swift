import Foundation
import MiniGPT
import ModelFormats
import TensorKernels
import Testing
import Tokenizer

@Suite("Standard architectures and their files") struct ModelFormatsTests {
    static func config(positions: MiniGPTConfig.Positions = .learned, gelu: GELU.Kind = .tanh, tied: Bool = false) -> MiniGPTConfig {
        MiniGPTConfig(vocabSize: 300, width: 16, layers: 2, heads: 2, contextLength: 8, gelu: gelu, positions: positions,
                      tieWeights: tied)
    }

    static func llama(qkNorm: Bool = false, bias: Bool = false, norm: MiniGPTConfig.Norm = .rms, tied: Bool = false) -> MiniGPTConfig {
        MiniGPTConfig(vocabSize: 300, width: 16, layers: 2, heads: 2, contextLength: 8, positions: .rope, tieWeights: tied,
                      norm: norm, mlp: .swiglu, hiddenWidth: 24, qkNorm: qkNorm, bias: bias, ropeTheta: 500)
    }

    @Test func aModelThatIsNoStandardArchitectureIsRefusedNamingTheOption() throws {
        #expect(throws: ExportRefusal(reasons: ["positions sinusoidal (gpt2 needs learned)", "positions sinusoidal (llama needs rope)",
                                                "positions sinusoidal (qwen3 needs rope)"])) {
            try StandardArchitectures.matching(Self.config(positions: .sinusoidal))
        }
        #expect(throws: ExportRefusal(reasons: ["gelu erf (gpt2 needs tanh)", "positions learned (llama needs rope)",
                                                "positions learned (qwen3 needs rope)"])) {
            try StandardArchitectures.matching(Self.config(gelu: .erf))
        }
        #expect(throws: ExportRefusal(reasons: ["positions rope (gpt2 needs learned)", "bias true (llama has no biases)",
                                                "bias true (qwen3 has no biases)"])) {
            try StandardArchitectures.matching(Self.llama(bias: true))
        }
        #expect(throws: ExportRefusal(reasons: ["positions rope (gpt2 needs learned)", "norm layer (llama needs rms)",
                                                "norm layer (qwen3 needs rms)"])) {
            try StandardArchitectures.matching(Self.llama(norm: .layer))
        }
        var scaledTied = Self.llama(qkNorm: true, tied: true)
        scaledTied.embeddingScale = 4
        #expect(throws: ExportRefusal(reasons: ["positions rope (gpt2 needs learned)", "qk_norm true (llama needs false)",
                                                "embedding_scale 4.0 with tie_weights (qwen3 has no embedding multiplier; untied, it folds in)"])) {
            try StandardArchitectures.matching(scaledTied)
        }
        var bigram = Self.llama(qkNorm: true)
        bigram.bigramBuckets = 64
        #expect(throws: ExportRefusal(reasons: ["positions rope (gpt2 needs learned)", "qk_norm true (llama needs false)",
                                                "bigram_buckets 64 (qwen3 has no hashed bigram embedding)"])) {
            try StandardArchitectures.matching(bigram)
        }
        let refusal = ExportRefusal(reasons: ["positions sinusoidal (gpt2 needs learned)", "positions sinusoidal (llama needs rope)"])
        #expect(refusal.description == "the model fits no standard architecture: positions sinusoidal (gpt2 needs learned); "
                + "positions sinusoidal (llama needs rope); use --format minillm")
        #expect(try StandardArchitectures.matching(Self.config()).name == "gpt2")
        #expect(try StandardArchitectures.matching(Self.llama()).name == "llama")
        #expect(try StandardArchitectures.matching(Self.llama(qkNorm: true)).name == "qwen3")
    }

    /// q|k|v and gate|up are split into their rows; llama.cpp's `llama` gets each head's q and k
    /// rows in adjacent rotary pairs (row 2i ← i, 2i + 1 ← i + hw/2); `qwen3` keeps them.
    @Test func llamaFamilySplitsTheFusedMatricesAndPairsRotaryRowsForLlamaCpp() throws {
        let model = try MiniGPT(config: Self.llama(qkNorm: true), maxBatch: 1, seed: 5)
        let qkv = Self.values(model, "blocks.1.attn.qkv.weight"), fc = Self.values(model, "blocks.0.mlp.fc.weight")
        let hf = Dictionary(uniqueKeysWithValues: LlamaArchitecture(qkNorm: true).huggingFaceTensors(model).map { ($0.name, $0) })
        let expected = 1 + 2 * 11 + 1 + 1  // embeddings; 2 norms, q, k, v, o, 2 QK-norms, gate, up, down; final norm; head
        #expect(hf.count == expected)
        #expect(hf["model.layers.1.self_attn.k_proj.weight"]?.values == Array(qkv[(16 * 16)..<(32 * 16)]))
        #expect(hf["model.layers.1.self_attn.v_proj.weight"]?.shape == [16, 16])
        #expect(hf["model.layers.0.mlp.up_proj.weight"]?.values == Array(fc[(24 * 16)..<(48 * 16)]))
        #expect(hf["model.layers.0.mlp.down_proj.weight"]?.shape == [16, 24])
        #expect(hf["model.layers.0.self_attn.q_norm.weight"]?.values == Self.values(model, "blocks.0.attn.q_norm.weight"))
        var scaled = Self.llama(qkNorm: true)
        scaled.embeddingScale = 4
        let scaledModel = try MiniGPT(config: scaled, maxBatch: 1, seed: 5)
        #expect(LlamaArchitecture(qkNorm: true).huggingFaceTensors(scaledModel).first?.values
                == Self.values(scaledModel, "tok_emb.weight").map { 4 * $0 }, "the embedding scale is folded into the table")
        let qwen = Dictionary(uniqueKeysWithValues: LlamaArchitecture(qkNorm: true).ggufTensors(model).map { ($0.name, $0) })
        #expect(qwen["blk.1.attn_q.weight"]?.values == Array(qkv[0..<(16 * 16)]) && qwen["blk.0.attn_k_norm.weight"] != nil)
        let plain = try MiniGPT(config: Self.llama(tied: true), maxBatch: 1, seed: 5)
        let q = Self.values(plain, "blocks.0.attn.qkv.weight")
        let llama = try #require(LlamaArchitecture(qkNorm: false).ggufTensors(plain).first { $0.name == "blk.0.attn_q.weight" })
        for (head, i, s) in [(0, 0, 0), (0, 0, 1), (1, 3, 1), (1, 2, 0)] {
            let to = (head * 8 + 2 * i + s) * 16, from = (head * 8 + s * 4 + i) * 16
            #expect(Array(llama.values[to..<to + 16]) == Array(q[from..<from + 16]), "head \(head) pair \(i) half \(s)")
        }
        #expect(!LlamaArchitecture(qkNorm: false).huggingFaceTensors(plain).contains { $0.name == "lm_head.weight" })
    }

    /// transformers' Conv1D holds [in, out]: element (i, o) of c_attn is element (o, i) of qkv.
    @Test func gpt2BlockMatricesAreTransposedAndTheHeadFollowsTying() throws {
        let model = try MiniGPT(config: Self.config(), maxBatch: 1, seed: 7)
        let tensors = Dictionary(uniqueKeysWithValues: GPT2Architecture().huggingFaceTensors(model).map { ($0.name, $0) })
        let expected = 2 + 2 * 12 + 2 + 1  // embeddings, 12 per block, final norm, head
        #expect(tensors.count == expected)
        let qkv = model.tensor("blocks.1.attn.qkv.weight")!, cAttn = try #require(tensors["transformer.h.1.attn.c_attn.weight"])
        #expect(cAttn.shape == [16, 48])
        for (o, i) in [(0, 0), (5, 3), (47, 15), (20, 9)] { #expect(cAttn.values[i * 48 + o] == qkv[o * 16 + i]) }
        let fcProj = try #require(tensors["transformer.h.0.mlp.c_proj.weight"])
        #expect(fcProj.shape == [64, 16])
        #expect(fcProj.values[3 * 16 + 2] == model.tensor("blocks.0.mlp.proj.weight")![2 * 64 + 3])
        #expect(tensors["lm_head.weight"]?.values == Self.values(model, "head.weight"))
        let tied = try MiniGPT(config: Self.config(tied: true), maxBatch: 1, seed: 7)
        #expect(!GPT2Architecture().huggingFaceTensors(tied).contains { $0.name == "lm_head.weight" })
        #expect(!GPT2Architecture().ggufTensors(tied).contains { $0.name == "output.weight" })
        let gguf = GPT2Architecture().ggufTensors(model)
        #expect(gguf.first { $0.name == "blk.1.attn_qkv.weight" }?.values == Self.values(model, "blocks.1.attn.qkv.weight"),
                "GGUF keeps [out, in]")
    }

    @Test func theHuggingFaceDirectoryDeclaresTheSpecialTokens() throws {
        let model = try MiniGPT(config: Self.config(), maxBatch: 1, seed: 7)
        let tokenizer = try Tokenizer.train(.bpe, documents: ["uno dos tres cuatro cinco seis siete"], vocabularySize: 300)
        let files = Dictionary(uniqueKeysWithValues: HuggingFaceDirectory.contents(
            model: model, architecture: GPT2Architecture(), tokenizer: tokenizer, metadata: [:]).map { ($0.name, $0.data) })
        #expect(Set(files.keys) == ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                                    "tokenizer_config.json", "special_tokens_map.json"])
        func object(_ name: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: files[name]!) as? [String: Any], "\(name)")
        }
        let config = try object("config.json")
        #expect(config["model_type"] as? String == "gpt2" && config["n_embd"] as? Int == 16 && config["n_positions"] as? Int == 8)
        #expect(config["layer_norm_epsilon"] as? Double == 1e-5 && config["tie_word_embeddings"] as? Bool == false)
        #expect(config["bos_token_id"] as? Int == 2 && config["eos_token_id"] as? Int == 3 && config["pad_token_id"] as? Int == 0)
        let special = try object("special_tokens_map.json")
        #expect(special as? [String: String] == ["bos_token": "[BOS]", "eos_token": "[EOS]", "pad_token": "[PAD]", "unk_token": "[UNK]"])
        #expect(try object("tokenizer_config.json")["tokenizer_class"] as? String == "PreTrainedTokenizerFast")
        #expect(files["tokenizer.json"] == tokenizer.huggingFaceJSON(), "the tokenizer minillm stores, as it is")
        let weights = try Safetensors(path: try Self.write(files["model.safetensors"]!))
        #expect(weights.entries["transformer.wte.weight"]?.shape == [300, 16])
        #expect(try weights.floats("transformer.wpe.weight") == Self.values(model, "pos_emb.weight"))
    }

    static func values(_ model: MiniGPT, _ name: String) -> [Float] { [Float](model.tensor(name)!) }

    static func write(_ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-formats-\(UUID().uuidString)").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
