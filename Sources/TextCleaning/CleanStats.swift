import CorpusFormat
import Foundation

/// What cleaning did: articles in and out, why each dropped one went, and the characters and
/// words of the result. Written as the `stats` artifact (JSON, keys sorted).
public struct CleanStats: Sendable {
    public enum Reason: String, Sendable, CaseIterable {
        case empty, tooShort = "too_short", notSpanish = "not_spanish", exactDuplicate = "exact_duplicate",
             nearDuplicate = "near_duplicate"
    }

    public private(set) var articlesIn = 0
    public private(set) var articlesOut = 0
    public private(set) var charactersIn = 0
    public private(set) var charactersOut = 0
    public private(set) var wordsOut = 0
    public private(set) var bytesOut = 0
    public private(set) var formats: [String: Int] = [:]
    public private(set) var dropped: [Reason: Int] = [:]
    public private(set) var droppedArticles: [(title: String, reason: Reason, duplicateOf: String?)] = []
    var characterCounts = CharacterCounts()
    private var titles: [String] = []

    mutating func count(_ title: String, in format: RawArticle.Format, characters: Int) {
        titles.append(title)
        articlesIn += 1
        charactersIn += characters
        formats[format.rawValue, default: 0] += 1
    }

    mutating func keep(bytes: Int, characters: Int, words: Int) {
        articlesOut += 1
        charactersOut += characters
        bytesOut += bytes
        wordsOut += words
    }

    mutating func drop(_ title: String, reason: Reason, duplicateOf: String?) {
        dropped[reason, default: 0] += 1
        droppedArticles.append((title, reason, duplicateOf))
    }

    /// Titles by input position, for naming what a duplicate duplicates.
    func title(ofInput index: Int) -> String? { index < titles.count ? titles[index] : nil }

    public func json(parameters: [String: Any], topCharacters: Int = 100) throws -> Data {
        let top = characterCounts.top(topCharacters).map { ["char": String($0.0), "count": $0.1] as [String: Any] }
        let object: [String: Any] = [
            "articles_in": articlesIn, "articles_out": articlesOut,
            "characters_in": charactersIn, "characters_out": charactersOut,
            "words_out": wordsOut, "bytes_out": bytesOut, "formats_in": formats,
            "dropped": Dictionary(uniqueKeysWithValues: Reason.allCases.map { ($0.rawValue, dropped[$0] ?? 0) }),
            "dropped_articles": droppedArticles.map { item -> [String: Any] in
                var entry: [String: Any] = ["title": item.title, "reason": item.reason.rawValue]
                if let other = item.duplicateOf { entry["duplicate_of"] = other }
                return entry
            },
            "distinct_characters": characterCounts.distinct,
            "top_characters": top,
            "parameters": parameters,
        ]
        // A text file ends with a newline, like every other JSON artifact (`minillm cat` shows it).
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) + Data("\n".utf8)
    }
}

/// Character frequencies of the kept text.
struct CharacterCounts: Sendable {
    private var counts: [UInt32: Int] = [:]

    mutating func add(_ histogram: [(UInt32, Int32)]) {
        for (scalar, count) in histogram { counts[scalar, default: 0] += Int(count) }
    }

    mutating func add(_ other: CharacterCounts) {
        for (scalar, count) in other.counts { counts[scalar, default: 0] += count }
    }

    /// (code point, count) in code point order, and back.
    var entries: [(UInt32, Int)] { counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    init(entries: [(UInt32, Int)] = []) { counts = Dictionary(entries, uniquingKeysWith: +) }

    var distinct: Int { counts.count }

    /// The most frequent characters, ties by code point.
    func top(_ n: Int) -> [(Character, Int)] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(n).map { (Character(Unicode.Scalar($0.key)!), $0.value) }
    }
}

/// A worker's scratch table for one article's character histogram; each worker owns one.
final class CharacterTally: @unchecked Sendable {
    private var low = [Int32](repeating: 0, count: 0x3000)
    private var touched: [UInt32] = []

    /// The article's characters as (code point, count), in order of first appearance, and their total.
    func histogram(_ text: String) -> ([(UInt32, Int32)], Int) {
        // Work on locals: class properties in a hot loop pay an exclusivity check per access.
        var low = self.low
        var touched = self.touched
        self.low = []
        var high: [UInt32: Int32] = [:]
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            let v = scalar.value
            if v < 0x3000 {
                if low[Int(v)] == 0 { touched.append(v) }
                low[Int(v)] += 1
            } else {
                high[v, default: 0] += 1
            }
        }
        var result = touched.map { ($0, low[Int($0)]) }
        for v in touched { low[Int(v)] = 0 }
        touched.removeAll(keepingCapacity: true)
        result += high.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        self.low = low
        self.touched = touched
        return (result, total)
    }
}
