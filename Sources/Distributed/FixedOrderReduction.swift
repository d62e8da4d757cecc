/// The sum of M leaf vectors of `count` floats (a step's micro-batch gradients), in the order
/// of `FixedOrderTree`, on every rank, bitwise the same for any number of ranks:
///
/// 1. each rank computes its share of the leaves (`FixedOrderTree.share`) and sums them into
///    the largest tree nodes inside the share;
/// 2. reduce-scatter by hand: the vector is cut into one contiguous chunk per rank, and every
///    rank sends each chunk of its nodes to the chunk's owner (one all-to-all);
/// 3. the owner adds the nodes of its chunk up the same tree and scales the chunk;
/// 4. all-gather: every chunk reaches every rank.
///
/// With one rank, step 1 already gives the root and steps 2 and 4 move nothing. MPI only moves
/// bytes: every addition is done here, in the tree's order.
public final class FixedOrderReduction {
    public let communicator: Communicator
    public let count: Int
    public let tree: FixedOrderTree
    /// The leaves this rank computes.
    public let localLeaves: Range<Int>
    let localNodes: [Range<Int>]
    /// Every rank's nodes, in rank order (so in leaf order), and how many each rank has.
    let allNodes: [Range<Int>]
    let nodeIndex: [Range<Int>: Int]
    let nodesPerRank: [Int]
    /// The element range of the vector each rank adds up.
    let chunks: [Range<Int>]

    let nodeValues: UnsafeMutablePointer<Float>
    let levels: [UnsafeMutablePointer<Float>]
    let packed: UnsafeMutablePointer<Float>?
    let received: UnsafeMutablePointer<Float>?
    let chunkLevels: [UnsafeMutablePointer<Float>]
    /// Wall-clock seconds spent so far in the exchanges (all-to-all and all-gather), waiting for
    /// slower ranks included: the price of training together.
    public private(set) var exchangeSeconds = 0.0

    /// Refuses more ranks than leaves (see `check`) and exchanges larger than MPI's 32-bit counts.
    public init(count: Int, leaves: Int, communicator: Communicator) throws {
        let ranks = communicator.size
        try Self.check(ranks: ranks, leaves: leaves)
        self.communicator = communicator
        self.count = count
        let tree = FixedOrderTree(leaves: leaves)
        self.tree = tree
        localLeaves = FixedOrderTree.share(of: communicator.rank, ranks: ranks, count: leaves)
        let perRank = (0..<ranks).map { tree.nodes(covering: FixedOrderTree.share(of: $0, ranks: ranks, count: leaves)) }
        localNodes = perRank[communicator.rank]
        allNodes = perRank.flatMap { $0 }
        nodeIndex = Dictionary(uniqueKeysWithValues: allNodes.enumerated().map { ($1, $0) })
        nodesPerRank = perRank.map(\.count)
        chunks = (0..<ranks).map { FixedOrderTree.share(of: $0, ranks: ranks, count: count) }
        guard localNodes.count * count <= Int(Int32.max), allNodes.count * chunks[communicator.rank].count <= Int(Int32.max) else {
            throw DistributedError.refused("\(count) floats × \(allNodes.count) tree nodes exceed MPI's 32-bit message counts")
        }
        func floats(_ n: Int) -> UnsafeMutablePointer<Float> {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            buffer.initialize(repeating: 0, count: max(n, 1))
            return buffer
        }
        nodeValues = floats(localNodes.count * count)
        levels = (0..<(localNodes.map(FixedOrderTree.depth).max() ?? 0)).map { _ in floats(count) }
        let chunk = chunks[communicator.rank].count
        packed = ranks > 1 ? floats(localNodes.count * count) : nil
        received = ranks > 1 ? floats(allNodes.count * chunk) : nil
        // Alone, this rank's one node is the root: nothing is left to combine.
        chunkLevels = ranks > 1 ? (0..<FixedOrderTree.depth(tree.root)).map { _ in floats(chunk) } : []
    }

    /// A rank with no leaf would have nothing to compute: refused, in one line.
    public static func check(ranks: Int, leaves: Int) throws(DistributedError) {
        guard ranks > leaves else { return }
        throw .refused("\(ranks) ranks cannot share \(leaves) micro-batch\(leaves == 1 ? "" : "es") per step: "
                       + "set micro_batches to at least \(ranks) (a divisor of batch_size)")
    }

    deinit {
        for buffer in [nodeValues] + levels + [packed, received].compactMap({ $0 }) + chunkLevels { buffer.deallocate() }
    }

    /// Writes scale × (the tree's sum of the leaves) into `vector` on every rank. `leaf(m)`
    /// must overwrite `vector` with leaf m; it is called for `localLeaves` only, in order.
    public func sum(into vector: UnsafeMutablePointer<Float>, scale: Float, leaf: (Int) throws -> Void) throws {
        for (j, node) in localNodes.enumerated() {
            try evaluate(node, into: nodeValues + j * count, level: 0, vector: vector, leaf: leaf)
        }
        let me = communicator.rank, mine = chunks[me]
        let source: UnsafePointer<Float>
        if let packed, let received {
            let local = localNodes.count
            for chunk in chunks {
                for j in 0..<local {
                    (packed + local * chunk.lowerBound + j * chunk.count)
                        .update(from: nodeValues + j * count + chunk.lowerBound, count: chunk.count)
                }
            }
            let before = nodesPerRank.indices.map { nodesPerRank[..<$0].reduce(0, +) }
            let started = ContinuousClock.now
            defer { exchangeSeconds += Self.seconds(since: started) }
            try communicator.allToAll(
                send: packed, sendCounts: chunks.map { Int32(local * $0.count) }, sendOffsets: chunks.map { Int32(local * $0.lowerBound) },
                receive: received, receiveCounts: nodesPerRank.map { Int32($0 * mine.count) },
                receiveOffsets: before.map { Int32($0 * mine.count) }, "the gradient reduce-scatter")
            source = UnsafePointer(received)
        } else {
            source = UnsafePointer(nodeValues)
        }
        let out = vector + mine.lowerBound
        combine(tree.root, from: source, length: mine.count, into: out, level: 0)
        if scale != 1 {
            for i in 0..<mine.count { out[i] *= scale }
        }
        let started = ContinuousClock.now
        try communicator.allGather(vector, counts: chunks.map { Int32($0.count) }, offsets: chunks.map { Int32($0.lowerBound) },
                                   "the gradient all-gather")
        exchangeSeconds += Self.seconds(since: started)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// A node of this rank's share, from its leaves.
    private func evaluate(_ node: Range<Int>, into dest: UnsafeMutablePointer<Float>, level: Int,
                          vector: UnsafeMutablePointer<Float>, leaf: (Int) throws -> Void) throws {
        if node.count == 1 {
            try leaf(node.lowerBound)
            dest.update(from: vector, count: count)
            return
        }
        let mid = FixedOrderTree.mid(node)
        try evaluate(node.lowerBound..<mid, into: dest, level: level + 1, vector: vector, leaf: leaf)
        try evaluate(mid..<node.upperBound, into: levels[level], level: level + 1, vector: vector, leaf: leaf)
        addInto(dest, levels[level], count: count)
    }

    /// A node of this rank's chunk, from the received slices of every rank's nodes (slice j at
    /// j × length; alone, the chunk is the whole vector and the slices are the nodes).
    private func combine(_ node: Range<Int>, from source: UnsafePointer<Float>, length: Int,
                         into dest: UnsafeMutablePointer<Float>, level: Int) {
        if let j = nodeIndex[node] {
            dest.update(from: source + j * length, count: length)
            return
        }
        let mid = FixedOrderTree.mid(node)
        combine(node.lowerBound..<mid, from: source, length: length, into: dest, level: level + 1)
        combine(mid..<node.upperBound, from: source, length: length, into: chunkLevels[level], level: level + 1)
        addInto(dest, chunkLevels[level], count: length)
    }
}

extension Communicator {
    /// `rows` rows of `width` numbers, row i computed by `compute(i)` on the rank whose share
    /// holds i, gathered on every rank in row order (per-micro-batch losses, for sums in order).
    public func gatherRows(_ rows: Int, width: Int, _ what: String, compute: (Int) throws -> [Double]) throws -> [Double] {
        var values = [Double](repeating: 0, count: rows * width)
        let mine = FixedOrderTree.share(of: rank, ranks: size, count: rows)
        for row in mine {
            let computed = try compute(row)
            precondition(computed.count == width, "gatherRows: row \(row) has \(computed.count) numbers, not \(width)")
            values.replaceSubrange(row * width..<(row + 1) * width, with: computed)
        }
        let shares = (0..<size).map { FixedOrderTree.share(of: $0, ranks: size, count: rows) }
        try values.withUnsafeMutableBufferPointer {
            try allGather($0.baseAddress!, counts: shares.map { Int32($0.count * width) },
                          offsets: shares.map { Int32($0.lowerBound * width) }, what)
        }
        return values
    }
}
