import Foundation
import Testing
import TestSupport

@Suite("Locking") struct ConcurrencyTests {
    static let slow = """
    {"stages": {"numbers": {"count": 200000, "chunk_delay_ms": 20}}}
    """

    @Test func twoDriversStartedTogetherBuildEachRunOnce() throws {
        let project = FixturePipeline(Self.slow)
        let a = try project.start(["run"])
        let b = try project.start(["run"])
        let (ra, rb) = (a.wait(), b.wait())
        #expect(ra.status == 0, "\(ra.stderr)")
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(FixturePipeline.outputs(ra) == FixturePipeline.outputs(rb))
        #expect(try project.count("SELECT count(*) FROM runs") == 3)
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 3)
    }

    @Test func noWaitExitsWithBusyWhileAnotherBuilds() throws {
        let project = FixturePipeline(Self.slow)
        let first = try project.start(["run"])
        usleep(150_000)
        let second = try project.driver(["run", "--no-wait"])
        #expect(second.status == 4)
        #expect(second.stderr.contains("being built by another process"))
        #expect(first.wait().status == 0)
    }

    @Test func lockOfAKilledProcessIsTakenOver() throws {
        let project = FixturePipeline(Self.slow)
        let victim = try project.start(["run"])
        usleep(200_000)
        victim.kill()
        _ = victim.wait()
        let next = try project.driver(["run", "--no-wait"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try project.count("SELECT count(*) FROM runs WHERE status = 'abandoned'") >= 1)
    }
}
