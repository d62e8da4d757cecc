import Foundation

/// A scratch project laid out like the repository — `store/` and `pipeline/pipeline.json` in a
/// fresh directory — driven through one built executable run in that directory.
open class ScratchProject {
    public let dir: TemporaryDirectory
    /// The built product `start` and `run` launch, and the environment they add.
    public let executable: String
    public let environment: [String: String]

    public var root: String { dir.path }
    public var storePath: String { dir.file("store") }
    public var pipelineFile: String { dir.file("pipeline/pipeline.json") }

    /// `linkData` links `pipeline/data` to the bundled data, for parameters relative to the
    /// pipeline file (`data/…`).
    public convenience init(_ label: String, pipeline: String, executable: String = "minillm",
                            environment: [String: String] = [:], linkData: Bool = false) {
        self.init(TemporaryDirectory(label), pipeline: pipeline, executable: executable, environment: environment,
                  linkData: linkData)
    }

    public init(_ dir: TemporaryDirectory, pipeline: String, executable: String, environment: [String: String],
                linkData: Bool) {
        self.dir = dir
        self.executable = executable
        self.environment = environment
        dir.directory("store")
        setPipeline(pipeline)
        if linkData {
            try! FileManager.default.createSymbolicLink(atPath: dir.file("pipeline/data"), withDestinationPath: Repo.path("pipeline/data"))
        }
    }

    public func setPipeline(_ json: String) { dir.write("pipeline/pipeline.json", json) }

    /// Starts `executable` (or another built product) with `arguments` in the project's directory.
    public func start(_ arguments: [String], executable other: String? = nil,
                      environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(BuiltProducts.path(other ?? executable), arguments, cwd: root,
                         environment: environment.merging(extra) { _, new in new })
    }

    @discardableResult
    public func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessResult {
        try start(arguments, environment: extra).wait()
    }
}

/// Polls `condition` every 20 ms; false if `seconds` pass first. Only a bound on waiting for a
/// child process: generous, since a busy machine is slow.
public func waitUntil(seconds: Double = 120, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < deadline else { return false }
        usleep(20_000)
    }
    return true
}

extension ScratchProject {
    /// numbers → sum → report of `minillm-fixture-driver` (Tests/Fixtures/FixtureDriver).
    public static let fixturePipeline = """
    {"preset": "base",
     "stages": {"numbers": {"count": 20000, "seed": 7}, "sum": {"modulus": 1000003}, "report": {"title": "Total"}},
     "presets": {"base": {}, "loud": {"report": {"shout": true}}}}
    """

    public static func fixtureDriver(_ pipeline: String = fixturePipeline) -> ScratchProject {
        ScratchProject("minillm-pipeline", pipeline: pipeline, executable: "minillm-fixture-driver")
    }
}
