/// Encodes text with one tokenizer, caching the ids of each distinct piece it has seen
/// (pieces repeat heavily in natural text, so most are a single hash lookup). Not thread-safe:
/// use one encoder per thread.
public final class TokenEncoder {
    public let tokenizer: Tokenizer
    private var cache = ByteStringTable(capacity: 1 << 14)
    private var cachedIDs: [TokenID] = []
    private var cachedEnds: [Int] = []
    private var scratch = MergeScratch()

    /// Beyond these the cache is emptied and refilled, bounding memory on unbounded input;
    /// longer pieces are rare and not worth keeping.
    private static let maxCachedPieces = 1 << 20
    private static let maxCachedPieceBytes = 64

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
        var text = tokenizer.kind == .word ? WordPreTokenizer.normalized(text) : text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            switch tokenizer.model {
            case .bpe(let model):
                PreTokenizer.forEachPiece(base, count: utf8.count) { start, end in
                    let before = out.count
                    piece(base + start, end - start, &out) { p, n, out in model.encodePiece(p, n, into: &out, &scratch) }
                    eachPiece?(out.count - before)
                }
            case .word(let model):
                WordPreTokenizer.forEachPiece(base, count: utf8.count) { start, end in
                    piece(base + start, end - start, &out) { p, n, out in out.append(model.id(of: p, n)) }
                    eachPiece?(1)
                }
            }
        }
    }

    @inline(__always)
    private func piece(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout [TokenID],
                       _ compute: (UnsafePointer<UInt8>, Int, inout [TokenID]) -> Void) {
        if n > Self.maxCachedPieceBytes { compute(p, n, &out); return }
        if let hit = cache.find(p, n) {
            let start = hit == 0 ? 0 : cachedEnds[hit - 1]
            out.append(contentsOf: cachedIDs[start..<cachedEnds[hit]])
            return
        }
        if cache.count >= Self.maxCachedPieces {
            cache.removeAll()
            cachedIDs.removeAll(keepingCapacity: true)
            cachedEnds.removeAll(keepingCapacity: true)
        }
        let first = out.count
        compute(p, n, &out)
        _ = cache.intern(p, n)
        cachedIDs.append(contentsOf: out[first...])
        cachedEnds.append(cachedIDs.count)
    }
}
