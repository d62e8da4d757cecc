import CorpusFormat
import Foundation

/// What the filters need to know of one cleaned article: everything but its text.
struct CleanRecord: Equatable {
    let title: String
    let format: RawArticle.Format
    let characters: Int
    /// Runs of letters (`WordHashes`).
    let words: Int
    let charactersIn: Int
    /// UTF-8 bytes of the clean text.
    let bytes: Int
    let spanishRatio: Double
    let spanishLeads: Bool
    let digest: TextDigest
    let signature: [UInt32]?
}

/// The articles the filters decided on between two checkpoints, in order, and the character
/// counts of those kept: replayed through the filters they rebuild the pipeline's state. Binary,
/// little-endian: `MLCS1`, the record count, the records, the character counts (about 330 bytes
/// an article with the near-duplicate check on, 70 without).
struct CleanSegment {
    var records: [CleanRecord] = []
    var characters = CharacterCounts()

    static let magic = Array("MLCS1".utf8)

    func encoded() -> [UInt8] {
        var out = Self.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        put(UInt64(records.count))
        for r in records {
            let title = Array(r.title.utf8)
            put(UInt32(title.count))
            out += title
            out.append(r.format == .wikitext ? 0 : 1)
            put(Int64(r.characters))
            put(Int64(r.words))
            put(Int64(r.charactersIn))
            put(Int64(r.bytes))
            put(r.spanishRatio.bitPattern)
            out.append(r.spanishLeads ? 1 : 0)
            out += r.digest.bytes
            put(UInt32(r.signature?.count ?? 0))
            for value in r.signature ?? [] { put(value) }
        }
        let entries = characters.entries
        put(UInt64(entries.count))
        for (scalar, count) in entries {
            put(scalar)
            put(Int64(count))
        }
        return out
    }

    /// Decodes what `encoded()` wrote; anything else is an error naming `name`.
    init(decoding bytes: [UInt8], name: String) throws {
        var at = 0
        func fail() -> BadRecord { BadRecord(name, line: 0, reason: "not a clean checkpoint segment (byte \(at))") }
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, at + n <= bytes.count else { throw fail() }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func get<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        func count(_ value: UInt64, atLeast size: Int) throws -> Int {
            guard value <= UInt64(bytes.count - at) / UInt64(size) else { throw fail() }
            return Int(value)
        }
        guard Array(try take(Self.magic.count)) == Self.magic else { throw fail() }
        let n = try count(try get(UInt64.self), atLeast: 78)
        records.reserveCapacity(n)
        for _ in 0..<n {
            let titleBytes = try take(Int(try get(UInt32.self)))
            guard let title = String(validating: titleBytes, as: UTF8.self) else { throw fail() }
            let format: RawArticle.Format = try take(1).first == 0 ? .wikitext : .plain
            let characters = Int(try get(Int64.self)), words = Int(try get(Int64.self))
            let charactersIn = Int(try get(Int64.self)), byteCount = Int(try get(Int64.self))
            let ratio = Double(bitPattern: try get(UInt64.self))
            let leads = try take(1).first == 1
            let digest = TextDigest(bytes: try take(32))
            let hashes = try count(UInt64(try get(UInt32.self)), atLeast: 4)
            let signature = hashes == 0 ? nil : try (0..<hashes).map { _ in try get(UInt32.self) }
            records.append(CleanRecord(title: title, format: format, characters: characters, words: words,
                                       charactersIn: charactersIn, bytes: byteCount, spanishRatio: ratio,
                                       spanishLeads: leads, digest: digest, signature: signature))
        }
        let entries = try count(try get(UInt64.self), atLeast: 12)
        characters = CharacterCounts(entries: try (0..<entries).map { _ in (try get(UInt32.self), Int(try get(Int64.self))) })
        guard at == bytes.count else { throw fail() }
    }

    init() {}
}
