/// Ordered schema migrations. Each runs once, inside a transaction; `PRAGMA user_version` holds
/// the number applied and `schema_migrations` records when, for people reading the file.
enum CatalogueSchema {
    static let migrations: [(description: String, sql: String)] = [
        ("artifacts, runs, metrics, checkpoints, pins and the reading views", version1),
    ]

    static var latestVersion: Int { migrations.count }

    private static let version1 = """
    CREATE TABLE schema_migrations (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  TEXT NOT NULL
    );
    CREATE TABLE artifacts (
        hash              TEXT PRIMARY KEY CHECK (length(hash) = 64),
        kind              TEXT NOT NULL,
        media_type        TEXT NOT NULL,
        size              INTEGER NOT NULL CHECK (size >= 0),
        created_at        TEXT NOT NULL,
        verified_at       TEXT,
        verified_mtime_ns INTEGER,
        removed_at        TEXT
    );
    CREATE TABLE artifact_members (
        manifest TEXT NOT NULL REFERENCES artifacts(hash),
        role     TEXT NOT NULL,
        member   TEXT NOT NULL REFERENCES artifacts(hash),
        PRIMARY KEY (manifest, role)
    );
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        stage         TEXT NOT NULL,
        cache_key     TEXT NOT NULL CHECK (length(cache_key) = 64),
        stage_version INTEGER NOT NULL,
        parameters    TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
        started_at    TEXT NOT NULL,
        ended_at      TEXT,
        duration_s    REAL,
        error         TEXT,
        host          TEXT NOT NULL,
        pid           INTEGER NOT NULL
    );
    CREATE INDEX runs_by_key ON runs (cache_key, status);
    CREATE INDEX runs_by_stage ON runs (stage, status, id);
    CREATE TABLE run_inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        role   TEXT NOT NULL,
        hash   TEXT NOT NULL REFERENCES artifacts(hash),
        PRIMARY KEY (run_id, role)
    );
    CREATE TABLE run_outputs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        role   TEXT NOT NULL,
        hash   TEXT NOT NULL REFERENCES artifacts(hash),
        PRIMARY KEY (run_id, role)
    );
    CREATE INDEX run_outputs_by_hash ON run_outputs (hash);
    CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        name   TEXT NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, step, name)
    );
    CREATE TABLE checkpoints (
        cache_key  TEXT NOT NULL,
        name       TEXT NOT NULL,
        hash       TEXT NOT NULL REFERENCES artifacts(hash),
        step       INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (cache_key, name)
    );
    CREATE TABLE pins (
        hash       TEXT PRIMARY KEY REFERENCES artifacts(hash),
        note       TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE file_hashes (
        path     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        hash     TEXT NOT NULL
    );

    -- The output of the latest succeeded run of each stage.
    CREATE VIEW current_outputs AS
    SELECT r.stage, r.id AS run_id, o.role, o.hash, a.kind, a.size, r.ended_at
    FROM runs r
    JOIN run_outputs o ON o.run_id = r.id
    JOIN artifacts a ON a.hash = o.hash
    WHERE r.id = (SELECT max(id) FROM runs WHERE stage = r.stage AND status = 'succeeded');

    -- One line per run, newest first, for a quick look.
    CREATE VIEW run_log AS
    SELECT id, stage, status, substr(cache_key, 1, 12) AS key, started_at,
           round(duration_s, 3) AS seconds, error
    FROM runs ORDER BY id DESC;

    -- Every ancestor of every artifact: which stage turned `ancestor` (at `depth` steps up)
    -- into something that led to `artifact`.
    CREATE VIEW lineage AS
    WITH RECURSIVE up(artifact, ancestor, via_stage, depth) AS (
        SELECT o.hash, i.hash, r.stage, 1
        FROM run_outputs o
        JOIN runs r ON r.id = o.run_id AND r.status = 'succeeded'
        JOIN run_inputs i ON i.run_id = r.id
        UNION
        SELECT up.artifact, i.hash, r.stage, up.depth + 1
        FROM up
        JOIN run_outputs o ON o.hash = up.ancestor
        JOIN runs r ON r.id = o.run_id AND r.status = 'succeeded'
        JOIN run_inputs i ON i.run_id = r.id
    )
    SELECT artifact, ancestor, via_stage, min(depth) AS depth FROM up GROUP BY artifact, ancestor;

    -- The last recorded value of each metric of each run.
    CREATE VIEW latest_metrics AS
    SELECT m.run_id, r.stage, m.name, m.step, m.value
    FROM metrics m JOIN runs r ON r.id = m.run_id
    WHERE m.step = (SELECT max(step) FROM metrics WHERE run_id = m.run_id AND name = m.name);
    """
}
