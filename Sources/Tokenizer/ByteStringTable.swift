import Foundation

/// Interns byte strings: each distinct string gets the next index, and looking one up needs no
/// allocation. Open addressing over a power-of-two slot array whose slots hold the upper half of
/// the key's hash beside its index, so most mismatches are rejected without touching the
/// strings, which live in one arena.
/// Counting word types and caching encoded pieces are both lookups of short byte slices,
/// where `Dictionary<[UInt8], …>` would allocate an array per lookup.
struct ByteStringTable {
    private(set) var arena: [UInt8] = []
    private var ends: [Int] = []
    private var hashes: [UInt64] = []
    /// 0 for empty, else (upper 32 bits of the hash) | (index + 1).
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slotValue(_ h: UInt64, _ index: Int) -> UInt64 { h & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1) }

    var count: Int { ends.count }

    func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

    func key(_ index: Int) -> ArraySlice<UInt8> { arena[range(index)] }

    /// The index of the string, inserting it when new.
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> (index: Int, isNew: Bool) {
        let h = Self.hash(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let value = slots[slot]
            if value == 0 { break }
            if value >> 32 == h >> 32, equals(Int(value & 0xFFFF_FFFF) - 1, p, n) { return (Int(value & 0xFFFF_FFFF) - 1, false) }
            slot = (slot + 1) & mask
        }
        let index = ends.count
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        ends.append(arena.count)
        hashes.append(h)
        slots[slot] = Self.slotValue(h, index)
        if ends.count * 2 > slots.count { grow() }
        return (index, true)
    }

    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let h = Self.hash(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let value = slots[slot]
            if value == 0 { return nil }
            if value >> 32 == h >> 32, equals(Int(value & 0xFFFF_FFFF) - 1, p, n) { return Int(value & 0xFFFF_FFFF) - 1 }
            slot = (slot + 1) & mask
        }
    }

    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    private func equals(_ entry: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let r = range(entry)
        guard r.count == n else { return false }
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + r.lowerBound, p, n) == 0 }
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (index, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Self.slotValue(h, index)
        }
    }

    /// A fast non-cryptographic 64-bit hash (multiply–xorshift over 8-byte words).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            for k in 0..<(n - i) { tail |= UInt64(p[i + k]) << (8 * UInt64(k)) }
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }
}
