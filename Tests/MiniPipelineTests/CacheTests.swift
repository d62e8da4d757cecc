import Foundation
import Testing
import TestSupport

@Suite("Cache semantics") struct CacheTests {
    @Test func noOpRerunSkipsEverything() throws {
        let project = FixturePipeline()
        let first = try project.driver(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FixturePipeline.outcomes(first) == ["numbers": "built", "sum": "built", "report": "built"])
        let second = try project.driver(["run"])
        #expect(FixturePipeline.outcomes(second) == ["numbers": "fresh", "sum": "fresh", "report": "fresh"])
        #expect(FixturePipeline.outputs(first) == FixturePipeline.outputs(second))
        #expect(try project.count("SELECT count(*) FROM runs") == 3)
    }

    @Test func oneParameterChangeRerunsExactlyItsStageAndDownstream() throws {
        let project = FixturePipeline()
        try project.driver(["run"])
        project.setPipeline(FixturePipeline.defaultPipeline.replacingOccurrences(of: "\"Total\"", with: "\"Suma\""))
        let status = try project.driver(["status"])
        #expect(status.stdout.contains("parameter title changed: \"Total\" → \"Suma\""))
        #expect(FixturePipeline.outcomes(try project.driver(["run"])) == ["numbers": "fresh", "sum": "fresh", "report": "built"])

        project.setPipeline(FixturePipeline.defaultPipeline.replacingOccurrences(of: "1000003", with: "999983"))
        #expect(FixturePipeline.outcomes(try project.driver(["run"])) == ["numbers": "fresh", "sum": "built", "report": "built"])

        // A preset overrides one parameter of one stage.
        #expect(FixturePipeline.outcomes(try project.driver(["run", "--preset", "loud"]))
                == ["numbers": "fresh", "sum": "fresh", "report": "built"])
    }

    @Test func versionBumpRerunsThatStageAndDownstream() throws {
        let project = FixturePipeline()
        try project.driver(["run"])
        let bumped = ["FIXTURE_NUMBERS_VERSION": "2"]
        let status = try project.driver(["status", "--json"], environment: bumped)
        let stages = status.json?["stages"] as? [[String: Any]] ?? []
        #expect((stages.first?["reasons"] as? [String]) == ["stage version changed: 1 → 2"])
        // numbers' bytes change (a version header), so sum reruns; sum's result is the same
        // number, so report, keyed by sum's bytes, is still fresh (early cut-off).
        #expect(FixturePipeline.outcomes(try project.driver(["run"], environment: bumped))
                == ["numbers": "built", "sum": "built", "report": "fresh"])
        #expect(FixturePipeline.outcomes(try project.driver(["run"], environment: bumped))
                == ["numbers": "fresh", "sum": "fresh", "report": "fresh"])
    }

    @Test func forceRebuildsOneStageWithTheSameBytes() throws {
        let project = FixturePipeline()
        let first = try project.driver(["run"])
        let forced = try project.driver(["run", "--force", "sum"])
        #expect(FixturePipeline.outcomes(forced) == ["numbers": "fresh", "sum": "built", "report": "fresh"])
        #expect(FixturePipeline.outputs(forced) == FixturePipeline.outputs(first))
    }

    @Test func fromAndUntilLimitTheStagesRun() throws {
        let project = FixturePipeline()
        #expect(FixturePipeline.outcomes(try project.driver(["run", "--until", "sum"])) == ["numbers": "built", "sum": "built"])
        let status = try project.driver(["status"])
        #expect(status.stdout.contains("report    never-run"))
        #expect(FixturePipeline.outcomes(try project.driver(["run", "--from", "report"])) == ["report": "built"])
    }

    @Test func standaloneStagePrintsItsOutputsAndRefusesStaleUpstream() throws {
        let project = FixturePipeline()
        let early = try project.driver(["--store", "store"], environment: ["FIXTURE_STAGE": "sum"])
        #expect(early.status == 6)
        #expect(early.stderr.contains("needs the output of numbers"))
        try project.driver(["run", "--until", "numbers"])
        let alone = try project.driver([], environment: ["FIXTURE_STAGE": "sum"])
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
        let project = FixturePipeline(Self.pipeline(delay: 0))
        project.dir.write("salt.txt", "uno")
        let first = try project.driver(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FixturePipeline.outcomes(try project.driver(["run"]))["numbers"] == "fresh")
        project.dir.write("salt.txt", "dos")
        let status = try project.driver(["status"])
        #expect(status.stdout.contains("input salt changed"))
        let second = try project.driver(["run"])
        #expect(FixturePipeline.outcomes(second)["numbers"] == "built")
        #expect(FixturePipeline.outputs(second)["numbers"] != FixturePipeline.outputs(first)["numbers"])
    }

    @Test func fileModifiedDuringTheRunIsNotRecorded() throws {
        let project = FixturePipeline(Self.pipeline(delay: 15))
        project.dir.write("salt.txt", "uno")
        let child = try project.start(["run"])
        usleep(150_000)
        project.dir.write("salt.txt", "tres")
        let result = child.wait()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("input salt of stage numbers changed while the stage ran"))
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 0)
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'failed'") == 1)
    }
}
