import Foundation

/// How often each distinct piece occurs in a set of documents: the input of both trainers.
/// Documents are split into one contiguous chunk per thread, each chunk counted on its own, and
/// the chunk tables merged in chunk order, so the result does not depend on scheduling.
struct WordTypeCounts {
    var table = ByteStringTable(capacity: 1 << 16)
    var counts: [Int64] = []

    typealias Splitter = @Sendable (UnsafePointer<UInt8>, Int, (Int, Int) -> Void) -> Void

    /// `normalize`, when given, is applied to each document before it is split.
    static func count(_ documents: [String], threads: Int, normalize: (@Sendable (String) -> String)? = nil,
                      splitter: @escaping Splitter) -> WordTypeCounts {
        let chunks = chunkBounds(documents, parts: max(1, threads))
        let partials = ResultSlots<WordTypeCounts>(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { part in
            var local = WordTypeCounts()
            for index in chunks[part] {
                var text = normalize?(documents[index]) ?? documents[index]
                text.withUTF8 { utf8 in
                    guard let base = utf8.baseAddress else { return }
                    splitter(base, utf8.count) { start, end in local.add(base + start, end - start, 1) }
                }
            }
            partials[part] = local
        }
        var total = partials[0]!
        for part in 1..<chunks.count { total.merge(partials[part]!) }
        return total
    }

    mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int, _ count: Int64) {
        let (index, isNew) = table.intern(p, n)
        if isNew { counts.append(count) } else { counts[index] += count }
    }

    mutating func merge(_ other: WordTypeCounts) {
        other.table.arena.withUnsafeBufferPointer { arena in
            for index in 0..<other.table.count {
                let r = other.table.range(index)
                add(arena.baseAddress! + r.lowerBound, r.count, other.counts[index])
            }
        }
    }

    /// Drops the rarest pieces so that at most `limit` remain: those counted no more than the
    /// count below which all but `limit` lie (ties go together, so fewer may remain). The others
    /// keep their order and counts.
    mutating func prune(toAtMost limit: Int) {
        guard counts.count > limit else { return }
        let floor = limit == 0 ? Int64.max : counts.sorted()[counts.count - limit - 1]
        var kept = WordTypeCounts()
        do {
            table.arena.withUnsafeBufferPointer { arena in
                for index in 0..<table.count where counts[index] > floor {
                    let r = table.range(index)
                    kept.add(arena.baseAddress! + r.lowerBound, r.count, counts[index])
                }
            }
        }
        self = kept
    }

    /// Contiguous document ranges with about equal numbers of bytes.
    static func chunkBounds(_ documents: [String], parts: Int) -> [Range<Int>] {
        let total = documents.reduce(0) { $0 + $1.utf8.count }
        var bounds: [Range<Int>] = []
        var start = 0, seen = 0
        for (i, document) in documents.enumerated() {
            seen += document.utf8.count
            if bounds.count < parts - 1 && seen * parts >= total * (bounds.count + 1) {
                bounds.append(start..<(i + 1))
                start = i + 1
            }
        }
        bounds.append(start..<documents.count)
        return bounds
    }
}

/// One result slot per parallel task, each written by exactly one task.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }
}
