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

/// The named questions that the driver, the stages and the report ask of the catalogue.
extension Catalogue {
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
