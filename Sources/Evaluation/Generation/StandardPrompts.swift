/// The prompts and sampling settings every evaluation generates with, so runs compare.
public enum StandardPrompts {
    /// The original project's two prompts first, then more in the same register.
    public static let prompts = [
        "En el año 1492,",
        "Durante la Edad Media,",
        "La capital de España",
        "El río Amazonas",
        "En la actualidad, la ciudad",
        "La teoría de la relatividad",
    ]

    /// Greedy, plain temperature, top-k, top-p, and top-p with a repetition penalty.
    public static func settings(maxNewTokens: Int = 48, seed: UInt64 = 1) -> [SamplingSettings] {
        [
            .greedy(maxNewTokens: maxNewTokens),
            SamplingSettings(temperature: 0.8, maxNewTokens: maxNewTokens, seed: seed),
            SamplingSettings(temperature: 0.8, topK: 40, maxNewTokens: maxNewTokens, seed: seed),
            SamplingSettings(temperature: 0.8, topP: 0.9, maxNewTokens: maxNewTokens, seed: seed),
            SamplingSettings(temperature: 0.8, topP: 0.9, repetitionPenalty: 1.3, maxNewTokens: maxNewTokens, seed: seed),
        ]
    }
}
