import protocol Evaluation.LogitsSource
import MiniGPT

/// MiniGPT's KV-cached `CachedDecoder` as the evaluation's `LogitsSource`: one cached forward pass
/// per generated token. A sequence that outgrows the context restarts the cache from its last
/// ⌈T/2⌉ tokens (one prefill per T/2 new tokens), so the model always reads a full half-window.
public struct CachedModelSource: LogitsSource {
    let cache: CachedDecoder
    private var sequence: [Int32] = []

    public init(model: MiniGPT) { cache = CachedDecoder(model: model) }

    public var vocabSize: Int { cache.model.config.vocabSize }
    private var contextLength: Int { cache.model.config.contextLength }

    public mutating func start(prompt: [Int]) throws -> [Float] {
        guard !prompt.isEmpty else { throw EvaluationError.emptyPrompt }
        sequence = prompt.map(Int32.init)
        return try refill(keeping: contextLength)
    }

    public mutating func append(_ token: Int) throws -> [Float] {
        sequence.append(Int32(token))
        guard cache.position < contextLength else { return try refill(keeping: (contextLength + 1) / 2) }
        return Array(try cache.append(Int32(token)))
    }

    /// Reads the last `count` tokens of the sequence into an empty cache.
    private func refill(keeping count: Int) throws -> [Float] {
        cache.reset()
        var logits: [Float] = []
        for token in sequence.suffix(count) { logits = Array(try cache.append(token)) }
        return logits
    }
}
