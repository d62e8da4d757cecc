import Foundation

/// Locations in the repository, found from this file's path so tests run from any directory.
public enum Repo {
    /// The repository root: this file is `Tests/TestSupport/Repo.swift`.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    public static func path(_ relative: String) -> String { root + "/" + relative }
    /// The bundled data under `pipeline/data`.
    public static func data(_ name: String) -> String { path("pipeline/data/" + name) }
    public static let fixtures = path("Tests/Fixtures")
    /// The 50 committed sample articles, one JSON object a line.
    public static let articles = fixtures + "/eswiki-articles.jsonl"
}
