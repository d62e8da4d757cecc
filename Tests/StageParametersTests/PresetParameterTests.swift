import Foundation
import MiniPipeline
import MinillmCommands
import StageParameters
import TestSupport
import Testing

/// The effective parameters of every stage under every preset, as canonical JSON (what the cache
/// keys hash). A difference here changes cache keys: the default run would rebuild, so a change
/// must be deliberate and listed below.
@Suite struct PresetParameterTests {
    static let root = Repo.root

    /// What every preset shares, then what each one sets. Started from the code of commit
    /// ecc7868 (before the parameters were declared with `@Parameter`); each later change of a cache
    /// key was made on purpose and is listed here:
    /// - extract: `sample_file` is relative to the pipeline file's own directory (default `data/…`),
    ///   and the `api_` pacing, budget, stale-batch and title-list parameters were added (issue 17);
    ///   the corpus bytes of the default `sample` source are unchanged.
    /// - evaluate: `max_tokens` 32768 → 0, every preset scores whole splits (issue 11, item 6).
    /// - train: `optimizer`, `muon_*` and `cooldown_fraction` were added (AdamW stays the default),
    ///   and `quick` took the recipe of docs/quality.md's ablation (issue 11); then `positions: rope`,
    ///   `rope_theta`, `norm`, `qk_norm`, `mlp`, `ffn_width` and `bias` were added (defaults keep the
    ///   first architecture, so a model of the older presets has the same bytes), then
    ///   `embedding_scale`; `quick` became the Qwen3 shape with embeddings × 16 (ablation row 14);
    ///   `micro_batches` was added (issue 14), default 1 (a step's bytes as before); `quick` takes 4,
    ///   so that 1–4 ranks train it to the same bytes; `precision` was added (issue 16), fp32 in every preset;
    ///   `zero_init` was added (issue 11), false in every preset (the same initial weights as before);
    ///   `quick` became 64 wide with 2 heads, embeddings × 8 (= √64) and 1,800 steps, validating
    ///   every 200 (the default) instead of 100 (docs/quality.md, "Narrower models, more tokens");
    ///   then 96 wide with 3 heads, embeddings × 9.798 (= √96) and 1,700 steps, the time the faster
    ///   build freed (docs/quality.md, "A faster build buys a wider model"); `small` took `quick`'s
    ///   recipe at 256 wide, 4 heads, embeddings × 16, 6,800 steps (about an hour on 2 cores); then
    ///   `quick` went to 2,200 steps in one micro-batch (13 % faster a step than four; more than one
    ///   rank now needs `micro_batches` set), the time the edge-slab matmul freed (docs/quality.md);
    ///   `bigram_buckets` was added (issue 11), 0 in every preset but `quick-bigram`, which is `quick`
    ///   with a hashed bigram table of 40,960 rows (docs/quality.md, "A hashed bigram embedding").
    static let shared: [String: String] = [
        "extract": #"{"api_articles":1000,"api_batch_size":20,"api_contact":"","api_endpoint":"https://es.wikipedia.org/w/api.php","api_max_requests":10000,"api_min_chars":500,"api_min_interval_seconds":0.5,"api_stale_batches":3,"api_titles_file":"","dump_checksum":"","dump_location":"","http_backoff_max_seconds":60.0,"http_backoff_seconds":1.0,"http_max_attempts":8,"http_retry_after_max_seconds":600.0,"http_stall_seconds":60.0,"limit":0,"max_page_bytes":134217728,"sample_file":"data/eswiki-plaintext-2000.jsonl.bz2","source":"sample","verify_page_sha1":true}"#,
        "clean": #"{"drop_exact_duplicates":true,"min_chars":500,"min_spanish_ratio":0.1,"near_duplicate_threshold":0.8}"#,
        "shard": #"{}"#,
        "evaluate": #"{"batch_size":16,"bleu_articles":20,"bleu_prompt_words":16,"bleu_reference_words":16,"extra_text":"","max_new_tokens":48,"max_tokens":0,"seed":1}"#,
    ]
    static let byPreset: [String: [String: String]] = [
        "quick": [
            "vocab": #"{"bpe_vocab_size":8192,"kind":"bpe","train_fraction":0.7,"val_fraction":0.15,"word_vocab_size":5000}"#,
            "train": #"{"batch_size":16,"beta1":0.9,"beta2":0.999,"bias":false,"bigram_buckets":0,"checkpoint_every":50,"context":128,"cooldown_fraction":0.4,"decay":"wsd","dropout":0.0,"embedding_scale":9.798,"eval_batches":16,"eval_every":200,"ffn_width":0,"gelu":"erf","grad_clip":1.0,"heads":3,"label_smoothing":0.0,"layers":2,"lr":0.003,"max_epochs":0.0,"max_steps":2200,"max_tokens":0,"micro_batches":1,"min_delta":0.001,"min_lr_ratio":0.0,"mlp":"swiglu","muon_lr":0.02,"muon_momentum":0.95,"muon_momentum_warmup_steps":300,"norm":"rms","optimizer":"muon","patience":0,"positions":"rope","precision":"fp32","qk_norm":true,"rope_theta":10000.0,"seed":1234,"tie_weights":false,"warmup_steps":50,"weight_decay":0.01,"width":96,"zero_init":false}"#,
        ],
        "quick-bigram": [
            "vocab": #"{"bpe_vocab_size":8192,"kind":"bpe","train_fraction":0.7,"val_fraction":0.15,"word_vocab_size":5000}"#,
            "train": #"{"batch_size":16,"beta1":0.9,"beta2":0.999,"bias":false,"bigram_buckets":40960,"checkpoint_every":50,"context":128,"cooldown_fraction":0.4,"decay":"wsd","dropout":0.0,"embedding_scale":9.798,"eval_batches":16,"eval_every":200,"ffn_width":0,"gelu":"erf","grad_clip":1.0,"heads":3,"label_smoothing":0.0,"layers":2,"lr":0.003,"max_epochs":0.0,"max_steps":2200,"max_tokens":0,"micro_batches":1,"min_delta":0.001,"min_lr_ratio":0.0,"mlp":"swiglu","muon_lr":0.02,"muon_momentum":0.95,"muon_momentum_warmup_steps":300,"norm":"rms","optimizer":"muon","patience":0,"positions":"rope","precision":"fp32","qk_norm":true,"rope_theta":10000.0,"seed":1234,"tie_weights":false,"warmup_steps":50,"weight_decay":0.01,"width":96,"zero_init":false}"#,
        ],
        "seed-v1": [
            "vocab": #"{"bpe_vocab_size":8192,"kind":"word","train_fraction":0.7,"val_fraction":0.15,"word_vocab_size":5000}"#,
            "train": #"{"batch_size":32,"beta1":0.9,"beta2":0.999,"bias":true,"bigram_buckets":0,"checkpoint_every":100,"context":128,"cooldown_fraction":0.4,"decay":"cosine","dropout":0.1,"embedding_scale":0.0,"eval_batches":16,"eval_every":200,"ffn_width":0,"gelu":"erf","grad_clip":1.0,"heads":4,"label_smoothing":0.1,"layers":2,"lr":0.0003,"max_epochs":0.0,"max_steps":2000,"max_tokens":0,"micro_batches":1,"min_delta":0.001,"min_lr_ratio":0.1,"mlp":"gelu","muon_lr":0.02,"muon_momentum":0.95,"muon_momentum_warmup_steps":300,"norm":"layer","optimizer":"adamw","patience":3,"positions":"sinusoidal","precision":"fp32","qk_norm":false,"rope_theta":10000.0,"seed":1234,"tie_weights":false,"warmup_steps":200,"weight_decay":0.01,"width":256,"zero_init":false}"#,
        ],
        "seed-v2": [
            "vocab": #"{"bpe_vocab_size":8192,"kind":"word","train_fraction":0.7,"val_fraction":0.15,"word_vocab_size":8000}"#,
            "train": #"{"batch_size":32,"beta1":0.9,"beta2":0.999,"bias":true,"bigram_buckets":0,"checkpoint_every":100,"context":128,"cooldown_fraction":0.4,"decay":"cosine","dropout":0.1,"embedding_scale":0.0,"eval_batches":16,"eval_every":200,"ffn_width":0,"gelu":"erf","grad_clip":1.0,"heads":8,"label_smoothing":0.1,"layers":2,"lr":0.0003,"max_epochs":0.0,"max_steps":2000,"max_tokens":0,"micro_batches":1,"min_delta":0.001,"min_lr_ratio":0.1,"mlp":"gelu","muon_lr":0.02,"muon_momentum":0.95,"muon_momentum_warmup_steps":300,"norm":"layer","optimizer":"adamw","patience":3,"positions":"sinusoidal","precision":"fp32","qk_norm":false,"rope_theta":10000.0,"seed":1234,"tie_weights":false,"warmup_steps":200,"weight_decay":0.01,"width":512,"zero_init":false}"#,
        ],
        "small": [
            "vocab": #"{"bpe_vocab_size":8192,"kind":"bpe","train_fraction":0.7,"val_fraction":0.15,"word_vocab_size":5000}"#,
            "train": #"{"batch_size":16,"beta1":0.9,"beta2":0.999,"bias":false,"bigram_buckets":0,"checkpoint_every":100,"context":128,"cooldown_fraction":0.4,"decay":"wsd","dropout":0.0,"embedding_scale":16.0,"eval_batches":16,"eval_every":200,"ffn_width":0,"gelu":"erf","grad_clip":1.0,"heads":4,"label_smoothing":0.0,"layers":2,"lr":0.003,"max_epochs":0.0,"max_steps":6800,"max_tokens":0,"micro_batches":4,"min_delta":0.001,"min_lr_ratio":0.0,"mlp":"swiglu","muon_lr":0.02,"muon_momentum":0.95,"muon_momentum_warmup_steps":300,"norm":"rms","optimizer":"muon","patience":0,"positions":"rope","precision":"fp32","qk_norm":true,"rope_theta":10000.0,"seed":1234,"tie_weights":false,"warmup_steps":50,"weight_decay":0.01,"width":256,"zero_init":false}"#,
        ],
    ]

    static func pinned(_ preset: String, _ stage: String) -> String? {
        byPreset[preset]?[stage] ?? (byPreset[preset] == nil ? nil : shared[stage])
    }

    @Test(arguments: ["quick", "quick-bigram", "seed-v1", "seed-v2", "small"])
    func effectiveParametersAreThePinnedOnes(preset: String) throws {
        let file = try PipelineFile(path: Self.root + "/pipeline/pipeline.json", registry: Minillm.registry)
        #expect(file.presetNames == Self.byPreset.keys.sorted())
        for stage in Minillm.registry.stages {
            let parameters = try file.parameters(for: stage, preset: preset)
            #expect(parameters.canonicalJSON == Self.pinned(preset, stage.name), "\(preset) \(stage.name)")
        }
    }

    @Test func theDefaultPresetIsQuick() throws {
        let file = try PipelineFile(path: Self.root + "/pipeline/pipeline.json", registry: Minillm.registry)
        #expect(file.defaultPreset == "quick")
        for stage in Minillm.registry.stages {
            #expect(try file.parameters(for: stage, preset: nil).canonicalJSON == Self.pinned("quick", stage.name))
        }
    }

    /// The file states only what differs: no value in it equals what its place would get anyway
    /// (the default under `stages`, the default or the `stages` value under a preset).
    @Test func thePipelineFileRepeatsNoDefault() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/pipeline/pipeline.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let stages = root["stages"] as? [String: [String: Any]] ?? [:]
        let presets = root["presets"] as? [String: [String: [String: Any]]] ?? [:]
        func redundant(_ section: [String: Any], stage: String, base: [String: Any]) -> [String] {
            let specs = Minillm.registry.stage(named: stage)?.parameters ?? []
            return section.keys.sorted().filter { key in
                guard let spec = specs.first(where: { $0.name == key }), let value = try? spec.validate(section[key]!).get()
                else { return false }
                let inherited = base[key].flatMap { try? spec.validate($0).get() } ?? spec.defaultValue
                return value == inherited
            }
        }
        for (stage, section) in stages {
            #expect(redundant(section, stage: stage, base: [:]) == [], "stages.\(stage)")
        }
        for (preset, sections) in presets {
            for (stage, section) in sections {
                #expect(redundant(section, stage: stage, base: stages[stage] ?? [:]) == [], "presets.\(preset).\(stage)")
            }
        }
    }
}
