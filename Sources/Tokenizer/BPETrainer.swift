/// Byte-level BPE training in the manner of Hugging Face's `BpeTrainer`: count the word types
/// once, then repeatedly merge the most frequent adjacent pair, updating pair counts only in the
/// words that contain it, with a lazily updated priority queue. Ties go to the smallest
/// (left id, right id), so the result depends only on the counts, not on thread scheduling.
struct BPETrainer {
    private var words: WordSymbols
    private var pairs = PairCounts()
    private var heap = PairHeap()
    private var tokenBytes: [[UInt8]]
    private var tokenIDs = ByteStringTable(capacity: 1 << 14)
    private var merges: [(Int32, Int32)] = []
    private var mergeResults: [Int32] = []
    private var rankOfPair = PairMap(capacity: 1 << 14)
    private var step: Int32 = 0
    private let reserved: Set<[UInt8]> = Set(SpecialToken.allCases.map { Array($0.text.utf8) })

    static func train(_ counts: WordTypeCounts, vocabularySize: Int) -> BPEModel {
        var trainer = BPETrainer(counts)
        trainer.run(until: vocabularySize)
        return BPEModel(tokenBytes: trainer.tokenBytes, merges: trainer.merges, mergeResults: trainer.mergeResults)
    }

    private init(_ counts: WordTypeCounts) {
        words = WordSymbols(counts)
        tokenBytes = (0..<256).map { [UInt8($0)] }
        for bytes in tokenBytes { _ = bytes.withUnsafeBufferPointer { tokenIDs.intern($0.baseAddress!, 1) } }
        for w in 0..<words.count {
            let count = words.counts[w]
            words.forEachPair(w) { a, b in pairs.change(a, b, by: count, word: Int32(w)) }
        }
        for slot in 0..<pairs.slotCount where pairs.counts[slot] > 0 {
            heap.push(count: pairs.counts[slot], key: pairs.keys[slot])
        }
    }

    private mutating func run(until vocabularySize: Int) {
        while tokenBytes.count + 4 < vocabularySize, let top = heap.pop() {
            let slot = pairs.slot(of: top.key)!
            let current = pairs.counts[slot]
            if current != top.count {
                if current > 0 { heap.push(count: current, key: top.key) }
                continue
            }
            let a = Int32(truncatingIfNeeded: top.key >> 32), b = Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF)
            let merged = tokenBytes[Int(a) - 4] + tokenBytes[Int(b) - 4]
            if reserved.contains(merged) {
                pairs.retire(slot)
                continue
            }
            merge(a, b, slot: slot, into: resultID(for: top.key, bytes: merged))
        }
    }

    /// The id of the merged token: a new one, or the existing one when an earlier merge already
    /// made the same bytes (Hugging Face's trainer reuses the id the same way).
    private mutating func resultID(for key: UInt64, bytes: [UInt8]) -> Int32 {
        if let rank = rankOfPair.get(key) { return mergeResults[Int(rank)] }
        let (index, isNew) = bytes.withUnsafeBufferPointer { tokenIDs.intern($0.baseAddress!, $0.count) }
        if isNew { tokenBytes.append(bytes) }
        let id = Int32(index) + 4
        let rank = Int32(merges.count)
        _ = rankOfPair.getOrInsert(key) { rank }
        merges.append((Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)))
        mergeResults.append(id)
        return id
    }

    private mutating func merge(_ a: Int32, _ b: Int32, slot: Int, into c: Int32) {
        step += 1
        pairs.beginStep()
        for w in pairs.words[slot] where words.stamps[Int(w)] != step {
            words.stamps[Int(w)] = step
            words.replace(Int(w), a, b, with: c, counting: &pairs)
        }
        pairs.retire(slot)
        for touched in pairs.touchedSlots where pairs.counts[touched] > 0 {
            heap.push(count: pairs.counts[touched], key: pairs.keys[touched])
        }
    }
}

/// The symbols of every word type, flat: word w occupies `starts[w] ..< starts[w] + lengths[w]`
/// and only shrinks as merges apply.
struct WordSymbols {
    var symbols: [Int32] = []
    var starts: [Int] = []
    var lengths: [Int32] = []
    var counts: [Int64]
    var stamps: [Int32]

    init(_ types: WordTypeCounts) {
        counts = types.counts
        stamps = [Int32](repeating: -1, count: types.counts.count)
        symbols.reserveCapacity(types.table.arena.count)
        for w in 0..<types.table.count {
            starts.append(symbols.count)
            let key = types.table.key(w)
            lengths.append(Int32(key.count))
            for byte in key { symbols.append(BPEModel.firstByteID + Int32(byte)) }
        }
    }

    var count: Int { counts.count }

    func forEachPair(_ w: Int, _ body: (Int32, Int32) -> Void) {
        let start = starts[w]
        for i in start..<(start + Int(lengths[w]) - 1) { body(symbols[i], symbols[i + 1]) }
    }

    /// Merges every non-overlapping (a, b) left to right into c, counting each pair that
    /// disappears or appears around a merge site (the (a, b) pair itself is retired by the caller).
    mutating func replace(_ w: Int, _ a: Int32, _ b: Int32, with c: Int32, counting pairs: inout PairCounts) {
        let start = starts[w], end = start + Int(lengths[w])
        let count = counts[w], word = Int32(w)
        var read = start, write = start
        while read < end {
            if read + 1 < end && symbols[read] == a && symbols[read + 1] == b {
                if write > start {
                    let before = symbols[write - 1]
                    pairs.change(before, a, by: -count, word: word)
                    pairs.change(before, c, by: count, word: word)
                }
                if read + 2 < end {
                    let after = symbols[read + 2]
                    pairs.change(b, after, by: -count, word: word)
                    pairs.change(c, after, by: count, word: word)
                }
                symbols[write] = c
                read += 2
            } else {
                symbols[write] = symbols[read]
                read += 1
            }
            write += 1
        }
        lengths[w] = Int32(write - start)
    }
}

/// Pair counts by slot, with the words each pair may occur in (a superset: entries go stale as
/// merges rewrite words, and are checked when used).
struct PairCounts {
    private var slotOfPair = PairMap(capacity: 1 << 16)
    var keys: [UInt64] = []
    var counts: [Int64] = []
    var words: [[Int32]] = []
    private var touchedStamp: [Int32] = []
    private(set) var touchedSlots: [Int] = []
    private var step: Int32 = 0

    var slotCount: Int { keys.count }

    func slot(of key: UInt64) -> Int? { slotOfPair.get(key).map(Int.init) }

    mutating func beginStep() {
        step += 1
        touchedSlots.removeAll(keepingCapacity: true)
    }

    mutating func change(_ a: Int32, _ b: Int32, by delta: Int64, word: Int32) {
        let key = PairMap.key(a, b)
        let next = Int32(keys.count)
        let slot = Int(slotOfPair.getOrInsert(key) { next })
        if slot == keys.count {
            keys.append(key)
            counts.append(0)
            words.append([])
            touchedStamp.append(0)
        }
        counts[slot] += delta
        guard delta > 0 else { return }
        if words[slot].last != word { words[slot].append(word) }
        if touchedStamp[slot] != step {
            touchedStamp[slot] = step
            touchedSlots.append(slot)
        }
    }

    /// A pair that will not be merged (again): its count and word list are dropped.
    mutating func retire(_ slot: Int) {
        counts[slot] = 0
        words[slot] = []
    }
}

/// Max-heap of (count, pair key): highest count first, then the smallest key.
struct PairHeap {
    private var counts: [Int64] = []
    private var keys: [UInt64] = []

    @inline(__always)
    private func before(_ i: Int, _ j: Int) -> Bool {
        counts[i] > counts[j] || (counts[i] == counts[j] && keys[i] < keys[j])
    }

    mutating func push(count: Int64, key: UInt64) {
        counts.append(count)
        keys.append(key)
        var i = counts.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(i, parent) else { break }
            counts.swapAt(i, parent)
            keys.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (count: Int64, key: UInt64)? {
        guard !counts.isEmpty else { return nil }
        let top = (counts[0], keys[0])
        counts.swapAt(0, counts.count - 1)
        keys.swapAt(0, keys.count - 1)
        counts.removeLast()
        keys.removeLast()
        var i = 0
        while true {
            var best = i
            let l = 2 * i + 1, r = l + 1
            if l < counts.count && before(l, best) { best = l }
            if r < counts.count && before(r, best) { best = r }
            if best == i { break }
            counts.swapAt(i, best)
            keys.swapAt(i, best)
            i = best
        }
        return top
    }
}
