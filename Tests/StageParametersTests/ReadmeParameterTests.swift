import Foundation
import MiniPipeline
import MinillmCommands
import StageParameters
import Testing

/// The README's parameter tables are the declarations rendered (`minillm-<stage> --describe-markdown`),
/// between `<!-- BEGIN minillm-<stage> --describe-markdown -->` and the matching END line, so the
/// docs cannot drift from the code. `MINILLM_UPDATE_README=1 swift test --filter ReadmeParameterTests`
/// rewrites the tables in place.
@Suite struct ReadmeParameterTests {
    static let path = PresetParameterTests.root + "/README.md"

    static func markers(_ stage: String) -> (begin: String, end: String) {
        ("<!-- BEGIN minillm-\(stage) --describe-markdown -->\n", "<!-- END minillm-\(stage) --describe-markdown -->")
    }

    @Test func readmeTablesAreTheDeclarations() throws {
        let readme = try String(contentsOfFile: Self.path, encoding: .utf8)
        var updated = readme
        for stage in Minillm.registry.stages {
            let (begin, end) = Self.markers(stage.name)
            guard let start = updated.range(of: begin), let stop = updated.range(of: end, range: start.upperBound..<updated.endIndex)
            else {
                Issue.record("README.md has no table of \(stage.name)'s parameters (\(begin.dropLast()) … \(end))")
                continue
            }
            let rendered = ParameterSpec.markdownTable(stage.parameters)
            let current = String(updated[start.upperBound..<stop.lowerBound])
            #expect(current == rendered, "README.md's table of \(stage.name) differs from the declarations: run \(Self.regenerate)")
            updated.replaceSubrange(start.upperBound..<stop.lowerBound, with: rendered)
        }
        if updated != readme, ProcessInfo.processInfo.environment["MINILLM_UPDATE_README"] == "1" {
            try updated.write(toFile: Self.path, atomically: true, encoding: .utf8)
        }
    }

    static let regenerate = "MINILLM_UPDATE_README=1 swift test --filter ReadmeParameterTests"
}

/// Properties every real stage's declarations must have.
@Suite struct StageDeclarationTests {
    @Test(arguments: Minillm.registry.stages.map(\.name))
    func declarationsAreSound(stage name: String) throws {
        let stage = try #require(Minillm.registry.stage(named: name))
        let names = stage.parameters.map(\.name)
        #expect(Set(names).count == names.count, "duplicate parameter names")
        for spec in stage.parameters {
            #expect(spec.check(spec.defaultValue) == .success(spec.defaultValue), "\(spec.name): default outside its range")
            #expect(spec.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(spec.name): not snake_case")
            #expect(!spec.help.isEmpty)
        }
    }
}
