import Foundation
import MiniStore
import TestSupport

/// A scratch project whose pipeline runs every real stage on 50 real articles with a tiny
/// model, through the real `minillm` executable.
final class TinyProject {
    let dir = TemporaryDirectory("minillm-e2e")
    var storePath: String { dir.file("store") }

    static let corpus = BuiltProducts.packageRoot + "/Tests/Fixtures/eswiki-articles.jsonl"

    init(trainSteps: Int = 60) {
        try! FileManager.default.createDirectory(atPath: storePath, withIntermediateDirectories: true)
        dir.write("pipeline/pipeline.json", """
        {"stages": {
          "extract": {"sample_file": "\(Self.corpus)"},
          "clean": {"min_chars": 200, "near_duplicate_threshold": 0},
          "vocab": {"bpe_vocab_size": 400},
          "train": {"width": 32, "layers": 1, "heads": 2, "context": 16, "batch_size": 4, "dropout": 0.1,
                    "lr": 0.003, "warmup_steps": 5, "max_steps": \(trainSteps), "eval_every": 20, "eval_batches": 2,
                    "checkpoint_every": 5, "patience": 0}
        }}
        """)
    }

    func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(BuiltProducts.path("minillm"), arguments, cwd: dir.path, environment: ["MINILLM_THREADS": "2"])
    }

    @discardableResult
    func minillm(_ arguments: [String]) throws -> ProcessResult { try start(arguments).wait() }

    func catalogue() throws -> SQLiteDatabase { try SQLiteDatabase(path: storePath + "/catalogue.sqlite") }

    /// nil until the catalogue exists and has its tables (a starting process may be creating them).
    func scalar(_ sql: String) -> SQLValue? {
        guard FileManager.default.fileExists(atPath: storePath + "/catalogue.sqlite") else { return nil }
        return (try? catalogue().query(sql))?.first?.values.first
    }

    static func outputs(_ result: ProcessResult) -> [String: String] {
        var all: [String: String] = [:]
        for stage in result.json?["stages"] as? [[String: Any]] ?? [] {
            for (role, hash) in stage["outputs"] as? [String: String] ?? [:] { all["\(stage["stage"]!).\(role)"] = hash }
        }
        return all
    }
}
