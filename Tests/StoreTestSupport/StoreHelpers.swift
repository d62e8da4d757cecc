import Foundation
import MiniStore
import TestSupport

extension TemporaryDirectory {
    /// Opens (creating) a store in the subdirectory `name`.
    public func makeStore(_ name: String = "store") throws -> Store {
        try Store(at: directory(name))
    }
}

extension Store {
    /// A JSON Lines artifact, one object a line.
    public func jsonLines(_ hash: ArtifactHash) throws -> [[String: Any]] {
        String(decoding: try data(hash), as: UTF8.self).split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
    }
}

/// The project's store as files and catalogue rows, read directly (not through `Store`).
extension ScratchProject {
    public func catalogue() throws -> SQLiteDatabase { try SQLiteDatabase(path: storePath + "/catalogue.sqlite") }

    /// The first column of the first row; -1 when there is none.
    public func count(_ sql: String) throws -> Int64 { try catalogue().query(sql).first?.values.first?.int ?? -1 }

    /// nil until the catalogue exists and has its tables (a starting process may be creating them).
    public func scalar(_ sql: String) -> SQLValue? {
        guard FileManager.default.fileExists(atPath: storePath + "/catalogue.sqlite") else { return nil }
        return (try? catalogue().query(sql))?.first?.values.first
    }

    /// Every file under objects/, with whether its bytes hash to its name.
    public func objectFiles() throws -> [(name: String, matches: Bool)] {
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
    public func snapshot() throws -> String {
        guard FileManager.default.fileExists(atPath: storePath + "/catalogue.sqlite") else { return "no catalogue" }
        let db = try catalogue()
        let rows = try db.query("SELECT id || ' ' || status || ' ' || cache_key AS r FROM runs ORDER BY id")
            + db.query("SELECT hash || ' ' || ifnull(removed_at, '-') AS r FROM artifacts ORDER BY hash")
        return rows.map { $0["r"]?.string ?? "" }.joined(separator: "\n") + "\n" + (try objectFiles().map(\.name).sorted().joined(separator: ","))
    }
}
