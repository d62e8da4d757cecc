import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// SIGTERM and SIGINT stop a run in order: the run is recorded abandoned with the signal, the
/// process's temporary files are removed, the exit code is 128 + the signal, and a rerun goes on.
@Suite("Signals", .serialized) struct SignalTests {
    static let slow = #"{"stages": {"numbers": {"count": 400000, "seed": 5, "chunk_delay_ms": 40}}}"#

    /// Starts `run`, waits until a stage is building, sends `signals` 150 ms apart; its result.
    static func interrupt(_ project: ScratchProject, grace: Double, _ signals: [Int32]) throws -> ProcessResult {
        let child = try project.start(["run"], environment: ["MINILLM_STOP_GRACE_SECONDS": "\(grace)"])
        try #require(ConcurrencyTests.waitForRunning(project), "the driver never started building")
        for signal in signals {
            child.kill(signal)
            usleep(150_000)
        }
        return child.wait()
    }

    /// The numbers stage never looks at the signal: after the grace period the hard stop records it.
    @Test func sigtermRecordsTheRunAbandonedAndARerunRebuilds() throws {
        let project = ScratchProject.fixtureDriver(Self.slow)
        let result = try Self.interrupt(project, grace: 0.3, [SIGTERM])
        #expect(result.status == 143, "\(result.stderr)")
        #expect(result.stderr.contains("SIGTERM received"))
        #expect(project.scalar("SELECT status || ': ' || error FROM runs WHERE stage = 'numbers'")?.string
                == "abandoned: interrupted by SIGTERM")
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.storePath + "/tmp").isEmpty)
        let rerun = try project.run(["run"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stageOutputs() == (try ScratchProject.fixtureDriver(Self.slow).run(["run"]).stageOutputs()))
    }

    /// Within the grace period the stage finishes its write; the runner stops before the next one.
    @Test func sigintLetsTheCurrentStageFinishAndStopsBeforeTheNext() throws {
        let project = ScratchProject.fixtureDriver(#"{"stages": {"numbers": {"count": 40000, "chunk_delay_ms": 300}}}"#)
        let result = try Self.interrupt(project, grace: 120, [SIGINT])
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted by SIGINT"))
        #expect(try project.count("SELECT count(*) FROM runs WHERE stage = 'numbers' AND status = 'succeeded'") == 1)
        #expect(try project.count("SELECT count(*) FROM runs WHERE stage != 'numbers'") == 0)
        #expect(try project.run(["run"]).stageOutcomes == ["numbers": "fresh", "sum": "built", "report": "built"])
    }

    /// Two signals of one kind sent close together can reach a busy process as one (the kernel keeps
    /// one pending SIGTERM), so the second is repeated until the driver is gone.
    @Test func aSecondSignalStopsAtOnce() throws {
        let project = ScratchProject.fixtureDriver(Self.slow)
        let started = Date()
        let child = try project.start(["run"], environment: ["MINILLM_STOP_GRACE_SECONDS": "120"])
        try #require(ConcurrencyTests.waitForRunning(project), "the driver never started building")
        child.kill(SIGTERM)
        while child.process.isRunning && Date().timeIntervalSince(started) < 60 {
            usleep(300_000)
            child.kill(SIGTERM)
        }
        let result = child.wait()
        #expect(result.status == 143, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 60, "the second signal did not wait for the grace period")
        // Like a kill: the next command finds the run's lock free and reaps it.
        #expect(try project.run(["run"]).status == 0)
        #expect(project.scalar("SELECT error FROM runs WHERE status = 'abandoned'")?.string == "process died before the run finished")
    }
}
