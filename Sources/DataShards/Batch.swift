import Tokenizer

/// B rows of T tokens, row-major, and the token that follows each one. A target of
/// `Batch.ignored` (−1) means "nothing to predict here" (padding, or a document start).
public struct Batch: Sendable, Equatable {
    public static let ignored: TokenID = -1

    public let batchSize: Int
    public let context: Int
    public var inputs: [TokenID]
    public var targets: [TokenID]

    public init(batchSize: Int, context: Int) {
        self.batchSize = batchSize
        self.context = context
        inputs = [TokenID](repeating: SpecialToken.pad.id, count: batchSize * context)
        targets = [TokenID](repeating: Self.ignored, count: batchSize * context)
    }
}

/// The trainer's batches: each row a window of T + 1 consecutive tokens starting at a random
/// offset of one split (windows cross document boundaries, like nanoGPT). The offsets of a step
/// come from a SplitMix64 stream seeded by (seed, step) alone, so a run resumed at step s sees
/// exactly the batches it would have seen, with no generator state to save.
public struct BatchSampler: Sendable {
    public let tokens: ShardReader
    public let batchSize: Int
    public let context: Int
    public let seed: UInt64

    public init(tokens: ShardReader, batchSize: Int = 32, context: Int = 128, seed: UInt64) throws {
        precondition(batchSize > 0 && context > 0, "batch size and context must be positive")
        guard tokens.count > context else {
            throw ShardError.splitTooShort(part: tokens.path, tokens: tokens.count, needed: context + 1)
        }
        self.tokens = tokens
        self.batchSize = batchSize
        self.context = context
        self.seed = seed
    }

    /// The start of each row of a step's batch, each in `0 ... count − T − 1`.
    public func offsets(step: Int) -> [Int] {
        var random = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: step) &* 0xD1B5_4A32_D192_ED03))
        let positions = UInt64(tokens.count - context)
        return (0..<batchSize).map { _ in Int(random.next().multipliedFullWidth(by: positions).high) }
    }

    public func batch(step: Int) -> Batch {
        var batch = Batch(batchSize: batchSize, context: context)
        batch.inputs.withUnsafeMutableBufferPointer { inputs in
            batch.targets.withUnsafeMutableBufferPointer { targets in
                fill(step: step, inputs: inputs.baseAddress!, targets: targets.baseAddress!)
            }
        }
        return batch
    }

    /// Writes a step's batch into caller-owned buffers of B × T tokens each (no allocation).
    public func fill(step: Int, inputs: UnsafeMutablePointer<TokenID>, targets: UnsafeMutablePointer<TokenID>) {
        for (row, offset) in offsets(step: step).enumerated() {
            tokens.copy(from: offset, count: context, into: inputs + row * context)
            tokens.copy(from: offset + 1, count: context, into: targets + row * context)
        }
    }
}

/// A split read in order, for evaluation: window w holds tokens `w·T ..< w·T + T` as inputs and
/// the next token of each as targets, so every token after the first is a target exactly once.
/// Windows are packed B to a batch; the last window and batch are padded (`[PAD]` inputs,
/// ignored targets). Targets that are `[BOS]` are ignored too: a new document's start cannot be
/// predicted, and its bytes are not text. So the scored tokens are each document's text tokens
/// and its `[EOS]`, and bits per byte = total loss / (ln 2 · `tokens.header.textBytes`).
public struct SequentialBatches: Sendable {
    public let tokens: ShardReader
    public let batchSize: Int
    public let context: Int

    public init(tokens: ShardReader, batchSize: Int = 32, context: Int = 128) {
        precondition(batchSize > 0 && context > 0, "batch size and context must be positive")
        self.tokens = tokens
        self.batchSize = batchSize
        self.context = context
    }

    public var windowCount: Int { tokens.count < 2 ? 0 : (tokens.count - 2) / context + 1 }
    public var count: Int { (windowCount + batchSize - 1) / batchSize }

    public func batch(_ index: Int) -> Batch {
        precondition(index >= 0 && index < count, "batch \(index) outside 0..<\(count)")
        var batch = Batch(batchSize: batchSize, context: context)
        for row in 0..<batchSize {
            let window = index * batchSize + row
            guard window < windowCount else { break }
            let start = window * context
            let length = min(context, tokens.count - 1 - start)
            batch.inputs.withUnsafeMutableBufferPointer { tokens.copy(from: start, count: length, into: $0.baseAddress! + row * context) }
            batch.targets.withUnsafeMutableBufferPointer { targets in
                let row = targets.baseAddress! + row * context
                tokens.copy(from: start + 1, count: length, into: row)
                for i in 0..<length where row[i] == SpecialToken.bos.id { row[i] = Batch.ignored }
            }
        }
        return batch
    }
}

/// Sebastiano Vigna's SplitMix64: tiny, fast, and its output is fixed by the algorithm, unlike
/// the standard library's generators.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
