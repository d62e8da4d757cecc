import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// The README's exit-code table, walked: every code it lists is what the driver does in a case
/// of that row, and every code the driver uses is in the table.
@Suite("Exit codes", .serialized) struct ExitCodeTableTests {
    /// Code → meaning, from the table under "### Exit codes" in README.md.
    static func readmeTable() throws -> [Int32: String] {
        let readme = try String(contentsOfFile: Repo.path("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Exit codes").dropFirst().first)
        var table: [Int32: String] = [:]
        for line in section.split(separator: "\n").prefix(while: { !$0.hasPrefix("#") }) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if let code = Int32(cells[0]) { table[code] = cells.dropFirst().joined() }
        }
        return table
    }

    /// A case for each code, run on a fresh fixture project.
    static var cases: [Int32: (ScratchProject) throws -> ProcessResult] { [
        0: { try $0.run(["run"]) },
        1: { project in
            project.setPipeline(#"{"stages": {"report": {"fail": true}}}"#)
            return try project.run(["run"])
        },
        2: { try $0.run(["run", "--bogus"]) },
        3: { try $0.run(["show", "0123456789abcdef"]) },
        4: { project in
            project.setPipeline(ConcurrencyTests.slow)
            let first = try project.start(["run"])
            try #require(ConcurrencyTests.waitForRunning(project))
            let busy = try project.run(["run", "--no-wait"])
            _ = first.wait()
            return busy
        },
        5: { project in
            let sum = try #require(try project.run(["run"]).stageOutputs()["sum"])
            unlink("\(project.storePath)/objects/\(sum.prefix(2))/\(sum)")
            return try project.run(["verify"])
        },
        6: { try $0.run([], environment: ["FIXTURE_STAGE": "sum"]) },
        130: { project in
            project.setPipeline(SignalTests.slow)
            return try SignalTests.interrupt(project, grace: 0.2, [SIGINT])
        },
        143: { project in
            project.setPipeline(SignalTests.slow)
            return try SignalTests.interrupt(project, grace: 0.2, [SIGTERM])
        },
    ] }

    @Test func everyDocumentedCodeIsWhatTheDriverDoes() throws {
        let table = try Self.readmeTable()
        #expect(Set(table.keys) == Set(Self.cases.keys), "README codes \(table.keys.sorted()) vs tested \(Self.cases.keys.sorted())")
        for (code, meaning) in table.sorted(by: { $0.key < $1.key }) {
            guard let scenario = Self.cases[code] else { continue }
            let result = try scenario(ScratchProject.fixtureDriver())
            #expect(result.status == code, "exit \(code) (\(meaning)): got \(result.status): \(result.stderr)")
        }
    }
}
