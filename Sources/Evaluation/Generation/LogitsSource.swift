/// What generation needs from a model: next-token logits for a growing sequence. The model
/// side owns its KV cache: `start` resets it and reads the prompt, `append` extends it by one
/// token, so each step costs one cached forward pass. How a sequence longer than the model's
/// context is handled (refuse, or slide and recompute) is the model side's decision.
public protocol LogitsSource {
    var vocabSize: Int { get }
    /// Forgets any previous sequence, reads `prompt`, returns the logits of the token after it.
    mutating func start(prompt: [Int]) throws -> [Float]
    /// Appends `token` to the sequence and returns the logits of the token after it.
    mutating func append(_ token: Int) throws -> [Float]
}
