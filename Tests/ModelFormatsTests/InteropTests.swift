import Foundation
import MiniGPT
import Testing
import TestSupport
import Tokenizer

/// Tiny GPT-2-, Llama- and Qwen3-shaped models trained through `minillm` (a few steps), exported
/// as hf, gguf and minillm, then read by the real Python packages. A package that cannot be installed makes its
/// test SKIPPED, never passed.
@Suite("A trained model in transformers and gguf, and minillm generate", .serialized) struct InteropTests {
    static let context = 64

    /// The train options that make each standard architecture.
    static let shapes = [
        "gpt2": #""positions": "learned", "gelu": "tanh""#,
        "llama": #""positions": "rope", "norm": "rms", "mlp": "swiglu", "bias": false"#,
        // The quick preset's shape, embeddings × 16 included (folded into the exported table).
        "qwen3": #""positions": "rope", "norm": "rms", "mlp": "swiglu", "bias": false, "qk_norm": true, "embedding_scale": 16.0"#,
    ]
    nonisolated(unsafe) static var projects: [String: ScratchProject] = [:]

    /// Trained once per test process and architecture (the suite is serialized): a 2-layer,
    /// 32-wide model on the committed articles, 30 steps for gpt2 (whose greedy text the
    /// generate test reads), 10 for the others.
    static func project(_ architecture: String) -> ScratchProject {
        if let project = projects[architecture] { return project }
        let project = ScratchProject("minillm-interop-\(architecture)", pipeline: """
            {"stages": {
              "extract": {"sample_file": "\(Repo.articles)"},
              "clean": {"min_chars": 200, "near_duplicate_threshold": 0},
              "vocab": {"bpe_vocab_size": 400},
              "train": {"width": 32, "layers": 2, "heads": 2, "context": \(context), "batch_size": 4, "dropout": 0.0,
                        \(shapes[architecture]!), "lr": 0.003, "warmup_steps": 5, "max_steps": \(architecture == "gpt2" ? 30 : 10),
                        "eval_every": 30, "eval_batches": 2, "checkpoint_every": 30, "patience": 0}
            }}
            """, environment: ["MINILLM_THREADS": "2"])
        let trained = try! project.run(["run", "--until", "train"])
        precondition(trained.status == 0, trained.stderr)
        for (format, path) in [("hf", "hf"), ("gguf", "model.gguf"), ("minillm", "minillm")] {
            let exported = try! project.run(["export", "train", project.dir.file(path), "--format", format])
            precondition(exported.status == 0, exported.stderr)
        }
        projects[architecture] = project
        return project
    }

    static let prompts = ["En el año 1492,", "La capital de España", "El río Amazonas"]

    /// minillm's side of every check: logits of a fixed batch, greedy continuations through
    /// `minillm generate`, and its token ids of real articles.
    static func spec(_ project: ScratchProject) throws -> String {
        let dir = project.dir
        let model = try MiniGPT.load(from: dir.file("minillm"), maxBatch: 2)
        let tokenizer = try Tokenizer(huggingFaceJSON: try Data(contentsOf: URL(fileURLWithPath: dir.file("minillm/tokenizer.json"))))
        let texts = try String(contentsOfFile: Repo.articles, encoding: .utf8).split(separator: "\n").prefix(20).map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["text"] as! String
        }
        let ids = texts.map { tokenizer.encode($0).map(Int.init) }
        let batch = [Array(ids[0].prefix(context)), Array(ids[1].prefix(context))]
        let vocab = model.config.vocabSize
        try model.forward(tokens: batch.flatMap { $0.map(Int32.init) }, batch: 2)
        let logits = (0..<2 * context).flatMap { Array(model.logits(row: $0)) }
        try logits.withUnsafeBufferPointer { values in
            try Safetensors.write(path: dir.file("logits.safetensors"), tensors: [("logits", [2, context, vocab], values)])
        }
        let generated = try project.run(["generate", "--temperature", "0", "--max-tokens", "32", "--json"] + prompts)
        #expect(generated.status == 0, "\(generated.stderr)")
        let greedy = generated.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(greedy.count == prompts.count)
        let documents = texts.prefix(3).map { "{\"text\": \(String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: .fragmentsAllowed), as: UTF8.self))}" }
        dir.write("three.jsonl", documents.joined(separator: "\n") + "\n")
        let scored = try project.run(["score", dir.file("three.jsonl")])
        #expect(scored.status == 0, "\(scored.stderr)")
        let score = try #require(scored.json)
        #expect(score["documents"] as? Int == 3)
        let spec: [String: Any] = [
            "score": ["file": dir.file("three.jsonl"), "bits_per_byte": score["bits_per_byte"]!],
            "hf": dir.file("hf"), "gguf": dir.file("model.gguf"), "context": context, "batch": batch,
            "logits": dir.file("logits.safetensors"),
            "greedy": greedy.map { ["prompt_ids": $0["prompt_ids"]!, "ids": $0["ids"]!] },
            "articles": zip(texts, ids).map { ["text": $0, "ids": $1] },
        ]
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: dir.file("spec.json")))
        return dir.file("spec.json")
    }

    func python(_ check: String, _ architecture: String, what: String) throws {
        let spec = try Self.spec(Self.project(architecture))
        let result: ProcessResult
        do {
            result = try ChildProcess.run("/usr/bin/env", ["python3", Repo.path("pipeline/scripts/interop_check.py"), check, spec])
        } catch {
            try Test.cancel("SKIPPED: python3 cannot be started (\(error)); \(what) NOT checked")
        }
        switch result.status {
        case 0: print(result.stdout)
        case 3: try Test.cancel("SKIPPED: \(what) NOT checked: \(result.stdout)")
        default: Issue.record("\(what) (exit \(result.status)):\n\(result.stdout)\n\(result.stderr.suffix(2000))")
        }
    }

    @Test(arguments: ["gpt2", "llama", "qwen3"]) func transformersLoadsTheExportAndAgreesWithMinillm(_ architecture: String) throws {
        try python("transformers", architecture, what: "transformers against minillm's \(architecture) (logits, greedy, tokenizer)")
    }

    @Test(arguments: ["gpt2", "llama", "qwen3"]) func theGGUFPackageReadsTheFileBack(_ architecture: String) throws {
        try python("gguf", architecture, what: "the \(architecture) GGUF file read by the gguf package")
    }

    @Test func generateStreamsReadsStdinAndRefusesBadArguments() throws {
        let project = Self.project("gpt2")
        let minillm = BuiltProducts.path("minillm")
        let one = try project.run(["generate", "En el año 1492,", "--max-tokens", "8", "--seed", "3"])
        #expect(one.status == 0 && one.stdout.hasPrefix("En el año 1492,") && one.stdout.hasSuffix("\n"), "\(one.stderr)")
        #expect(one.stderr.contains("tokens/s, first token after"), "\(one.stderr)")
        #expect(try project.run(["generate", "En el año 1492,", "--max-tokens", "8", "--seed", "3"]).stdout == one.stdout,
                "the same seed gives the same text")
        // Streamed token by token (characters split across tokens held back) = decoded all at once.
        let long = ["generate", "Durante la Edad Media,", "--max-tokens", "48", "--seed", "5"]
        let streamed = try project.run(long), whole = try project.run(long + ["--json"])
        let text = try #require(whole.json?["text"] as? String)
        #expect(streamed.stdout == "Durante la Edad Media," + text + "\n" && text.unicodeScalars.count > 20, "\(streamed.stdout)")
        let piped = try ChildProcess.run("/bin/sh", ["-c", "printf 'En el año 1492,\\nLa capital de España\\n' | '\(minillm)' generate --temperature 0 --max-tokens 6"],
                                         cwd: project.root)
        let lines = piped.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(piped.status == 0 && lines.count == 3 && lines[0].hasPrefix("En el año 1492,") && lines[1].hasPrefix("La capital"),
                "one line per prompt read from stdin: \(piped.stdout) \(piped.stderr)")
        let terminal = try ChildProcess.run("/usr/bin/script", ["-qec", "'\(minillm)' generate 'El río' --temperature 0 --max-tokens 6", "/dev/null"],
                                            cwd: project.root)
        #expect(terminal.status == 0 && terminal.stdout.contains("El río"), "on a terminal: \(terminal.stdout)")

        let bad: [([String], Int32, String)] = [
            (["--top-p", "2"], 2, "--top-p 2.0 is outside (0, 1]"),
            (["--max-tokens", "-3"], 2, "--max-tokens"),
            (["--max-tokens", "0"], 2, "--max-tokens 0 must be at least 1"),
            (["--temperature", "-1"], 2, "--temperature"),
            (["--model", "deadbeef"], 3, "deadbeef"),
        ]
        for (arguments, status, message) in bad {
            let result = try project.run(["generate", "hola"] + arguments)
            #expect(result.status == status && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty, "one line: \(result.stderr)")
        }
        project.dir.write("blank.txt", " \n")
        project.dir.write("bad.jsonl", "{\"title\": \"x\"}\n")
        for (file, message) in [("none.txt", "none.txt cannot be read"), ("blank.txt", "blank.txt holds no text"),
                                ("bad.jsonl", "bad.jsonl line 1: not a JSON object with a \"text\" string")] {
            let refused = try project.run(["score", project.dir.file(file)])
            #expect(refused.status == 2 && refused.stderr.contains(message), "\(file): \(refused.stderr)")
        }
        let shards = try #require(try project.run(["show", "shard"]).json?["outputs"] as? [String: String])["shards"]!
        let notModel = try project.run(["generate", "hola", "--model", shards])
        #expect(notModel.status == 2 && notModel.stderr.contains("not a trained model (model-weights)"), "\(notModel.stderr)")
        let empty = ScratchProject("minillm-empty", pipeline: "{}")
        let none = try empty.run(["generate", "hola"])
        #expect(none.status == 3 && none.stderr.contains("holds no trained model yet"), "\(none.stderr)")
        #expect(none.stderr.split(separator: "\n").count == 1)
    }
}
