/// Encodes text with one tokenizer, caching the ids of each distinct piece it has seen
/// (pieces repeat heavily in natural text, so most are a single hash lookup). Not thread-safe:
/// use one encoder per thread.
public final class TokenEncoder {
    public let tokenizer: Tokenizer
    private var cache = PieceCache()
    private var scratch = MergeScratch()

    init(_ tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    public func encode(_ text: String) -> [TokenID] {
        var out = [TokenID]()
        out.reserveCapacity(text.utf8.count / 3)
        append(text, to: &out)
        return out
    }

    /// Appends the ids of `text` to `out`.
    public func append(_ text: String, to out: inout [TokenID]) { append(text, to: &out, eachPiece: nil) }

    /// Also reports how many tokens each pre-tokenised piece became (for the statistics).
    func append(_ text: String, to out: inout [TokenID], eachPiece: ((Int) -> Void)?) {
        // The working state moves into locals for the loop: accesses to a class's stored
        // properties are checked for exclusivity at run time, locals at compile time.
        var cache = PieceCache(), scratch = MergeScratch()
        swap(&cache, &self.cache)
        swap(&scratch, &self.scratch)
        defer {
            swap(&cache, &self.cache)
            swap(&scratch, &self.scratch)
        }
        var text = tokenizer.kind == .word ? WordPreTokenizer.normalized(text) : text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            switch tokenizer.model {
            case .bpe(let model):
                PreTokenizer.forEachPiece(base, count: utf8.count) { start, end in
                    let before = out.count
                    cache.append(base + start, end - start, to: &out) { p, n, out in model.encodePiece(p, n, into: &out, &scratch) }
                    eachPiece?(out.count - before)
                }
            case .word(let model):
                WordPreTokenizer.forEachPiece(base, count: utf8.count) { start, end in
                    cache.append(base + start, end - start, to: &out) { p, n, out in out.append(model.id(of: p, n)) }
                    eachPiece?(1)
                }
            }
        }
    }
}

/// The ids of pieces already encoded, keyed by the piece's bytes.
struct PieceCache {
    private var pieces = ByteStringTable(capacity: 1 << 14)
    private var ids: [TokenID] = []
    private var ends: [Int] = []

    /// Beyond these the cache is emptied and refilled, bounding memory on unbounded input;
    /// longer pieces are rare and not worth keeping.
    private static let maxPieces = 1 << 20
    private static let maxPieceBytes = 64

    @inline(__always)
    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int, to out: inout [TokenID],
                         _ compute: (UnsafePointer<UInt8>, Int, inout [TokenID]) -> Void) {
        if n > Self.maxPieceBytes { compute(p, n, &out); return }
        if let hit = pieces.find(p, n) {
            out.append(contentsOf: ids[(hit == 0 ? 0 : ends[hit - 1])..<ends[hit]])
            return
        }
        if pieces.count >= Self.maxPieces {
            pieces.removeAll()
            ids.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
        let first = out.count
        compute(p, n, &out)
        _ = pieces.intern(p, n)
        ids.append(contentsOf: out[first...])
        ends.append(ids.count)
    }
}
