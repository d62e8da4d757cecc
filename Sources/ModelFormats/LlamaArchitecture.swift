import MiniGPT

/// The Llama family: Llama (transformers' `LlamaForCausalLM`, llama.cpp's `llama`) and, with
/// QK-norm, Qwen3 (`Qwen3ForCausalLM`, `qwen3`): RoPE, RMSNorm, a SwiGLU MLP, no biases, tied
/// or untied head. minillm's fused q|k|v and gate|up matrices are split into their rows; its
/// RoPE pairs (i, i + hw/2) as transformers and llama.cpp's `qwen3` do, while llama.cpp's `llama`
/// pairs (2i, 2i + 1), so its GGUF q and k rows are permuted per head.
public struct LlamaArchitecture: ExportArchitecture {
    public let qkNorm: Bool

    public init(qkNorm: Bool) { self.qkNorm = qkNorm }

    public var name: String { qkNorm ? "qwen3" : "llama" }

    public func mismatch(_ c: MiniGPTConfig) -> String? {
        if c.positions != .rope { return "positions \(c.positions.rawValue) (\(name) needs rope)" }
        if c.norm != .rms { return "norm \(c.norm.rawValue) (\(name) needs rms)" }
        if c.mlp != .swiglu { return "mlp \(c.mlp.rawValue) (\(name) needs swiglu)" }
        if c.bias { return "bias true (\(name) has no biases)" }
        if c.qkNorm != qkNorm { return "qk_norm \(c.qkNorm) (\(name) needs \(qkNorm))" }
        return embeddingMismatch(c)
    }

    public func huggingFaceConfig(_ c: MiniGPTConfig) -> [String: JSONValue] {
        [
            "architectures": .array([.string(qkNorm ? "Qwen3ForCausalLM" : "LlamaForCausalLM")]), "model_type": .string(name),
            "vocab_size": .int(c.vocabSize), "hidden_size": .int(c.width), "intermediate_size": .int(c.hiddenWidth),
            "num_hidden_layers": .int(c.layers), "num_attention_heads": .int(c.heads), "num_key_value_heads": .int(c.heads),
            "head_dim": .int(c.headWidth), "max_position_embeddings": .int(c.contextLength),
            "rms_norm_eps": .float(c.layerNormEps), "hidden_act": .string("silu"),
            // transformers 5 reads rope_parameters; earlier versions rope_theta.
            "rope_theta": .number(c.ropeTheta),
            "rope_parameters": .object(["rope_type": .string("default"), "rope_theta": .number(c.ropeTheta)]),
            "attention_bias": .bool(false), "mlp_bias": .bool(false), "attention_dropout": .number(0),
            "tie_word_embeddings": .bool(c.tieWeights), "initializer_range": .number(0.02), "use_cache": .bool(true),
            "dtype": .string("float32"),
        ]
    }

    /// One block under the target's names: `attention` q, k, v, o; `mlp` gate, up, down; the two norms; QK-norm's.
    private func blockTensors(_ model: MiniGPT, _ l: Int, attention: [String], mlp: [String], norms: [String],
                              qkNorms: [String]) -> [ExportTensor] {
        let m = "blocks.\(l).", d = model.config.width, h = model.config.hiddenWidth
        var out = [model.exported(m + "ln1.weight", as: norms[0])]
        for (i, exportName) in attention.prefix(3).enumerated() {
            out.append(model.exportedRows(m + "attn.qkv.weight", (i * d)..<((i + 1) * d), as: exportName))
        }
        out.append(model.exported(m + "attn.proj.weight", as: attention[3]))
        if qkNorm {
            out += [model.exported(m + "attn.q_norm.weight", as: qkNorms[0]), model.exported(m + "attn.k_norm.weight", as: qkNorms[1])]
        }
        out += [model.exported(m + "ln2.weight", as: norms[1]),
                model.exportedRows(m + "mlp.fc.weight", 0..<h, as: mlp[0]), model.exportedRows(m + "mlp.fc.weight", h..<(2 * h), as: mlp[1]),
                model.exported(m + "mlp.proj.weight", as: mlp[2])]
        return out
    }

    public func huggingFaceTensors(_ model: MiniGPT) -> [ExportTensor] {
        var out = [model.exportedTokenEmbedding(as: "model.embed_tokens.weight")]
        for l in 0..<model.config.layers {
            let p = "model.layers.\(l)."
            out += blockTensors(model, l, attention: ["q_proj", "k_proj", "v_proj", "o_proj"].map { p + "self_attn.\($0).weight" },
                                mlp: ["gate_proj", "up_proj", "down_proj"].map { p + "mlp.\($0).weight" },
                                norms: [p + "input_layernorm.weight", p + "post_attention_layernorm.weight"],
                                qkNorms: [p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"])
        }
        out.append(model.exported("ln_f.weight", as: "model.norm.weight"))
        if !model.config.tieWeights { out.append(model.exported("head.weight", as: "lm_head.weight")) }
        return out
    }

    public func ggufHyperparameters(_ c: MiniGPTConfig) -> [(String, GGUFValue)] {
        [("\(name).context_length", .uint32(UInt32(c.contextLength))), ("\(name).embedding_length", .uint32(UInt32(c.width))),
         ("\(name).feed_forward_length", .uint32(UInt32(c.hiddenWidth))), ("\(name).block_count", .uint32(UInt32(c.layers))),
         ("\(name).attention.head_count", .uint32(UInt32(c.heads))), ("\(name).attention.head_count_kv", .uint32(UInt32(c.heads))),
         ("\(name).attention.layer_norm_rms_epsilon", .float32(c.layerNormEps)),
         ("\(name).rope.dimension_count", .uint32(UInt32(c.headWidth))), ("\(name).rope.freq_base", .float32(Float(c.ropeTheta)))]
    }

    public func ggufTensors(_ model: MiniGPT) -> [ExportTensor] {
        var out = [model.exportedTokenEmbedding(as: "token_embd.weight")]
        for l in 0..<model.config.layers {
            let g = "blk.\(l)."
            var block = blockTensors(model, l, attention: ["attn_q", "attn_k", "attn_v", "attn_output"].map { g + $0 + ".weight" },
                                     mlp: ["ffn_gate", "ffn_up", "ffn_down"].map { g + $0 + ".weight" },
                                     norms: [g + "attn_norm.weight", g + "ffn_norm.weight"],
                                     qkNorms: [g + "attn_q_norm.weight", g + "attn_k_norm.weight"])
            if !qkNorm {
                block = block.map { [g + "attn_q.weight", g + "attn_k.weight"].contains($0.name)
                    ? $0.interleavingRotaryPairs(heads: model.config.heads) : $0 }
            }
            out += block
        }
        out.append(model.exported("ln_f.weight", as: "output_norm.weight"))
        if !model.config.tieWeights { out.append(model.exported("head.weight", as: "output.weight")) }
        return out
    }
}
