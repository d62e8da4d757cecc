import Foundation
import StoreTestSupport
import Testing
import TestSupport

@Suite("End to end through minillm", .serialized) struct TrainResumeTests {
    /// Every real stage on the 50 committed articles with a tiny model, through `minillm`.
    static func project(trainSteps: Int = 60) -> ScratchProject {
        ScratchProject("minillm-e2e", pipeline: """
            {"stages": {
              "extract": {"sample_file": "\(Repo.articles)"},
              "clean": {"min_chars": 200, "near_duplicate_threshold": 0},
              "vocab": {"bpe_vocab_size": 400},
              "train": {"width": 32, "layers": 1, "heads": 2, "context": 16, "batch_size": 4, "dropout": 0.1,
                        "lr": 0.003, "warmup_steps": 5, "max_steps": \(trainSteps), "eval_every": 20, "eval_batches": 2,
                        "checkpoint_every": 5, "patience": 0},
              "evaluate": {"batch_size": 4, "max_tokens": 1024, "bleu_articles": 2, "max_new_tokens": 8}
            }}
            """, environment: ["MINILLM_THREADS": "2"])
    }

    /// Enough steps that a run cannot finish between a checkpoint and the kill that follows it,
    /// however fast the (optimised) kernels train the tiny model.
    static let interruptedSteps = 1000

    @Test func killNineDuringTrainingResumesToTheSameModel() throws {
        let reference = Self.project(trainSteps: Self.interruptedSteps)
        let whole = try reference.run(["run"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try #require(whole.stageOutputs(qualified: true)["train.model"])

        let project = Self.project(trainSteps: Self.interruptedSteps)
        var kills = 0
        for attempt in 0..<6 {
            let child = try project.start(["run"])
            // Wait until training has written at least one checkpoint (a few after the first kill).
            _ = waitUntil(seconds: 60) {
                (project.scalar("SELECT count(*) FROM checkpoints WHERE name = 'last' AND step > \(attempt * 5)")?.int ?? 0) > 0
                    || !child.process.isRunning
            }
            guard child.process.isRunning else { _ = child.wait(); break }
            usleep(UInt32.random(in: 0...150_000))
            child.kill()
            _ = child.wait()
            kills += 1
        }
        #expect(kills >= 2, "the run must be interrupted at least twice")
        let final = try project.run(["run"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stderr.contains("resuming from the checkpoint of step"))
        #expect(final.stageOutputs(qualified: true)["train.model"] == expected, "resumed training must end bitwise identical")
        #expect(project.scalar("SELECT count(*) FROM runs WHERE stage = 'train' AND status = 'abandoned'")?.int ?? 0 >= 1)
        #expect(try project.run(["verify"]).status == 0)
    }

    @Test func exportWritesAModelDirectory() throws {
        let project = Self.project(trainSteps: 20)
        let first = try project.run(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        let out = project.dir.file("exported")
        // Sinusoidal positions and erf GELU are no standard architecture: hf (the default) and gguf refuse in one line.
        for format in [[], ["--format", "gguf"]] {
            let refused = try project.run(["export", "train", out] + format)
            #expect(refused.status == 2 && refused.stderr == "minillm: error: the model fits no standard architecture: "
                    + "positions sinusoidal (gpt2 needs learned); positions sinusoidal (llama needs rope); "
                    + "positions sinusoidal (qwen3 needs rope); use --format minillm\n", "\(refused.stderr)")
        }
        let result = try project.run(["export", "train", out, "--format", "minillm"])
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["model.safetensors", "config.json", "tokenizer.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as? [String: Any]
        #expect(config?["vocab_size"] as? Int == 400)
        #expect(config?["d_model"] as? Int == 32)
        let refused = try project.run(["export", "deadbeef", out])
        #expect(refused.status == 3)

        // --force retrains from scratch (to the same bytes) instead of resuming the finished run.
        let forced = try project.run(["run", "--force", "train"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(!forced.stderr.contains("resuming"), "\(forced.stderr)")
        #expect(forced.stderr.contains("step 20/20"))
        #expect(forced.stageOutputs(qualified: true)["train.model"] == first.stageOutputs(qualified: true)["train.model"])
    }

    @Test func badTrainingParametersAreRefusedBeforeAnyStage() throws {
        let project = Self.project()
        let text = try String(contentsOfFile: project.pipelineFile, encoding: .utf8)
        project.setPipeline(text.replacingOccurrences(of: "\"heads\": 2", with: "\"heads\": 3"))
        let result = try project.run(["run"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("stage train: invalid MiniGPT config: d_model 32 is not divisible by n_heads 3 (width 32, heads 3)"), "\(result.stderr)")
        #expect(project.scalar("SELECT count(*) FROM runs")?.int == 0)
    }

    /// SIGTERM between two checkpoints: training stops at the next step with a checkpoint of the
    /// steps done, the run is recorded interrupted, and a rerun resumes to the same model bytes.
    @Test func sigtermDuringTrainingCheckpointsAndResumesToTheSameModel() throws {
        let steps = Self.interruptedSteps
        let reference = Self.project(trainSteps: steps)
        let expected = try #require(try reference.run(["run"]).stageOutputs(qualified: true)["train.model"])

        let project = Self.project(trainSteps: steps)
        let child = try project.start(["run"], environment: ["MINILLM_STOP_GRACE_SECONDS": "120"])
        let training = waitUntil(seconds: 120) {
            (project.scalar("SELECT count(*) FROM checkpoints WHERE name = 'last' AND step >= 5")?.int ?? 0) > 0 || !child.process.isRunning
        }
        try #require(training && child.process.isRunning, "training never reached its first checkpoint")
        child.kill(SIGTERM)
        let result = child.wait()
        #expect(result.status == 143, "\(result.stderr)")
        #expect(project.scalar("SELECT error FROM runs WHERE stage = 'train'")?.string == "interrupted by SIGTERM")
        let step = project.scalar("SELECT step FROM checkpoints WHERE name = 'last'")?.int ?? 0
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.storePath + "/tmp").isEmpty)

        let rerun = try project.run(["run"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming from the checkpoint of step \(step)"), "\(rerun.stderr)")
        #expect(rerun.stageOutputs(qualified: true)["train.model"] == expected, "resumed training must end bitwise identical")
    }
}
