import Foundation
import MiniStore
import TestSupport

/// A scratch project (store + pipeline file) driven by `minillm-fixture-driver`.
final class FixturePipeline {
    let dir = TemporaryDirectory("minillm-pipeline")
    var storePath: String { dir.file("store") }

    init(_ pipelineJSON: String = FixturePipeline.defaultPipeline) {
        try! FileManager.default.createDirectory(atPath: storePath, withIntermediateDirectories: true)
        setPipeline(pipelineJSON)
    }

    static let defaultPipeline = """
    {"preset": "base",
     "stages": {"numbers": {"count": 20000, "seed": 7}, "sum": {"modulus": 1000003}, "report": {"title": "Total"}},
     "presets": {"base": {}, "loud": {"report": {"shout": true}}}}
    """

    func setPipeline(_ json: String) { dir.write("pipeline/pipeline.json", json) }

    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(BuiltProducts.path("minillm-fixture-driver"), arguments, cwd: dir.path, environment: environment)
    }

    @discardableResult
    func driver(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try start(arguments, environment: environment).wait()
    }

    /// Stage name → "built" or "fresh", from `run`'s JSON.
    static func outcomes(_ result: ProcessResult) -> [String: String] {
        let stages = result.json?["stages"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: stages.map { ($0["stage"] as! String, $0["status"] as! String) })
    }

    static func outputs(_ result: ProcessResult) -> [String: String] {
        let stages = result.json?["stages"] as? [[String: Any]] ?? []
        var all: [String: String] = [:]
        for stage in stages { for (role, hash) in stage["outputs"] as? [String: String] ?? [:] { all[role] = hash } }
        return all
    }

    func catalogue() throws -> SQLiteDatabase { try SQLiteDatabase(path: storePath + "/catalogue.sqlite") }

    func count(_ sql: String) throws -> Int64 { try catalogue().query(sql).first?.values.first?.int ?? -1 }

    /// Every file under objects/, with whether its bytes hash to its name.
    func objectFiles() throws -> [(name: String, matches: Bool)] {
        var result: [(String, Bool)] = []
        let objects = storePath + "/objects"
        // A process killed before it laid out the store leaves no objects/ yet.
        guard FileManager.default.fileExists(atPath: objects) else { return [] }
        for fan in try FileManager.default.contentsOfDirectory(atPath: objects) {
            for name in try FileManager.default.contentsOfDirectory(atPath: objects + "/" + fan) {
                let (hash, _) = try FileHashing.hash(fileAt: "\(objects)/\(fan)/\(name)")
                result.append((name, hash.hex == name))
            }
        }
        return result
    }

    /// A fingerprint of the catalogue's rows and the object files, to prove a command changed nothing.
    func snapshot() throws -> String {
        guard FileManager.default.fileExists(atPath: storePath + "/catalogue.sqlite") else { return "no catalogue" }
        let db = try catalogue()
        let rows = try db.query("SELECT id || ' ' || status || ' ' || cache_key AS r FROM runs ORDER BY id")
            + db.query("SELECT hash || ' ' || ifnull(removed_at, '-') AS r FROM artifacts ORDER BY hash")
        return rows.map { $0["r"]?.string ?? "" }.joined(separator: "\n") + "\n" + (try objectFiles().map(\.name).sorted().joined(separator: ","))
    }
}
