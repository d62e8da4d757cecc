import Digests

/// A SHA-256 digest as four words: a compact dictionary key that a checkpoint can store.
struct TextDigest: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: [UInt8]) {
        let bytes = Array(digest)
        self.init(bytes: bytes[...])
    }

    init(bytes: ArraySlice<UInt8>) {
        func word(_ k: Int) -> UInt64 {
            bytes.dropFirst(k * 8).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
        words = (word(0), word(1), word(2), word(3))
    }

    var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (56 - 8 * $0)) } }
    }

    static func == (a: TextDigest, b: TextDigest) -> Bool { a.words == b.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// Exact duplicates by the SHA-256 of the clean text; the first occurrence is kept.
struct ExactDuplicates {
    private var seen: [TextDigest: Int] = [:]

    /// The index of the earlier article with the same text (by its SHA-256), or nil (and then
    /// this one is remembered).
    mutating func earlier(_ digest: TextDigest, index: Int) -> Int? {
        if let first = seen[digest] { return first }
        seen[digest] = index
        return nil
    }
}

/// Near duplicates by MinHash over word 5-grams with locality-sensitive hashing: 64 hashes in
/// 16 bands of 4. Articles sharing a band are compared on their signatures; an estimated
/// Jaccard similarity at or above the threshold makes the later one a duplicate. All hashing
/// is seeded and fixed, so the outcome is the same on every run.
struct NearDuplicates {
    static let hashes = 64
    static let bands = 16
    static let rows = hashes / bands
    static let shingleWords = 5

    let threshold: Double
    /// The remembered articles' signatures, one after the other (`hashes` values each).
    private var signatures: [UInt32] = []
    private var owners: [Int] = []
    /// Per band key, the last slot remembered under it; `next[slot * bands + band]` the slot
    /// before it (-1: none). About 600 bytes a remembered article in all, with the signature.
    private var heads: [UInt64: Int32] = [:]
    private var next: [Int32] = []

    init(threshold: Double) { self.threshold = threshold }

    /// The MinHash signature of a text's words (`WordHashes`), or nil when they are fewer than one shingle.
    static func signature(_ words: [UInt64]) -> [UInt32]? {
        guard words.count >= shingleWords else { return nil }
        var minima = [UInt32](repeating: .max, count: hashes)
        for start in 0...(words.count - shingleWords) {
            var shingle: UInt64 = 0x9E37_79B9_7F4A_7C15
            for k in 0..<shingleWords { shingle = mix(shingle ^ words[start + k]) }
            // One strong hash per shingle, then cheap multiply-shift permutations of it (32×32→64
            // bit products, which vectorise).
            let x = UInt32(truncatingIfNeeded: mix(shingle))
            for k in 0..<hashes {
                let value = UInt32(truncatingIfNeeded: (UInt64(x ^ seeds[k]) &* UInt64(multipliers[k])) >> 32)
                if value < minima[k] { minima[k] = value }
            }
        }
        return minima
    }

    /// The index of an earlier similar article, or nil (and then this one is remembered): in the
    /// first band that has a similar candidate, the oldest of them.
    mutating func earlier(_ signature: [UInt32], index: Int) -> Int? {
        var keys: [UInt64] = []
        for band in 0..<Self.bands {
            var key = UInt64(band) &* 0x100_0000_01B3
            for row in 0..<Self.rows { key = Self.mix(key ^ UInt64(signature[band * Self.rows + row])) }
            keys.append(key)
            var candidate = heads[key] ?? -1
            var oldest: Int32?
            while candidate >= 0 {
                let base = Int(candidate) * Self.hashes
                var same = 0
                for k in 0..<Self.hashes where signature[k] == signatures[base + k] { same += 1 }
                if Double(same) / Double(Self.hashes) >= threshold { oldest = candidate }
                candidate = next[Int(candidate) * Self.bands + band]
            }
            if let oldest { return owners[Int(oldest)] }
        }
        let slot = Int32(owners.count)
        signatures += signature
        owners.append(index)
        for key in keys {
            next.append(heads[key] ?? -1)
            heads[key] = slot
        }
        return nil
    }

    static let seeds: [UInt32] = (0..<hashes).map { UInt32(truncatingIfNeeded: mix(UInt64($0) &+ 0x5851_F42D_4C95_7F2D)) }
    static let multipliers: [UInt32] = (0..<hashes).map { UInt32(truncatingIfNeeded: mix(UInt64($0) &+ 0x2545_F491_4F6C_DD1D)) | 1 }

    /// SplitMix64's finaliser.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
