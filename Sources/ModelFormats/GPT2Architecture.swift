import MiniGPT

/// GPT-2 (transformers' `GPT2LMHeadModel`, llama.cpp's `gpt2`): learned positions, tanh GELU,
/// pre-LayerNorm blocks with biases, a fused q|k|v projection, a GELU MLP (any width: `n_inner`)
/// and a bias-free head.
/// minillm's blocks are exactly that, with the same q|k|v order and head split. transformers
/// stores the block matrices as `Conv1D`, [in, out]; GGUF keeps minillm's [out, in]. An untied
/// head is `lm_head.weight` / `output.weight` (both loaders read it when present).
public struct GPT2Architecture: ExportArchitecture {
    public init() {}

    public let name = "gpt2"

    public func mismatch(_ c: MiniGPTConfig) -> String? {
        if c.positions != .learned { return "positions \(c.positions.rawValue) (gpt2 needs learned)" }
        if c.norm != .layer { return "norm \(c.norm.rawValue) (gpt2 needs layer)" }
        if c.mlp != .gelu { return "mlp \(c.mlp.rawValue) (gpt2 needs gelu)" }
        if c.gelu != .tanh { return "gelu \(c.gelu.rawValue) (gpt2 needs tanh)" }
        if !c.bias { return "bias false (gpt2 needs biases)" }
        if c.qkNorm { return "qk_norm true (gpt2 has none)" }
        return embeddingMismatch(c)
    }

    public func huggingFaceConfig(_ c: MiniGPTConfig) -> [String: JSONValue] {
        [
            "architectures": .array([.string("GPT2LMHeadModel")]), "model_type": .string("gpt2"),
            "vocab_size": .int(c.vocabSize), "n_positions": .int(c.contextLength), "n_ctx": .int(c.contextLength),
            "n_embd": .int(c.width), "n_layer": .int(c.layers), "n_head": .int(c.heads), "n_inner": .int(c.hiddenWidth),
            // transformers' "gelu_new" is the tanh approximation minillm's `tanh` computes.
            "activation_function": .string("gelu_new"), "layer_norm_epsilon": .float(c.layerNormEps),
            // minillm drops out the embeddings and each residual branch, never attention weights.
            "embd_pdrop": .float(c.dropout), "resid_pdrop": .float(c.dropout), "attn_pdrop": .number(0),
            "scale_attn_weights": .bool(true), "scale_attn_by_inverse_layer_idx": .bool(false),
            "reorder_and_upcast_attn": .bool(false), "initializer_range": .number(0.02),
            "tie_word_embeddings": .bool(c.tieWeights), "use_cache": .bool(true), "dtype": .string("float32"),
        ]
    }

    public func huggingFaceTensors(_ model: MiniGPT) -> [ExportTensor] {
        var out = [model.exportedTokenEmbedding(as: "transformer.wte.weight"),
                   model.exported("pos_emb.weight", as: "transformer.wpe.weight")]
        for l in 0..<model.config.layers {
            let (m, h) = ("blocks.\(l).", "transformer.h.\(l).")
            out += [
                model.exported(m + "ln1.weight", as: h + "ln_1.weight"), model.exported(m + "ln1.bias", as: h + "ln_1.bias"),
                model.exportedTransposed(m + "attn.qkv.weight", as: h + "attn.c_attn.weight"),
                model.exported(m + "attn.qkv.bias", as: h + "attn.c_attn.bias"),
                model.exportedTransposed(m + "attn.proj.weight", as: h + "attn.c_proj.weight"),
                model.exported(m + "attn.proj.bias", as: h + "attn.c_proj.bias"),
                model.exported(m + "ln2.weight", as: h + "ln_2.weight"), model.exported(m + "ln2.bias", as: h + "ln_2.bias"),
                model.exportedTransposed(m + "mlp.fc.weight", as: h + "mlp.c_fc.weight"),
                model.exported(m + "mlp.fc.bias", as: h + "mlp.c_fc.bias"),
                model.exportedTransposed(m + "mlp.proj.weight", as: h + "mlp.c_proj.weight"),
                model.exported(m + "mlp.proj.bias", as: h + "mlp.c_proj.bias"),
            ]
        }
        out += [model.exported("ln_f.weight", as: "transformer.ln_f.weight"), model.exported("ln_f.bias", as: "transformer.ln_f.bias")]
        if !model.config.tieWeights { out.append(model.exported("head.weight", as: "lm_head.weight")) }
        return out
    }

    public func ggufHyperparameters(_ c: MiniGPTConfig) -> [(String, GGUFValue)] {
        [("gpt2.context_length", .uint32(UInt32(c.contextLength))), ("gpt2.embedding_length", .uint32(UInt32(c.width))),
         ("gpt2.feed_forward_length", .uint32(UInt32(c.hiddenWidth))), ("gpt2.block_count", .uint32(UInt32(c.layers))),
         ("gpt2.attention.head_count", .uint32(UInt32(c.heads))),
         ("gpt2.attention.layer_norm_epsilon", .float32(c.layerNormEps))]
    }

    public func ggufTensors(_ model: MiniGPT) -> [ExportTensor] {
        var out = [model.exportedTokenEmbedding(as: "token_embd.weight"),
                   model.exported("pos_emb.weight", as: "position_embd.weight")]
        for l in 0..<model.config.layers {
            let (m, g) = ("blocks.\(l).", "blk.\(l).")
            for (mine, theirs) in [("ln1", "attn_norm"), ("attn.qkv", "attn_qkv"), ("attn.proj", "attn_output"),
                                   ("ln2", "ffn_norm"), ("mlp.fc", "ffn_up"), ("mlp.proj", "ffn_down")] {
                out += [model.exported(m + mine + ".weight", as: g + theirs + ".weight"),
                        model.exported(m + mine + ".bias", as: g + theirs + ".bias")]
            }
        }
        out += [model.exported("ln_f.weight", as: "output_norm.weight"), model.exported("ln_f.bias", as: "output_norm.bias")]
        if !model.config.tieWeights { out.append(model.exported("head.weight", as: "output.weight")) }
        return out
    }
}
