import Foundation

/// Page titles, one a line: what an `api` run records of its corpus (the `titles` output) and
/// what `api_titles_file` reads back, so that the same pages can be fetched again elsewhere.
public enum TitleList {
    /// Characters MediaWiki forbids in titles; a `|` would also split a multi-title request.
    static let forbidden = Set("|#<>[]{}")

    public static func text(_ titles: [String]) -> String {
        titles.map { $0 + "\n" }.joined()
    }

    /// The distinct titles of a file (UTF-8, optionally bzip2ed), in order; blank lines are ignored.
    /// `name` stands for the file in messages.
    public static func read(path: String, name: String) throws -> [String] {
        let input = try Input.open(path, name: name)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SourceError.badTitleList(name, reason: "not UTF-8 text")
        }
        var seen = Set<String>()
        var titles: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let title = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if title.isEmpty { continue }
            if let bad = title.first(where: forbidden.contains) {
                throw SourceError.badTitleList(name, reason: "line \(number + 1): \"\(bad)\" cannot be part of a page title")
            }
            if seen.insert(title).inserted { titles.append(title) }
        }
        guard !titles.isEmpty else { throw SourceError.badTitleList(name, reason: "no titles in it") }
        return titles
    }
}
