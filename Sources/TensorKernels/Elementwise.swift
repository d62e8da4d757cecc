/// Applies a 16-lane function over `count` floats in parallel chunks; the tail is padded with
/// zeros into a full vector, so every element goes through the same vector code.
enum Elementwise {
    static let chunk = 16_384

    @inline(__always)
    static func map(
        _ pool: WorkerPool, count: Int,
        _ body: (_ offset: Int, _ lanes: Int) -> Void
    ) {
        pool.run(Partition.chunks(count, of: chunk)) { task, _ in
            let range = Partition.range(task, of: chunk, in: count)
            var i = range.lowerBound
            while i < range.upperBound {
                body(i, min(16, range.upperBound - i))
                i += 16
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, lanes: Int) -> SIMD16<Float> {
        if lanes == 16 { return VectorOps.load(p) }
        var v = SIMD16<Float>()
        for l in 0..<lanes { v[l] = p[l] }
        return v
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == 16 { VectorOps.store(v, p); return }
        for l in 0..<lanes { p[l] = v[l] }
    }
}
