import Foundation
import StoreTestSupport
import Testing
import TestSupport

@Suite("Cache semantics") struct CacheTests {
    @Test func noOpRerunSkipsEverything() throws {
        let project = ScratchProject.fixtureDriver()
        let first = try project.run(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stageOutcomes == ["numbers": "built", "sum": "built", "report": "built"])
        let second = try project.run(["run"])
        #expect(second.stageOutcomes == ["numbers": "fresh", "sum": "fresh", "report": "fresh"])
        #expect(first.stageOutputs() == second.stageOutputs())
        #expect(try project.count("SELECT count(*) FROM runs") == 3)
    }

    @Test func oneParameterChangeRerunsExactlyItsStageAndDownstream() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        project.setPipeline(ScratchProject.fixturePipeline.replacingOccurrences(of: "\"Total\"", with: "\"Suma\""))
        let status = try project.run(["status"])
        #expect(status.stdout.contains("parameter title changed: \"Total\" → \"Suma\""))
        #expect(try project.run(["run"]).stageOutcomes == ["numbers": "fresh", "sum": "fresh", "report": "built"])

        project.setPipeline(ScratchProject.fixturePipeline.replacingOccurrences(of: "1000003", with: "999983"))
        #expect(try project.run(["run"]).stageOutcomes == ["numbers": "fresh", "sum": "built", "report": "built"])

        // A preset overrides one parameter of one stage.
        #expect(try project.run(["run", "--preset", "loud"]).stageOutcomes
                == ["numbers": "fresh", "sum": "fresh", "report": "built"])
    }

    @Test func versionBumpRerunsThatStageAndDownstream() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        let bumped = ["FIXTURE_NUMBERS_VERSION": "2"]
        let status = try project.run(["status", "--json"], environment: bumped)
        let stages = status.json?["stages"] as? [[String: Any]] ?? []
        #expect((stages.first?["reasons"] as? [String]) == ["stage version changed: 1 → 2"])
        // numbers' bytes change (a version header), so sum reruns; sum's result is the same
        // number, so report, keyed by sum's bytes, is still fresh (early cut-off).
        #expect(try project.run(["run"], environment: bumped).stageOutcomes
                == ["numbers": "built", "sum": "built", "report": "fresh"])
        #expect(try project.run(["run"], environment: bumped).stageOutcomes
                == ["numbers": "fresh", "sum": "fresh", "report": "fresh"])
    }

    @Test func forceRebuildsOneStageWithTheSameBytes() throws {
        let project = ScratchProject.fixtureDriver()
        let first = try project.run(["run"])
        let forced = try project.run(["run", "--force", "sum"])
        #expect(forced.stageOutcomes == ["numbers": "fresh", "sum": "built", "report": "fresh"])
        #expect(forced.stageOutputs() == first.stageOutputs())
    }

    @Test func fromAndUntilLimitTheStagesRun() throws {
        let project = ScratchProject.fixtureDriver()
        #expect(try project.run(["run", "--until", "sum"]).stageOutcomes == ["numbers": "built", "sum": "built"])
        let status = try project.run(["status"])
        #expect(status.stdout.contains("report    never-run"))
        #expect(try project.run(["run", "--from", "report"]).stageOutcomes == ["report": "built"])
    }

    @Test func standaloneStagePrintsItsOutputsAndRefusesStaleUpstream() throws {
        let project = ScratchProject.fixtureDriver()
        let early = try project.run(["--store", "store"], environment: ["FIXTURE_STAGE": "sum"])
        #expect(early.status == 6)
        #expect(early.stderr.contains("needs the output of numbers"))
        try project.run(["run", "--until", "numbers"])
        let alone = try project.run([], environment: ["FIXTURE_STAGE": "sum"])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.json?["status"] as? String == "built")
        #expect((alone.json?["outputs"] as? [String: String])?["sum"]?.count == 64)
    }
}

@Suite("External files") struct ExternalFileTests {
    static func pipeline(delay: Int) -> String {
        """
        {"stages": {"numbers": {"count": 200000, "chunk_delay_ms": \(delay), "salt_file": "salt.txt"}}}
        """
    }

    @Test func externalFileIsKeyedByContent() throws {
        let project = ScratchProject.fixtureDriver(Self.pipeline(delay: 0))
        project.dir.write("pipeline/salt.txt", "uno")
        let first = try project.run(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try project.run(["run"]).stageOutcomes["numbers"] == "fresh")
        project.dir.write("pipeline/salt.txt", "dos")
        let status = try project.run(["status"])
        #expect(status.stdout.contains("input salt changed"))
        let second = try project.run(["run"])
        #expect(second.stageOutcomes["numbers"] == "built")
        #expect(second.stageOutputs()["numbers"] != first.stageOutputs()["numbers"])
    }

    /// One rule wherever the file is: relative paths are relative to the pipeline file's directory
    /// (not to its parent, nor to the working directory).
    @Test func relativePathsFollowThePipelineFileAnywhere() throws {
        let project = ScratchProject.fixtureDriver(Self.pipeline(delay: 0))
        project.dir.write("jobs/nightly.json", Self.pipeline(delay: 0))
        project.dir.write("jobs/salt.txt", "uno")
        project.dir.write("salt.txt", "elsewhere")
        let result = try project.run(["run", "--pipeline", project.dir.file("jobs/nightly.json"), "--until", "numbers"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(project.scalar("SELECT path FROM file_hashes")?.string == project.dir.file("jobs/salt.txt"))
    }

    @Test func fileModifiedDuringTheRunIsNotRecorded() throws {
        let project = ScratchProject.fixtureDriver(Self.pipeline(delay: 15))
        project.dir.write("pipeline/salt.txt", "uno")
        let child = try project.start(["run"])
        try #require(ConcurrencyTests.waitForRunning(project), "the driver never started building")
        project.dir.write("pipeline/salt.txt", "tres")
        let result = child.wait()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("input salt of stage numbers changed while the stage ran"))
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 0)
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'failed'") == 1)
    }
}
