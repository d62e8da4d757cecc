import Foundation
import StoreTestSupport
import Testing
import TestSupport

@Suite("Crash safety and corruption") struct CrashSafetyTests {
    static let slowPipeline = """
    {"stages": {"numbers": {"count": 300000, "seed": 3, "chunk_delay_ms": 8}}}
    """

    @Test func killNineAtRandomInstantsLeavesAConsistentStore() throws {
        let reference = ScratchProject.fixtureDriver(Self.slowPipeline)
        let expected = try reference.run(["run"]).stageOutputs()
        #expect(expected.count == 3)

        let project = ScratchProject.fixtureDriver(Self.slowPipeline)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let child = try project.start(["run"])
            usleep(UInt32.random(in: 0...300_000, using: &generator))
            child.kill()
            _ = child.wait()
            for object in try project.objectFiles() { #expect(object.matches, "object \(object.name) differs from its name") }
        }
        let final = try project.run(["run"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stageOutputs() == expected)
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'running'") == 0)
        let verify = try project.run(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        _ = try project.run(["gc"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.storePath + "/tmp").isEmpty)
        #expect(try project.objectFiles().allSatisfy(\.matches))
    }

    /// A partial file that no checkpoint can resume (its run was forced, or its key abandoned) is
    /// removed by `gc`, and said so.
    @Test func gcRemovesPartialFilesThatNoRunCanResume() throws {
        let project = ScratchProject.fixtureDriver()
        #expect(try project.run(["run"]).status == 0)
        let stale = project.storePath + "/partial/" + String(repeating: "0", count: 64) + "-extract"
        try FileManager.default.createDirectory(atPath: project.storePath + "/partial", withIntermediateDirectories: true)
        try Data("half of an artifact".utf8).write(to: URL(fileURLWithPath: stale))
        let dry = try project.run(["gc", "--dry-run"])
        #expect(dry.stdout.contains("would remove  \(stale)"), "\(dry.stdout)")
        #expect(FileManager.default.fileExists(atPath: stale))
        let gc = try project.run(["gc"])
        #expect(gc.status == 0 && gc.stdout.contains("removed  \(stale)"), "\(gc.stdout)\(gc.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func flippedByteIsNamedRefusedAndRebuilt() throws {
        let project = ScratchProject.fixtureDriver()
        let first = try project.run(["run"])
        let sum = try #require(first.stageOutputs()["sum"])
        let path = "\(project.storePath)/objects/\(sum.prefix(2))/\(sum)"
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))

        let verify = try project.run(["verify"])
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("corrupt  \(sum)"))

        let downstream = try project.run(["--input", "sum=\(sum)", "--force"], environment: ["FIXTURE_STAGE": "report"])
        #expect(downstream.status == 3)
        #expect(downstream.stderr.contains("object \(sum) is corrupt"))

        let rerun = try project.run(["run"])
        #expect(rerun.stageOutcomes == ["numbers": "fresh", "sum": "built", "report": "fresh"])
        #expect(rerun.stageOutputs() == first.stageOutputs())
        #expect(try project.run(["verify"]).status == 0)
    }
}
