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
///
/// Memory is what limits `clean` on eswiki's ~1.5 M kept articles (docs/text.md): per remembered
/// article its signature (256 bytes), its index, and 16 band entries of a chained hash table that
/// stores no keys (4 bytes of chain and 2–4 of bucket heads each; an entry's band is compared on
/// the signature itself): ~380 bytes in all, where a dictionary of band keys took ~610. Signatures
/// and chains grow in fixed chunks, so growing never copies the whole index.
public struct NearDuplicates {
    public static let hashes = 64
    static let bands = 16
    static let rows = hashes / bands
    static let shingleWords = 5
    /// Entries are slot · bands + band in 32 bits, with -1 for "none"; past this many
    /// remembered articles new ones are still compared but no longer remembered.
    static let maxSlots = Int(Int32.max) / bands

    let threshold: Double
    /// Remembered articles per chunk of `signatures` and `next` (by default 16 MiB of signatures).
    public let chunkSlots: Int
    /// The remembered articles' signatures, `hashes` values each, in chunks of `chunkSlots` articles.
    private var signatures: [[UInt32]] = []
    private var owners: [Int] = []
    /// `buckets[h]` is the newest entry whose band hashes to h; `next[entry]` (chunked like the
    /// signatures) the entry before it in that bucket, -1 when none.
    private var buckets = [Int32](repeating: -1, count: 1 << 10)
    private var next: [[Int32]] = []

    public init(threshold: Double, chunkSlots: Int = 1 << 16) {
        self.threshold = threshold
        self.chunkSlots = chunkSlots
    }

    /// The MinHash signature of a text's words (`WordHashes`), or nil when they are fewer than one shingle.
    public static func signature(_ words: [UInt64]) -> [UInt32]? {
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
    public mutating func earlier(_ signature: [UInt32], index: Int) -> Int? {
        for band in 0..<Self.bands {
            let values = signature[(band * Self.rows)..<((band + 1) * Self.rows)]
            var entry = buckets[bucket(Self.bandKey(values, band: band))]
            var oldest: Int?
            while entry >= 0 {
                let slot = Int(entry) / Self.bands
                if Int(entry) % Self.bands == band && storedBand(slot, band).elementsEqual(values)
                    && Double(agreement(signature, slot)) / Double(Self.hashes) >= threshold {
                    oldest = slot
                }
                entry = link(Int(entry))
            }
            if let oldest { return owners[oldest] }
        }
        if owners.count < Self.maxSlots { remember(signature, index: index) }
        return nil
    }

    private mutating func remember(_ signature: [UInt32], index: Int) {
        let slot = owners.count
        if slot % chunkSlots == 0 {
            // Reserved, not filled: pages are touched only as articles are remembered.
            signatures.append([])
            signatures[signatures.count - 1].reserveCapacity(chunkSlots * Self.hashes)
            next.append([])
            next[next.count - 1].reserveCapacity(chunkSlots * Self.bands)
        }
        signatures[signatures.count - 1] += signature
        next[next.count - 1] += repeatElement(-1, count: Self.bands)
        owners.append(index)
        // Up to two entries a bucket: chains stay short, and the heads cost 2–4 bytes an entry.
        if (slot + 1) * Self.bands > 2 * buckets.count { rehash(count: buckets.count * 2, slots: slot) }
        for band in 0..<Self.bands { insert(slot * Self.bands + band) }
    }

    /// Entry `entry` at the head of its bucket.
    private mutating func insert(_ entry: Int) {
        let slot = entry / Self.bands, band = entry % Self.bands
        let h = bucket(Self.bandKey(storedBand(slot, band), band: band))
        let (chunk, offset) = entry.quotientAndRemainder(dividingBy: chunkSlots * Self.bands)
        next[chunk][offset] = buckets[h]
        buckets[h] = Int32(entry)
    }

    /// `count` buckets (a power of two), refilled from the first `slots` articles' entries in
    /// order, so every chain is again newest first.
    private mutating func rehash(count: Int, slots: Int) {
        buckets = [Int32](repeating: -1, count: count)
        for entry in 0..<(slots * Self.bands) { insert(entry) }
    }

    private func bucket(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key) & (buckets.count - 1) }

    private func link(_ entry: Int) -> Int32 {
        let (chunk, offset) = entry.quotientAndRemainder(dividingBy: chunkSlots * Self.bands)
        return next[chunk][offset]
    }

    /// The `rows` values of `band` of remembered article `slot`.
    private func storedBand(_ slot: Int, _ band: Int) -> ArraySlice<UInt32> {
        let (chunk, offset) = slot.quotientAndRemainder(dividingBy: chunkSlots)
        let start = offset * Self.hashes + band * Self.rows
        return signatures[chunk][start..<(start + Self.rows)]
    }

    /// How many of the `hashes` values `signature` shares with remembered article `slot`.
    private func agreement(_ signature: [UInt32], _ slot: Int) -> Int {
        let (chunk, offset) = slot.quotientAndRemainder(dividingBy: chunkSlots)
        return signatures[chunk].withUnsafeBufferPointer { stored in
            var same = 0
            for k in 0..<Self.hashes where signature[k] == stored[offset * Self.hashes + k] { same += 1 }
            return same
        }
    }

    /// The band's rows hashed with its number: where its entries are chained.
    static func bandKey(_ values: ArraySlice<UInt32>, band: Int) -> UInt64 {
        var key = UInt64(band) &* 0x100_0000_01B3
        for value in values { key = mix(key ^ UInt64(value)) }
        return key
    }

    /// Bytes the index has allocated (a chunk's reserve counts in full), for the tests and the benchmark.
    public var allocatedBytes: Int {
        signatures.reduce(0) { $0 + $1.capacity * 4 } + next.reduce(0) { $0 + $1.capacity * 4 }
            + owners.capacity * 8 + buckets.capacity * 4
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
