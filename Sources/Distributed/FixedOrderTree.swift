/// The one order in which the M leaf vectors of a step (the micro-batches' gradients) are
/// summed, whatever the number of ranks: a binary tree over the leaves 0..<M, where node
/// [lo, hi) is node [lo, mid) + node [mid, hi) with mid = lo + (hi − lo) / 2, added element by
/// element. Float addition is commutative but not associative, so the tree fixes every
/// association; a rank owning a contiguous share of the leaves sums the largest nodes inside its
/// share alone (`nodes(covering:)`) and the nodes above them are added where the ranks' nodes
/// meet. Each node's value is then the same bits wherever it is computed.
public struct FixedOrderTree: Sendable, Equatable {
    public let leaves: Int

    public init(leaves: Int) {
        precondition(leaves > 0, "a tree needs at least one leaf")
        self.leaves = leaves
    }

    public var root: Range<Int> { 0..<leaves }

    /// The split point of a node of two or more leaves.
    public static func mid(_ node: Range<Int>) -> Int { node.lowerBound + node.count / 2 }

    /// Rank `rank`'s contiguous share of `count` items among `ranks`: r·count/N ..< (r+1)·count/N.
    public static func share(of rank: Int, ranks: Int, count: Int) -> Range<Int> {
        (rank * count / ranks)..<((rank + 1) * count / ranks)
    }

    /// The largest tree nodes inside `range`, in order; together they are exactly `range`.
    public func nodes(covering range: Range<Int>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        func visit(_ node: Range<Int>) {
            guard node.overlaps(range) else { return }
            if range.lowerBound <= node.lowerBound && node.upperBound <= range.upperBound {
                found.append(node)
                return
            }
            let mid = Self.mid(node)
            visit(node.lowerBound..<mid)
            visit(mid..<node.upperBound)
        }
        if !range.isEmpty { visit(root) }
        return found
    }

    /// Levels of scratch a node's sum needs: one per level of right children below it.
    public static func depth(_ node: Range<Int>) -> Int {
        node.count <= 1 ? 0 : 1 + max(depth(node.lowerBound..<mid(node)), depth(mid(node)..<node.upperBound))
    }
}

/// dest[i] = dest[i] + addend[i]: the one addition of the tree.
@inline(__always)
func addInto(_ dest: UnsafeMutablePointer<Float>, _ addend: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { dest[i] += addend[i] }
}
