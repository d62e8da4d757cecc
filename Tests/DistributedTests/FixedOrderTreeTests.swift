import Distributed
import Testing

/// The tree that fixes the order of a step's gradient sum: every rank count's shares decompose
/// into tree nodes, and adding those nodes up the tree gives the root's bits. (The ranks
/// themselves, over MPI, are tested end to end in MinillmTests/DistributedTrainingTests.)
@Suite struct FixedOrderTreeTests {
    /// Leaf values whose sum depends on the association (large and small magnitudes mixed).
    static func leaves(_ count: Int, width: Int) -> [[Float]] {
        var state: UInt64 = 0x9E37_79B9
        return (0..<count).map { _ in
            (0..<width).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let unit = Float(state >> 40) / Float(1 << 24) - 0.5
                return unit * (state & 1 == 0 ? 1e4 : 1e-3)
            }
        }
    }

    /// The tree's sum of a node, written out independently of the library.
    static func reference(_ node: Range<Int>, _ values: [[Float]]) -> [Float] {
        if node.count == 1 { return values[node.lowerBound] }
        let mid = node.lowerBound + node.count / 2
        return zip(reference(node.lowerBound..<mid, values), reference(mid..<node.upperBound, values)).map { $0 + $1 }
    }

    @Test func sharesAreContiguousAndCoverEveryLeafOnce() {
        for leaves in 1...16 {
            for ranks in 1...min(leaves, 4) {
                let shares = (0..<ranks).map { FixedOrderTree.share(of: $0, ranks: ranks, count: leaves) }
                #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == leaves)
                #expect(zip(shares, shares.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(shares.allSatisfy { !$0.isEmpty }, "every rank has a micro-batch (M \(leaves), N \(ranks))")
            }
        }
    }

    @Test func theNodesOfAnyShareAddUpToTheRootsBits() {
        let width = 64
        for leaves in 1...12 {
            let tree = FixedOrderTree(leaves: leaves)
            let values = Self.leaves(leaves, width: width)
            let root = Self.reference(tree.root, values)
            for ranks in 1...min(leaves, 4) {
                let nodes = (0..<ranks).flatMap { tree.nodes(covering: FixedOrderTree.share(of: $0, ranks: ranks, count: leaves)) }
                #expect(nodes.flatMap { Array($0) } == Array(0..<leaves), "nodes partition the leaves in order")
                // Add the nodes' values up the tree, as the owner of a chunk does.
                let known = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Self.reference($0, values)) })
                func combine(_ node: Range<Int>) -> [Float] {
                    if let value = known[node] { return value }
                    let mid = FixedOrderTree.mid(node)
                    return zip(combine(node.lowerBound..<mid), combine(mid..<node.upperBound)).map { $0 + $1 }
                }
                #expect(combine(tree.root).map(\.bitPattern) == root.map(\.bitPattern), "M \(leaves), N \(ranks)")
            }
        }
    }

    /// The order matters: a left-to-right fold of the same leaves gives other bits, so the
    /// equality above is not a property of any order.
    @Test func anotherOrderGivesOtherBits() {
        let values = Self.leaves(8, width: 256)
        let fold = values.dropFirst().reduce(values[0]) { zip($0, $1).map { $0 + $1 } }
        #expect(fold.map(\.bitPattern) != Self.reference(0..<8, values).map(\.bitPattern))
    }

    @Test func oneProcessSumsTheTreeAndScales() throws {
        let leaves = 6, width = 100
        let values = Self.leaves(leaves, width: width)
        let reduction = try FixedOrderReduction(count: width, leaves: leaves, communicator: .single)
        #expect(reduction.localLeaves == 0..<leaves)
        var vector = [Float](repeating: .nan, count: width)
        var called: [Int] = []
        try vector.withUnsafeMutableBufferPointer { buffer in
            try reduction.sum(into: buffer.baseAddress!, scale: 0.25) { leaf in
                called.append(leaf)
                for i in 0..<width { buffer[i] = values[leaf][i] }
            }
        }
        #expect(called == Array(0..<leaves))
        #expect(vector.map(\.bitPattern) == Self.reference(0..<leaves, values).map { ($0 * 0.25).bitPattern })
    }

    @Test func moreRanksThanMicroBatchesAreRefusedInOneLine() {
        #expect(throws: DistributedError.refused("3 ranks cannot share 2 micro-batches per step: "
                                                  + "set micro_batches to at least 3 (a divisor of batch_size)")) {
            try FixedOrderReduction.check(ranks: 3, leaves: 2)
        }
    }
}
