import Foundation

public struct ArtifactRecord: Equatable, Sendable {
    public let hash: ArtifactHash
    public let kind: String
    public let mediaType: String
    public let size: Int64
    public let createdAt: String
    public let verifiedAt: String?
    public let verifiedMtimeNs: Int64?
    public let removedAt: String?
}

public enum RunStatus: String, Sendable { case running, succeeded, failed, abandoned }

public struct RunRecord: Equatable, Sendable {
    public let id: Int64
    public let stage: String
    public let cacheKey: String
    public let stageVersion: Int
    public let parameters: String
    public let status: RunStatus
    public let startedAt: String
    public let endedAt: String?
    public let durationSeconds: Double?
    public let error: String?
    public let host: String
    public let pid: Int32
    public var inputs: [String: ArtifactHash]
    public var outputs: [String: ArtifactHash]
}

public struct CheckpointRecord: Equatable, Sendable {
    public let name: String
    public let hash: ArtifactHash
    public let step: Int64
}

/// The SQLite catalogue: what the store holds, which runs made it, and their metrics.
///
/// Every line of SQL in minillm is in this target: callers ask named questions (this file, and
/// `CatalogueQueries.swift` for inspection), never write queries of their own.
public final class Catalogue {
    let db: SQLiteDatabase

    public init(path: String) throws {
        db = try SQLiteDatabase(path: path)
        try db.executeRetryingWhileBusy("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        try migrate()
    }

    private func migrate() throws {
        let current = Int(try db.query("PRAGMA user_version").first?["user_version"]?.int ?? 0)
        guard current <= CatalogueSchema.latestVersion else {
            throw StoreError.schemaTooNew(found: current, supported: CatalogueSchema.latestVersion)
        }
        for version in (current + 1)...max(current + 1, CatalogueSchema.latestVersion)
        where version <= CatalogueSchema.latestVersion {
            let migration = CatalogueSchema.migrations[version - 1]
            try db.transaction {
                // Another process may have migrated while this one waited for the write lock.
                let now = Int(try db.query("PRAGMA user_version").first?["user_version"]?.int ?? 0)
                guard now < version else { return }
                try db.execute(migration.sql)
                try db.query("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                             [.integer(Int64(version)), .text(migration.description), .text(Timestamp.now())])
                try db.execute("PRAGMA user_version = \(version)")
            }
        }
    }

    // MARK: Artifacts

    public func recordArtifact(_ hash: ArtifactHash, kind: String, mediaType: String, size: Int64,
                               mtimeNs: Int64) throws {
        let now = Timestamp.now()
        try db.query("""
            INSERT INTO artifacts (hash, kind, media_type, size, created_at, verified_at, verified_mtime_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(hash) DO UPDATE SET removed_at = NULL, verified_at = excluded.verified_at,
                verified_mtime_ns = excluded.verified_mtime_ns
            """, [.text(hash.hex), .text(kind), .text(mediaType), .integer(size), .text(now), .text(now), .integer(mtimeNs)])
    }

    public func recordMembers(of manifest: ArtifactHash, _ members: [(role: String, hash: ArtifactHash)]) throws {
        for member in members {
            try db.query("INSERT OR REPLACE INTO artifact_members VALUES (?, ?, ?)",
                         [.text(manifest.hex), .text(member.role), .text(member.hash.hex)])
        }
    }

    public func members(of manifest: ArtifactHash) throws -> [(role: String, hash: ArtifactHash)] {
        try db.query("SELECT role, member FROM artifact_members WHERE manifest = ? ORDER BY role",
                     [.text(manifest.hex)]).compactMap { row in
            guard let role = row["role"]?.string, let hash = row["member"]?.string.flatMap(ArtifactHash.init) else { return nil }
            return (role, hash)
        }
    }

    public func markVerified(_ hash: ArtifactHash, mtimeNs: Int64) throws {
        try db.query("UPDATE artifacts SET verified_at = ?, verified_mtime_ns = ? WHERE hash = ?",
                     [.text(Timestamp.now()), .integer(mtimeNs), .text(hash.hex)])
    }

    public func markRemoved(_ hash: ArtifactHash) throws {
        try db.query("UPDATE artifacts SET removed_at = ? WHERE hash = ?", [.text(Timestamp.now()), .text(hash.hex)])
    }

    public func artifact(_ hash: ArtifactHash) throws -> ArtifactRecord? {
        try db.query("SELECT * FROM artifacts WHERE hash = ?", [.text(hash.hex)]).first.map(Self.artifactRecord)
    }

    /// Artifacts present in the store (not removed by `gc`), oldest first.
    public func presentArtifacts() throws -> [ArtifactRecord] {
        try db.query("SELECT * FROM artifacts WHERE removed_at IS NULL ORDER BY created_at, hash").map(Self.artifactRecord)
    }

    /// Resolves a full hash or a unique prefix of at least 4 hex digits.
    public func resolve(prefix: String) throws -> ArtifactHash {
        let lower = prefix.lowercased()
        guard lower.allSatisfy(\.isHexDigit), lower.count <= 64 else {
            throw StoreError.badHashPrefix(prefix.count > 80 ? prefix.prefix(80) + "…" : prefix,
                                          reason: "a hash is 64 hex digits (0-9, a-f)")
        }
        guard lower.count >= 4 else {
            throw StoreError.badHashPrefix(prefix, reason: "give at least 4 hex digits (a unique prefix of the hash)")
        }
        let rows = try db.query("SELECT hash FROM artifacts WHERE hash >= ? AND hash < ? LIMIT 2",
                                [.text(lower), .text(lower + "g")])
        guard let first = rows.first?["hash"]?.string, let hash = ArtifactHash(first) else {
            throw StoreError.unknownHash(prefix)
        }
        if rows.count > 1 {
            let count = try db.query("SELECT count(*) AS n FROM artifacts WHERE hash >= ? AND hash < ?",
                                     [.text(lower), .text(lower + "g")]).first?["n"]?.int ?? 2
            throw StoreError.ambiguousPrefix(prefix, matches: Int(count))
        }
        return hash
    }

    static func artifactRecord(_ row: SQLRow) -> ArtifactRecord {
        ArtifactRecord(hash: ArtifactHash(row["hash"]?.string ?? "")!, kind: row["kind"]?.string ?? "",
                       mediaType: row["media_type"]?.string ?? "", size: row["size"]?.int ?? 0,
                       createdAt: row["created_at"]?.string ?? "", verifiedAt: row["verified_at"]?.string,
                       verifiedMtimeNs: row["verified_mtime_ns"]?.int, removedAt: row["removed_at"]?.string)
    }

    // MARK: Runs

    public func beginRun(stage: String, cacheKey: String, stageVersion: Int, parameters: String,
                         inputs: [String: ArtifactHash]) throws -> Int64 {
        try db.transaction {
            try db.query("""
                INSERT INTO runs (stage, cache_key, stage_version, parameters, status, started_at, host, pid)
                VALUES (?, ?, ?, ?, 'running', ?, ?, ?)
                """, [.text(stage), .text(cacheKey), .integer(Int64(stageVersion)), .text(parameters),
                      .text(Timestamp.now()), .text(ProcessInfo.processInfo.hostName),
                      .integer(Int64(getpid()))])
            let id = db.lastInsertRowID
            for (role, hash) in inputs.sorted(by: { $0.key < $1.key }) {
                try db.query("INSERT INTO run_inputs VALUES (?, ?, ?)", [.integer(id), .text(role), .text(hash.hex)])
            }
            return id
        }
    }

    public func finishRun(_ id: Int64, outputs: [String: ArtifactHash]) throws {
        try db.transaction {
            for (role, hash) in outputs.sorted(by: { $0.key < $1.key }) {
                try db.query("INSERT INTO run_outputs VALUES (?, ?, ?)", [.integer(id), .text(role), .text(hash.hex)])
            }
            try end(id, status: .succeeded, error: nil)
        }
    }

    public func failRun(_ id: Int64, error: String) throws {
        try end(id, status: .failed, error: error)
    }

    private func end(_ id: Int64, status: RunStatus, error: String?) throws {
        try db.query("""
            UPDATE runs SET status = ?, ended_at = ?, error = ?,
                duration_s = (julianday(?) - julianday(started_at)) * 86400.0
            WHERE id = ?
            """, [.text(status.rawValue), .text(Timestamp.now()), error.map(SQLValue.text) ?? .null,
                  .text(Timestamp.now()), .integer(id)])
    }

    /// Marks `running` rows of this key abandoned; call only while holding the key's lock.
    @discardableResult
    public func abandonRuns(cacheKey: String) throws -> Int {
        let rows = try db.query("SELECT id FROM runs WHERE cache_key = ? AND status = 'running'", [.text(cacheKey)])
        for row in rows {
            try db.query("""
                UPDATE runs SET status = 'abandoned', ended_at = ?, error = 'process died before the run finished'
                WHERE id = ?
                """, [.text(Timestamp.now()), row["id"] ?? .null])
        }
        return rows.count
    }

    /// Runs matching a fixed clause of this target (never a caller's text), newest first.
    func runs(where clause: String, _ arguments: [SQLValue] = [], limit: Int = 1_000_000) throws -> [RunRecord] {
        try db.query("SELECT * FROM runs WHERE \(clause) ORDER BY id DESC LIMIT \(limit)", arguments).map(runRecord)
    }

    public func succeededRun(cacheKey: String) throws -> RunRecord? {
        try runs(where: "cache_key = ? AND status = 'succeeded'", [.text(cacheKey)], limit: 1).first
    }

    public func latestSucceededRun(stage: String) throws -> RunRecord? {
        try runs(where: "stage = ? AND status = 'succeeded'", [.text(stage)], limit: 1).first
    }

    /// Every succeeded run of `stage`, newest first.
    public func succeededRuns(stage: String) throws -> [RunRecord] {
        try runs(where: "stage = ? AND status = 'succeeded'", [.text(stage)])
    }

    public func run(id: Int64) throws -> RunRecord? {
        try runs(where: "id = ?", [.integer(id)], limit: 1).first
    }

    private func runRecord(_ row: SQLRow) throws -> RunRecord {
        let id = row["id"]?.int ?? 0
        func roles(_ table: String) throws -> [String: ArtifactHash] {
            var result: [String: ArtifactHash] = [:]
            for r in try db.query("SELECT role, hash FROM \(table) WHERE run_id = ?", [.integer(id)]) {
                if let role = r["role"]?.string, let hash = r["hash"]?.string.flatMap(ArtifactHash.init) { result[role] = hash }
            }
            return result
        }
        return RunRecord(id: id, stage: row["stage"]?.string ?? "", cacheKey: row["cache_key"]?.string ?? "",
                         stageVersion: Int(row["stage_version"]?.int ?? 0), parameters: row["parameters"]?.string ?? "",
                         status: RunStatus(rawValue: row["status"]?.string ?? "") ?? .failed,
                         startedAt: row["started_at"]?.string ?? "", endedAt: row["ended_at"]?.string,
                         durationSeconds: row["duration_s"]?.double, error: row["error"]?.string,
                         host: row["host"]?.string ?? "", pid: Int32(row["pid"]?.int ?? 0),
                         inputs: try roles("run_inputs"), outputs: try roles("run_outputs"))
    }

    // MARK: Metrics

    public func addMetrics(run: Int64, step: Int64, _ values: [(String, Double)]) throws {
        try db.transaction {
            for (name, value) in values {
                try db.query("INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?)",
                             [.integer(run), .integer(step), .text(name), .real(value)])
            }
        }
    }

    public func metrics(run: Int64) throws -> [(step: Int64, name: String, value: Double)] {
        try db.query("SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY step, name", [.integer(run)]).map {
            ($0["step"]?.int ?? 0, $0["name"]?.string ?? "", $0["value"]?.double ?? .nan)
        }
    }

    // MARK: Checkpoints (partial progress of a run, by cache key)

    public func putCheckpoint(cacheKey: String, name: String, hash: ArtifactHash, step: Int64) throws {
        try db.query("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?)",
                     [.text(cacheKey), .text(name), .text(hash.hex), .integer(step), .text(Timestamp.now())])
    }

    public func checkpoints(cacheKey: String) throws -> [CheckpointRecord] {
        try db.query("SELECT name, hash, step FROM checkpoints WHERE cache_key = ? ORDER BY name", [.text(cacheKey)]).compactMap {
            guard let name = $0["name"]?.string, let hash = $0["hash"]?.string.flatMap(ArtifactHash.init) else { return nil }
            return CheckpointRecord(name: name, hash: hash, step: $0["step"]?.int ?? 0)
        }
    }

    /// Every checkpoint row, with its cache key.
    public func allCheckpoints() throws -> [KeyedCheckpoint] {
        try db.query("SELECT cache_key, name, hash, step FROM checkpoints ORDER BY cache_key, name").compactMap(KeyedCheckpoint.init)
    }

    public func deleteCheckpoint(cacheKey: String, name: String) throws {
        try db.query("DELETE FROM checkpoints WHERE cache_key = ? AND name = ?", [.text(cacheKey), .text(name)])
    }

    // MARK: Pins and the cache of external files' hashes

    public func pin(_ hash: ArtifactHash, note: String) throws {
        try db.query("INSERT OR REPLACE INTO pins VALUES (?, ?, ?)", [.text(hash.hex), .text(note), .text(Timestamp.now())])
    }

    public func unpin(_ hash: ArtifactHash) throws {
        try db.query("DELETE FROM pins WHERE hash = ?", [.text(hash.hex)])
    }

    public func cachedFileHash(path: String, size: Int64, mtimeNs: Int64) throws -> ArtifactHash? {
        try db.query("SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?",
                     [.text(path), .integer(size), .integer(mtimeNs)]).first?["hash"]?.string.flatMap(ArtifactHash.init)
    }

    public func cacheFileHash(path: String, size: Int64, mtimeNs: Int64, hash: ArtifactHash) throws {
        try db.query("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?)",
                     [.text(path), .integer(size), .integer(mtimeNs), .text(hash.hex)])
    }
}

public enum Timestamp {
    /// UTC, ISO 8601 with milliseconds: sorts as text and `julianday()` reads it.
    public static func now() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var seconds = tv.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
    }
}
