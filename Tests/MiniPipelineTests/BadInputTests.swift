import Foundation
import StoreTestSupport
import Testing
import TestSupport

@Suite("Bad input") struct BadInputTests {
    func expectRefused(_ project: ScratchProject, _ arguments: [String], status: Int32, mentions: [String]) throws {
        let before = try project.snapshot()
        let result = try project.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        for text in mentions { #expect(result.stderr.contains(text), "\(result.stderr) should mention \(text)") }
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear message: \(result.stderr)")
        #expect(try project.snapshot() == before)
    }

    @Test func malformedPipelineFiles() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        let cases: [(String, [String])] = [
            ("{\"stages\": {", ["pipeline/pipeline.json", "not valid JSON"]),
            ("{\"stages\": {\"numbers\": {\"cout\": 3}}}", ["stages.numbers.cout", "unknown parameter"]),
            ("{\"stages\": {\"numbers\": {\"count\": \"many\"}}}", ["stages.numbers.count", "expected an integer"]),
            ("{\"stages\": {\"numbers\": {\"count\": 0}}}", ["stages.numbers.count", "outside 1"]),
            ("{\"stages\": {\"numbers\": {\"count\": 2.5}}}", ["stages.numbers.count", "expected an integer"]),
            ("{\"stages\": {\"report\": {\"shout\": 1}}}", ["stages.report.shout", "expected true or false"]),
            ("{\"stages\": {\"nope\": {}}}", ["stages.nope", "unknown stage"]),
            ("{\"stage\": {}}", ["stage", "unknown key"]),
            ("{\"preset\": \"x\", \"presets\": {}}", ["preset", "no preset named"]),
        ]
        for (json, mentions) in cases {
            project.setPipeline(json)
            try expectRefused(project, ["run"], status: 2, mentions: mentions)
        }
    }

    @Test func unknownStagePresetAndHash() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        try expectRefused(project, ["run", "--until", "train"], status: 2, mentions: ["unknown stage \"train\""])
        try expectRefused(project, ["run", "--preset", "huge"], status: 2, mentions: ["unknown preset \"huge\""])
        try expectRefused(project, ["show", "deadbeef"], status: 3, mentions: ["no artifact deadbeef"])
        try expectRefused(project, ["cat", "0123456789abcdef"], status: 3, mentions: ["no artifact"])
    }

    @Test func missingStore() throws {
        let project = ScratchProject.fixtureDriver()
        let result = try project.run(["run", "--store", "elsewhere"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("store directory elsewhere does not exist"))
        #expect(!FileManager.default.fileExists(atPath: project.dir.file("elsewhere")))
    }

    @Test func readOnlyStore() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        let before = try project.snapshot()
        let result: ProcessResult
        if geteuid() == 0 {
            // Root ignores permission bits: run the driver as an unprivileged user instead.
            chmod(project.dir.path, 0o755)
            result = try ChildProcess.run("/usr/bin/setpriv",
                                          ["--reuid=65534", "--regid=65534", "--clear-groups",
                                           BuiltProducts.path("minillm-fixture-driver"), "run"], cwd: project.dir.path)
        } else {
            chmod(project.storePath, 0o555)
            result = try project.run(["run"])
            chmod(project.storePath, 0o755)
        }
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is not writable"))
        #expect(try project.snapshot() == before)
    }
}
