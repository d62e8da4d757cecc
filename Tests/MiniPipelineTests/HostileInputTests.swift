import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// What a hostile user gives the generic driver (through `minillm-fixture-driver`): each case is
/// refused in one bounded line with its documented exit code, before anything runs, and leaves
/// the store as it was.
@Suite("Hostile input") struct HostileInputTests {
    func expectRefused(_ project: ScratchProject, _ arguments: [String], status: Int32, mentions: [String],
                       environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try project.snapshot()
        let result = try project.run(arguments, environment: environment)
        #expect(result.status == status, "\(arguments.map { $0.prefix(80) }): \(result.stderr.prefix(500))", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(result.stderr.contains(text), "\(result.stderr.prefix(500)) should mention \(text)", sourceLocation: sourceLocation)
        }
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr.prefix(500))", sourceLocation: sourceLocation)
        #expect(result.stderr.count < 1000, "bounded: \(result.stderr.count) characters", sourceLocation: sourceLocation)
        #expect(try project.snapshot() == before, sourceLocation: sourceLocation)
    }

    @Test func commandLinesThatDoNotParseAreUsageErrors() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        try expectRefused(project, ["frobnicate"], status: 2, mentions: ["frobnicate"])
        try expectRefused(project, ["run", "--bogus"], status: 2, mentions: ["--bogus", "minillm run --help"])
        try expectRefused(project, ["run", "--store"], status: 2, mentions: ["--store"])
        try expectRefused(project, ["--bogus"], status: 2, mentions: ["--bogus"], environment: ["FIXTURE_STAGE": "report"])
        try expectRefused(project, ["run", "--from", "report", "--until", "numbers"], status: 2,
                          mentions: ["selects no stage", "report runs after numbers"])
        try expectRefused(project, ["run", "--until", "sun"], status: 2, mentions: ["did you mean sum?"])
        #expect(try project.run(["--help"]).status == 0)
        let hash = try project.run(["hash", "--store", "store", "pipeline/pipeline.json"])
        #expect(hash.status == 0 && hash.stdout.hasSuffix("  pipeline/pipeline.json\n"), "\(hash.stderr)")
    }

    @Test func hashArgumentsAndInputOverrides() throws {
        let project = ScratchProject.fixtureDriver()
        let outputs = try project.run(["run"]).stageOutputs()
        let (numbers, sum) = (try #require(outputs["numbers"]), try #require(outputs["sum"]))
        let report = ["FIXTURE_STAGE": "report"]
        try expectRefused(project, ["show", "abc"], status: 2, mentions: ["\"abc\"", "at least 4 hex digits"])
        try expectRefused(project, ["show", "sumx"], status: 2, mentions: ["unknown stage \"sumx\"", "did you mean sum?"])
        try expectRefused(project, ["--input", "sum=ffff0000"], status: 3, mentions: ["no artifact ffff0000"], environment: report)
        try expectRefused(project, ["--input", "total=\(sum)"], status: 2, mentions: ["ROLE one of sum"], environment: report)
        try expectRefused(project, ["--input", "sum"], status: 2, mentions: ["expected ROLE=HASH"], environment: report)
        try expectRefused(project, ["--input", "sum=\(numbers.prefix(12))"], status: 2,
                          mentions: ["test-numbers artifact (output numbers of stage numbers)", "takes output sum of stage sum"],
                          environment: report)
        let good = try project.run(["--input", "sum=\(sum.prefix(8))", "--force"], environment: report)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.hasSuffix("}\n"), "JSON and a newline: \(good.stdout)")
    }

    /// A 5 MB key, value or name is quoted in 200 characters and a count of the rest.
    @Test func gigantValuesAreQuotedBounded() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        let huge = String(repeating: "x", count: 5_000_000)
        for json in [#"{"stages": {"numbers": {"count": "\#(huge)"}}}"#, #"{"stages": {"numbers": {"\#(huge)": 1}}}"#,
                     #"{"stages": {"\#(huge)": {}}}"#, #"{"preset": "\#(huge)", "presets": {}}"#,
                     #"{"presets": {"p": {"numbers": {"seed": "\#(huge)"}}}}"#] {
            project.setPipeline(json)
            try expectRefused(project, ["run"], status: 2, mentions: ["more characters"])
        }
        // One argument of a command line can be at most 128 KiB (Linux).
        project.setPipeline(ScratchProject.fixturePipeline)
        try expectRefused(project, ["run", "--preset", String(huge.prefix(100_000))], status: 2,
                          mentions: ["unknown preset", "99800 more characters"])
    }

    @Test func pipelineFilesThatAreNotOneUTF8JSONFile() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        project.dir.directory("adir")
        project.dir.write("empty.json", "")
        try Data("{\"stages\": {}}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: URL(fileURLWithPath: project.dir.file("le.json")))
        try (Data([0xFF, 0xFE]) + "{}".data(using: .utf16LittleEndian)!).write(to: URL(fileURLWithPath: project.dir.file("bom.json")))
        try Data([0x7B, 0xFF, 0xFE, 0x7D]).write(to: URL(fileURLWithPath: project.dir.file("latin.json")))
        let cases: [(String, String)] = [("adir", "is a directory"), ("/dev/null", "is a character device"),
                                         ("empty.json", "the file is empty"), ("le.json", "the file is UTF-16"),
                                         ("bom.json", "the file is UTF-16"), ("latin.json", "the file is not valid UTF-8"), ("nowhere.json", "does not exist")]
        for (file, reason) in cases {
            try expectRefused(project, ["run", "--pipeline", file], status: 2, mentions: ["\(file): \(reason)"])
        }
        project.setPipeline(#"{"stages": {"numbers": {"count": true}}}"#)
        try expectRefused(project, ["run"], status: 2, mentions: ["stages.numbers.count: expected an integer, got true"])
    }

    @Test func aStoreThatIsAFile() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        project.dir.write("afile", "not a store")
        try expectRefused(project, ["run", "--store", "afile"], status: 3, mentions: ["store afile is not a directory"])
    }

    /// A FIFO would block the driver (and could be read only once): refused up front, like a
    /// directory, a missing file or an empty path.
    @Test func externalFilesThatAreNotRegularFiles() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run"])
        #expect(mkfifo(project.dir.file("pipeline/fifo"), 0o644) == 0)
        project.dir.directory("pipeline/adir")
        for (file, reason) in [("fifo", "is a FIFO"), ("adir", "is a directory"), ("gone.txt", "does not exist"), (".", "is a directory")] {
            project.setPipeline(#"{"stages": {"numbers": {"salt_file": "\#(file)"}}}"#)
            try expectRefused(project, ["run"], status: 2, mentions: ["stage numbers: input file salt \(file) \(reason)"])
            try expectRefused(project, ["status"], status: 2, mentions: [reason])
        }
    }

    /// A link is followed: a change of its target is a change of the input.
    @Test func aSymbolicLinkToAnExternalFileFollowsItsTarget() throws {
        let project = ScratchProject.fixtureDriver(#"{"stages": {"numbers": {"salt_file": "salt.txt"}}}"#)
        project.dir.write("uno.txt", "uno")
        try FileManager.default.createSymbolicLink(atPath: project.dir.file("pipeline/salt.txt"), withDestinationPath: project.dir.file("uno.txt"))
        let first = try project.run(["run", "--until", "numbers"])
        #expect(first.status == 0, "\(first.stderr)")
        project.dir.write("uno.txt", "dos, longer")
        let second = try project.run(["run", "--until", "numbers"])
        #expect(second.stageOutcomes["numbers"] == "built", "\(second.stderr)")
        #expect(second.stageOutputs()["numbers"] != first.stageOutputs()["numbers"])
    }

    /// Parameters that conflict are refused before the first stage runs, not when their stage comes.
    @Test func conflictingParametersAreRefusedBeforeAnyStageRuns() throws {
        let project = ScratchProject.fixtureDriver()
        try project.run(["run", "--until", "numbers"])
        project.setPipeline(#"{"stages": {"numbers": {"count": 500}, "report": {"shout": true, "title": ""}}}"#)
        try expectRefused(project, ["run"], status: 2, mentions: ["pipeline/pipeline.json: stage report: shout needs a title"])
        #expect(try project.count("SELECT count(*) FROM runs") == 1, "numbers, with its new count, did not run")
        #expect(try project.run(["run", "--until", "sum"]).status == 0, "a range without report does not check it")
    }
}
