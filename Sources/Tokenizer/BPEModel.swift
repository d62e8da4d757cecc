/// A trained byte-level BPE. Ids: 0–3 the special tokens, 4…259 the 256 bytes, then the merged
/// tokens in the order training created them. Merges apply by rank (training order), lowest
/// first and leftmost first among equals, which is exactly how Hugging Face `tokenizers` applies
/// them, so the exported `tokenizer.json` encodes to the same ids.
struct BPEModel: Sendable {
    static let firstByteID: Int32 = 4
    static let firstMergedID = 260

    /// The byte string of each id ≥ 4 (index id − 4).
    let tokenBytes: [[UInt8]]
    /// Rank r merges the pair `merges[r]` into the token `mergeResults[r]`.
    let merges: [(Int32, Int32)]
    let mergeResults: [Int32]
    private let rankOfPair: PairMap

    init(tokenBytes: [[UInt8]], merges: [(Int32, Int32)], mergeResults: [Int32]) {
        self.tokenBytes = tokenBytes
        self.merges = merges
        self.mergeResults = mergeResults
        var ranks = PairMap(capacity: merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            _ = ranks.getOrInsert(PairMap.key(a, b)) { Int32(rank) }
        }
        rankOfPair = ranks
    }

    var vocabularySize: Int { tokenBytes.count + 4 }

    func bytes(of id: Int32) -> [UInt8] { tokenBytes[Int(id) - 4] }

    /// Appends the ids of one pre-tokenised piece.
    func encodePiece(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int32], _ scratch: inout MergeScratch) {
        if n == 1 { out.append(Self.firstByteID + Int32(p[0])); return }
        scratch.reset(n)
        for i in 0..<n { scratch.symbols[i] = Self.firstByteID + Int32(p[i]) }
        for i in 0..<(n - 1) { push(i, scratch.symbols[i], scratch.symbols[i + 1], &scratch) }
        while let top = scratch.heap.popMin() {
            let rank = Int32(truncatingIfNeeded: top >> 32), pos = Int(top & 0xFFFF_FFFF)
            let right = Int(scratch.next[pos])
            guard scratch.symbols[pos] >= 0, right < n,
                  rankOfPair.get(PairMap.key(scratch.symbols[pos], scratch.symbols[right])) == rank else { continue }
            scratch.symbols[pos] = mergeResults[Int(rank)]
            scratch.symbols[right] = -1
            let after = Int(scratch.next[right])
            scratch.next[pos] = Int32(after)
            if after < n { scratch.previous[after] = Int32(pos) }
            let before = Int(scratch.previous[pos])
            if before >= 0 { push(before, scratch.symbols[before], scratch.symbols[pos], &scratch) }
            if after < n { push(pos, scratch.symbols[pos], scratch.symbols[after], &scratch) }
        }
        var i = 0
        while i < n {
            out.append(scratch.symbols[i])
            i = Int(scratch.next[i])
        }
    }

    @inline(__always)
    private func push(_ position: Int, _ a: Int32, _ b: Int32, _ scratch: inout MergeScratch) {
        if let rank = rankOfPair.get(PairMap.key(a, b)) {
            scratch.heap.push(UInt64(UInt32(rank)) << 32 | UInt64(position))
        }
    }
}

/// Working memory for merging one piece, reused across pieces by an encoder.
struct MergeScratch {
    var symbols: [Int32] = []
    var next: [Int32] = []
    var previous: [Int32] = []
    var heap = MinHeap()

    mutating func reset(_ n: Int) {
        if symbols.count < n {
            symbols = [Int32](repeating: 0, count: n)
            next = [Int32](repeating: 0, count: n)
            previous = [Int32](repeating: 0, count: n)
        }
        for i in 0..<n {
            next[i] = Int32(i + 1)
            previous[i] = Int32(i - 1)
        }
        heap.removeAll()
    }
}

/// A binary min-heap of UInt64 keys (rank in the high half, position in the low half).
struct MinHeap {
    private var items: [UInt64] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ value: UInt64) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > value else { break }
            items[i] = items[parent]
            i = parent
        }
        items[i] = value
    }

    mutating func popMin() -> UInt64? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        var i = 0
        let n = items.count
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && items[child + 1] < items[child] { child += 1 }
            guard items[child] < last else { break }
            items[i] = items[child]
            i = child
        }
        items[i] = last
        return top
    }
}
