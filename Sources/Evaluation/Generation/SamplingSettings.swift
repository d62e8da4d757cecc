/// How the next token is chosen from the logits. Applied in this order: repetition penalty,
/// then greedy argmax when `temperature == 0`; otherwise temperature, top-k, softmax, top-p,
/// and a draw from the seeded generator.
public struct SamplingSettings: Codable, Sendable, Equatable {
    /// 0 picks the most likely token (greedy); otherwise logits are divided by it.
    public var temperature: Double
    /// Keep only the k most likely tokens; 0 keeps all.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.
    public var topP: Double
    /// CTRL-style (Keskar et al. 2019, as in Hugging Face): the logit z of every token already in
    /// the prompt or output becomes z/θ if z > 0, else z·θ; 1 disables it.
    public var repetitionPenalty: Double
    public var maxNewTokens: Int
    public var seed: UInt64
    /// Generation ends, without emitting it, when one of these is chosen.
    public var stopTokens: [Int]

    public init(temperature: Double = 1, topK: Int = 0, topP: Double = 1, repetitionPenalty: Double = 1,
                maxNewTokens: Int = 50, seed: UInt64 = 0, stopTokens: [Int] = []) {
        precondition(temperature >= 0, "temperature \(temperature) must be ≥ 0")
        precondition(topK >= 0, "top-k \(topK) must be ≥ 0")
        precondition(topP > 0 && topP <= 1, "top-p \(topP) must be in (0, 1]")
        precondition(repetitionPenalty > 0, "repetition penalty \(repetitionPenalty) must be > 0")
        precondition(maxNewTokens >= 1, "max new tokens \(maxNewTokens) must be ≥ 1")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.maxNewTokens = maxNewTokens
        self.seed = seed
        self.stopTokens = stopTokens
    }

    public static func greedy(maxNewTokens: Int = 50, repetitionPenalty: Double = 1) -> SamplingSettings {
        SamplingSettings(temperature: 0, repetitionPenalty: repetitionPenalty, maxNewTokens: maxNewTokens)
    }

    /// A short human label, e.g. "temperature 0.8, top-k 40, top-p 0.95, seed 1".
    public var label: String {
        var parts = [temperature == 0 ? "greedy" : "temperature \(temperature)"]
        if temperature > 0 && topK > 0 { parts.append("top-k \(topK)") }
        if temperature > 0 && topP < 1 { parts.append("top-p \(topP)") }
        if repetitionPenalty != 1 { parts.append("repetition penalty \(repetitionPenalty)") }
        if temperature > 0 { parts.append("seed \(seed)") }
        return parts.joined(separator: ", ")
    }
}
