import Foundation

/// A present artifact as `minillm ls` shows it: the record and the stage output that made it.
public struct ListedArtifact: Sendable {
    public let record: ArtifactRecord
    /// `stage/role` of the newest run that output it; nil for imported files.
    public let madeBy: String?
}

/// One row of the `lineage` view: `ancestor` led to the artifact through `viaStage`, `depth` steps up.
public struct AncestorRecord: Sendable, Equatable {
    public let ancestor: ArtifactHash
    public let viaStage: String
    public let depth: Int
}

/// Something the catalogue holds on to an artifact by: a current output, a pin, a checkpoint
/// of a current or unfinished run, or membership of a manifest so held.
public struct LiveReference: Sendable, Equatable {
    public let hash: ArtifactHash
    /// In words: "output train/model", "pin", "checkpoint last of key 0dd2ad6e0b85", "member train of 5f1c…".
    public let referrer: String
}

/// A checkpoint row with the cache key it belongs to.
public struct KeyedCheckpoint: Sendable, Equatable {
    public let cacheKey: String
    public let checkpoint: CheckpointRecord

    public init(cacheKey: String, checkpoint: CheckpointRecord) {
        self.cacheKey = cacheKey
        self.checkpoint = checkpoint
    }

    /// From a row of `cache_key, name, hash, step`.
    init?(_ row: SQLRow) {
        guard let key = row["cache_key"]?.string, let name = row["name"]?.string,
              let hash = row["hash"]?.string.flatMap(ArtifactHash.init) else { return nil }
        self.init(cacheKey: key, checkpoint: CheckpointRecord(name: name, hash: hash, step: row["step"]?.int ?? 0))
    }
}

/// The named questions that the driver, the stages and the report ask of the catalogue.
extension Catalogue {
    // MARK: What must stay (gc, verify)

    /// Every reference that `gc` keeps an artifact for: outputs of each stage's latest succeeded
    /// run, pins, the checkpoints of those runs and of runs not finished yet (resumable work),
    /// and (transitively) the members of any manifest so kept.
    public func liveReferences() throws -> [LiveReference] {
        try db.query("""
            WITH RECURSIVE live(hash, referrer) AS (
                SELECT hash, 'output ' || stage || '/' || role FROM current_outputs
                UNION SELECT hash, 'pin' FROM pins
                UNION SELECT c.hash, 'checkpoint ' || c.name || ' of key ' || substr(c.cache_key, 1, 12) FROM checkpoints c
                    WHERE c.cache_key IN (SELECT r.cache_key FROM runs r JOIN current_outputs o ON o.run_id = r.id)
                       OR NOT EXISTS (SELECT 1 FROM runs r WHERE r.cache_key = c.cache_key AND r.status = 'succeeded')
                UNION SELECT m.member, 'member ' || m.role || ' of ' || substr(m.manifest, 1, 12)
                    FROM artifact_members m JOIN live l ON m.manifest = l.hash
            )
            SELECT hash, referrer FROM live ORDER BY hash, referrer
            """).compactMap { row in
            guard let hash = row["hash"]?.string.flatMap(ArtifactHash.init) else { return nil }
            return LiveReference(hash: hash, referrer: row["referrer"]?.string ?? "")
        }
    }

    /// Hashes that `gc` must keep (those of `liveReferences()`).
    public func reachableHashes() throws -> Set<ArtifactHash> { Set(try liveReferences().map(\.hash)) }

    /// Deletes the checkpoints whose artifact is removed or was never recorded, and returns them.
    public func dropCheckpointsOfAbsentObjects() throws -> [KeyedCheckpoint] {
        let absent = "NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.hash = c.hash AND a.removed_at IS NULL)"
        return try db.transaction {
            let rows = try db.query("SELECT cache_key, name, hash, step FROM checkpoints c WHERE \(absent) ORDER BY cache_key, name")
            try db.query("DELETE FROM checkpoints AS c WHERE \(absent)")
            return rows.compactMap(KeyedCheckpoint.init)
        }
    }

    /// Marks one run `abandoned` with the reason, if it is still `running` (a signal stopped it).
    public func abandonRun(_ id: Int64, reason: String) throws {
        try db.query("""
            UPDATE runs SET status = 'abandoned', ended_at = ?1, error = ?2,
                duration_s = (julianday(?1) - julianday(started_at)) * 86400.0
            WHERE id = ?3 AND status = 'running'
            """, [.text(Timestamp.now()), .text(reason), .integer(id)])
    }

    // MARK: Runs

    /// Cache keys with a run still marked `running` (its process may have died).
    public func runningCacheKeys() throws -> Set<String> {
        Set(try runs(where: "status = 'running'").map(\.cacheKey))
    }

    /// The newest run of a stage, whatever its status.
    public func latestRun(stage: String) throws -> RunRecord? {
        try runs(where: "stage = ?", [.text(stage)], limit: 1).first
    }

    /// The newest succeeded run of a stage that started before run `id`.
    public func latestSucceededRun(stage: String, before id: Int64) throws -> RunRecord? {
        try runs(where: "stage = ? AND status = 'succeeded' AND id < ?", [.text(stage), .integer(id)], limit: 1).first
    }

    /// Runs (any status) that output `hash`, newest first.
    public func runsProducing(_ hash: ArtifactHash) throws -> [RunRecord] {
        try runs(where: "id IN (SELECT run_id FROM run_outputs WHERE hash = ?)", [.text(hash.hex)])
    }

    /// Runs (any status) that read `hash`, newest first.
    public func runsConsuming(_ hash: ArtifactHash) throws -> [RunRecord] {
        try runs(where: "id IN (SELECT run_id FROM run_inputs WHERE hash = ?)", [.text(hash.hex)])
    }

    /// Succeeded runs that output `hash` or any of its ancestors, newest first.
    public func succeededRunsInLineage(of hash: ArtifactHash) throws -> [RunRecord] {
        try runs(where: """
            status = 'succeeded' AND id IN (SELECT run_id FROM run_outputs
                WHERE hash = ?1 OR hash IN (SELECT ancestor FROM lineage WHERE artifact = ?1))
            """, [.text(hash.hex)])
    }

    // MARK: Lineage and artifacts

    /// Every ancestor of `hash`, nearest first.
    public func ancestors(of hash: ArtifactHash) throws -> [AncestorRecord] {
        try db.query("SELECT ancestor, via_stage, depth FROM lineage WHERE artifact = ? ORDER BY depth, via_stage",
                     [.text(hash.hex)]).compactMap { row in
            guard let ancestor = row["ancestor"]?.string.flatMap(ArtifactHash.init) else { return nil }
            return AncestorRecord(ancestor: ancestor, viaStage: row["via_stage"]?.string ?? "", depth: Int(row["depth"]?.int ?? 0))
        }
    }

    /// Imported external files among the ancestors of `hash`, with the path each was last read from.
    public func externalFiles(amongAncestorsOf hash: ArtifactHash) throws -> [(hash: ArtifactHash, path: String?)] {
        try db.query("""
            SELECT a.hash, (SELECT f.path FROM file_hashes f WHERE f.hash = a.hash ORDER BY f.rowid DESC LIMIT 1) AS path
            FROM artifacts a WHERE a.kind LIKE 'external:%'
                AND a.hash IN (SELECT ancestor FROM lineage WHERE artifact = ?1) ORDER BY a.hash
            """, [.text(hash.hex)]).compactMap { row in
            guard let hash = row["hash"]?.string.flatMap(ArtifactHash.init) else { return nil }
            return (hash, row["path"]?.string)
        }
    }

    /// Present artifacts, oldest first, optionally of one kind, each with the output that made it.
    public func listArtifacts(kind: String? = nil) throws -> [ListedArtifact] {
        try db.query("""
            SELECT a.*,
                   (SELECT r.stage || '/' || o.role FROM run_outputs o JOIN runs r ON r.id = o.run_id
                    WHERE o.hash = a.hash ORDER BY r.id DESC LIMIT 1) AS made_by
            FROM artifacts a WHERE a.removed_at IS NULL AND (?1 IS NULL OR a.kind = ?1)
            ORDER BY a.created_at, a.hash
            """, [kind.map(SQLValue.text) ?? .null]).map { row in
            ListedArtifact(record: Self.artifactRecord(row), madeBy: row["made_by"]?.string)
        }
    }

    // MARK: Metrics

    /// The last recorded value of each metric of a run whose name starts with `prefix`, by name.
    public func latestMetrics(run: Int64, prefix: String = "") throws -> [(name: String, value: Double)] {
        let pattern = prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try db.query("""
            SELECT name, value FROM latest_metrics WHERE run_id = ? AND name LIKE ? ESCAPE '\\' ORDER BY name
            """, [.integer(run), .text(pattern)]).map { ($0["name"]?.string ?? "", $0["value"]?.double ?? .nan) }
    }
}
