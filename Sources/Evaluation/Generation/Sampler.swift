import Foundation

/// Chooses next tokens from logits according to `SamplingSettings`, deterministically: the same
/// settings (seed included), logits and history give the same tokens on every run.
public struct Sampler: Sendable {
    public let settings: SamplingSettings
    private var rng: SeededGenerator

    public init(settings: SamplingSettings) {
        self.settings = settings
        rng = SeededGenerator(seed: settings.seed)
    }

    /// `history` is the sequence so far (prompt and generated tokens), for the repetition penalty.
    public mutating func next(logits: [Float], history: [Int]) -> Int {
        precondition(!logits.isEmpty, "no logits to sample from")
        var z = logits.map(Double.init)
        if settings.repetitionPenalty != 1 {
            let theta = settings.repetitionPenalty
            for t in Set(history) where t >= 0 && t < z.count { z[t] = z[t] > 0 ? z[t] / theta : z[t] * theta }
        }
        if settings.temperature == 0 { return Self.argmax(z) }

        // Candidates, most likely first; equal logits keep the smaller id first.
        var order = Array(z.indices)
        order.sort { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }
        if settings.topK > 0 && settings.topK < order.count { order.removeSubrange(settings.topK...) }

        let m = z[order[0]] / settings.temperature
        var p = order.map { Foundation.exp(z[$0] / settings.temperature - m) }
        let total = p.reduce(0, +)
        for i in p.indices { p[i] /= total }
        if settings.topP < 1 {
            var cumulative = 0.0, keep = 0
            while keep < p.count && cumulative < settings.topP {
                cumulative += p[keep]
                keep += 1
            }
            order.removeSubrange(keep...)
            p.removeSubrange(keep...)
        }
        let u = rng.nextUnit() * p.reduce(0, +)
        var cumulative = 0.0
        for i in p.indices {
            cumulative += p[i]
            if u < cumulative { return order[i] }
        }
        return order[p.count - 1]
    }

    /// The first index of the largest value.
    static func argmax(_ z: [Double]) -> Int {
        var best = 0
        for i in z.indices where z[i] > z[best] { best = i }
        return best
    }
}
