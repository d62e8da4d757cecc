import Foundation
import StoreTestSupport
import Testing
import TestSupport

@Suite("Locking") struct ConcurrencyTests {
    static let slow = """
    {"stages": {"numbers": {"count": 200000, "chunk_delay_ms": 20}}}
    """

    /// Waits for a run row in state running rather than a fixed sleep, which a busy machine outlasts.
    static func waitForRunning(_ project: ScratchProject) -> Bool {
        waitUntil { (project.scalar("SELECT count(*) FROM runs WHERE status = 'running'")?.int ?? 0) > 0 }
    }

    @Test func twoDriversStartedTogetherBuildEachRunOnce() throws {
        let project = ScratchProject.fixtureDriver(Self.slow)
        let a = try project.start(["run"])
        let b = try project.start(["run"])
        let (ra, rb) = (a.wait(), b.wait())
        #expect(ra.status == 0, "\(ra.stderr)")
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(ra.stageOutputs() == rb.stageOutputs())
        #expect(try project.count("SELECT count(*) FROM runs") == 3)
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 3)
    }

    @Test func noWaitExitsWithBusyWhileAnotherBuilds() throws {
        let project = ScratchProject.fixtureDriver(Self.slow)
        let first = try project.start(["run"])
        try #require(Self.waitForRunning(project), "the first driver never started building")
        let second = try project.run(["run", "--no-wait"])
        #expect(second.status == 4)
        #expect(second.stderr.contains("being built by another process"))
        #expect(first.wait().status == 0)
    }

    @Test func lockOfAKilledProcessIsTakenOver() throws {
        let project = ScratchProject.fixtureDriver(Self.slow)
        let victim = try project.start(["run"])
        try #require(Self.waitForRunning(project), "the victim never started building")
        victim.kill()
        _ = victim.wait()
        let next = try project.run(["run", "--no-wait"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'abandoned'") >= 1)
    }
}
