/// A map from a pair of token ids to an Int32, by open addressing. Used for pair counts while
/// training and for merge ranks while encoding, both hot loops.
struct PairMap {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    @inline(__always)
    func get(_ key: UInt64) -> Int32? {
        var s = slot(key)
        while true {
            let k = keys[s]
            if k == key { return values[s] }
            if k == Self.empty { return nil }
            s = (s + 1) & mask
        }
    }

    /// The value for `key`, inserting `make()` when absent.
    @inline(__always)
    mutating func getOrInsert(_ key: UInt64, _ make: () -> Int32) -> Int32 {
        var s = slot(key)
        while true {
            let k = keys[s]
            if k == key { return values[s] }
            if k == Self.empty { break }
            s = (s + 1) & mask
        }
        let value = make()
        keys[s] = key
        values[s] = value
        count += 1
        if count * 2 > keys.count { grow() }
        return value
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (i, k) in oldKeys.enumerated() where k != Self.empty {
            var s = slot(k)
            while keys[s] != Self.empty { s = (s + 1) & mask }
            keys[s] = k
            values[s] = oldValues[i]
        }
    }
}
