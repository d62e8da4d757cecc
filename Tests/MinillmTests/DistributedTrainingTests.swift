import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// Data-parallel training over real `mpirun` processes on 127.0.0.1 (Open MPI from
/// install-deps.sh; without `mpirun` these tests fail, they do not skip). A tiny model with four
/// micro-batches per step: 2 and 3 ranks end on the one-process bytes, a rank killed or stopped
/// mid-run fails the run in bounded time with no rank left, and a rerun resumes to the same bytes.
@Suite("Training on ranks under mpirun", .serialized) struct DistributedTrainingTests {
    static func project(steps: Int = 12, environment: [String: String] = [:]) -> ScratchProject {
        ScratchProject("minillm-mpi", pipeline: """
            {"stages": {
              "extract": {"sample_file": "\(Repo.articles)"},
              "clean": {"min_chars": 200, "near_duplicate_threshold": 0},
              "vocab": {"bpe_vocab_size": 400},
              "train": {"width": 32, "layers": 1, "heads": 2, "context": 16, "batch_size": 4, "micro_batches": 4,
                        "dropout": 0.1, "lr": 0.003, "warmup_steps": 5, "max_steps": \(steps), "eval_every": 6,
                        "eval_batches": 2, "checkpoint_every": 3, "patience": 0}
            }}
            """, environment: ["MINILLM_THREADS": "1"].merging(environment) { _, new in new })
    }

    /// The model of a one-process run of the whole pipeline in `project`.
    static func oneProcessModel(_ project: ScratchProject) throws -> String {
        let result = try project.run(["run", "--until", "train"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(result.stageOutputs(qualified: true)["train.model"])
    }

    /// Rows of the latest train run, which only rank 0 may write (the metrics a one-process run
    /// has too: ranks add `exchange_s`), and the checkpoints.
    static func latestRunRows(_ project: ScratchProject) -> [Int64?] {
        ["SELECT count(*) FROM metrics WHERE run_id = (SELECT max(id) FROM runs WHERE stage = 'train') "
            + "AND name != 'train_exchange_s'",
         "SELECT count(*) FROM checkpoints"].map { project.scalar($0)?.int }
    }

    @Test func twoAndThreeRanksTrainTheOneProcessBytesAndOnlyRankZeroWrites() throws {
        let project = Self.project()
        let expected = try Self.oneProcessModel(project)
        let rows = Self.latestRunRows(project)
        let two = try project.run(["run", "--until", "train", "--ranks", "2", "--force", "train"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stderr.contains("on 2 ranks: mpirun"), "\(two.stderr)")
        #expect(two.stderr.contains("[train rank 1] from step 0, micro-batches 2..<4 of 4"), "\(two.stderr)")
        #expect(two.stageOutputs(qualified: true)["train.model"] == expected, "2 ranks must end on the 1-process bytes")
        // As many rows as the one-process run: the other rank recorded nothing.
        #expect(Self.latestRunRows(project) == rows)
        #expect(project.scalar("SELECT count(*) FROM metrics WHERE name = 'train_exchange_s'")?.int == 12)
        #expect(project.scalar("SELECT count(*) FROM runs WHERE stage = 'train'")?.int == 2)

        let three = try project.run(["run", "--until", "train", "--ranks", "3", "--force", "train"])
        #expect(three.status == 0, "\(three.stderr)")
        #expect(three.stageOutputs(qualified: true)["train.model"] == expected, "3 ranks must end on the 1-process bytes")

        // `mpirun -np N minillm-train` directly, as on a cluster.
        let direct = try ChildProcess.run(try Self.mpirun(), ["--allow-run-as-root", "--oversubscribe", "-np", "2",
                                                              BuiltProducts.path("minillm-train"), "--force"],
                                          cwd: project.root, environment: project.environment)
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect((direct.json?["outputs"] as? [String: String])?["model"] == expected, "\(direct.stdout)")
        // Fresh: no mpirun at all.
        let again = try project.run(["run", "--until", "train", "--ranks", "2"])
        #expect(again.stageOutcomes["train"] == "fresh" && !again.stderr.contains("mpirun"), "\(again.stderr)")
    }

    @Test func aKilledRankFailsTheRunAndARerunResumesToTheSameBytes() throws {
        // As many steps as TrainResumeTests' interrupted runs: a fast run must not finish before the kill.
        let expected = try Self.oneProcessModel(Self.project(steps: TrainResumeTests.interruptedSteps))
        let project = Self.project(steps: TrainResumeTests.interruptedSteps)
        let (result, seconds) = try Self.signalRankOne(SIGKILL, afterCheckpointOf: 6, in: project)
        #expect(seconds < 30, "the job must end soon after a rank dies")
        #expect(result.status == 1 || result.status == 143, "\(result.stderr)")
        #expect(result.stderr.contains("stage train on 2 ranks failed"), "\(result.stderr)")
        #expect(waitUntil(seconds: 10) { Self.ranks(of: project).isEmpty }, "no rank may be left running")
        let status = project.scalar("SELECT status FROM runs WHERE stage = 'train' ORDER BY id DESC LIMIT 1")?.string
        #expect(status == "abandoned" || status == "failed" || status == "running", "\(status ?? "none")")

        let rerun = try project.run(["run", "--until", "train", "--ranks", "2"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming from the checkpoint of step"), "\(rerun.stderr)")
        #expect(rerun.stageOutputs(qualified: true)["train.model"] == expected, "the resumed run must end on the same bytes")
    }

    @Test func aHungRankFailsTheRunWithinTheTimeout() throws {
        let project = Self.project(steps: TrainResumeTests.interruptedSteps, environment: ["MINILLM_COMM_TIMEOUT": "2"])
        let (result, seconds) = try Self.signalRankOne(SIGSTOP, afterCheckpointOf: 3, in: project)
        #expect(seconds < 30, "a stopped rank must fail the run within the timeout")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(waitUntil(seconds: 10) { Self.ranks(of: project).isEmpty }, "no rank may be left running")
        let error = project.scalar("SELECT error FROM runs WHERE stage = 'train'")?.string ?? ""
        #expect(error.contains("did not complete within 2 s (MINILLM_COMM_TIMEOUT)"), "\(error)")
    }

    @Test func moreRanksThanMicroBatchesAreRefused() throws {
        let project = Self.project()
        let result = try project.run(["run", "--until", "train", "--ranks", "5"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("5 ranks cannot share 4 micro-batches per step"), "\(result.stderr)")
        #expect(project.scalar("SELECT status FROM runs WHERE stage = 'train'")?.string == "failed")
    }

    /// Starts `run --ranks 2`, sends rank 1 `signal` once a checkpoint of `step` exists, and
    /// returns the driver's result and the seconds it took to end after the signal.
    static func signalRankOne(_ signal: Int32, afterCheckpointOf step: Int, in project: ScratchProject) throws
        -> (ProcessResult, Double) {
        let child = try project.start(["run", "--until", "train", "--ranks", "2"])
        let checkpointed = waitUntil(seconds: 120) {
            (project.scalar("SELECT count(*) FROM checkpoints WHERE name = 'last' AND step >= \(step)")?.int ?? 0) > 0
                || !child.process.isRunning
        }
        try #require(checkpointed && child.process.isRunning, "training on ranks never reached a checkpoint")
        let worker = try #require(ranks(of: project)[1], "rank 1 is not running")
        kill(worker, signal)
        let started = Date()
        let result = child.wait()
        return (result, Date().timeIntervalSince(started))
    }

    static func mpirun() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/mpirun" }
        return try #require(path.first { FileManager.default.isExecutableFile(atPath: $0) },
                            "mpirun is missing: run pipeline/scripts/install-deps.sh")
    }

    /// Live (not zombie) `minillm-train` processes of this project's store, by MPI rank.
    static func ranks(of project: ScratchProject) -> [Int: pid_t] {
        var found: [Int: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let environ = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) else { continue }
            let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first?.hasSuffix("/minillm-train") == true, arguments.contains(project.storePath),
                  stat.split(separator: ")").last?.split(separator: " ").first != "Z" else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let rank = variables.first(where: { $0.hasPrefix("OMPI_COMM_WORLD_RANK=") }).flatMap({ Int($0.dropFirst(21)) }) {
                found[rank] = pid
            }
        }
        return found
    }
}
