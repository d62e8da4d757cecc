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
        var z = logits
        if settings.repetitionPenalty != 1 {
            let theta = Float(settings.repetitionPenalty)
            for t in Set(history) where t >= 0 && t < z.count { z[t] = z[t] > 0 ? z[t] / theta : z[t] * theta }
        }
        if settings.temperature == 0 { return Self.argmax(z) }

        // Candidates with unnormalised weights: the k most likely, most likely first, or every
        // token in id order.
        let temperature = Float(settings.temperature)
        var candidates: [Int], weights: [Float]
        if settings.topK > 0 && settings.topK < z.count {
            candidates = Self.mostLikely(settings.topK, z)
            weights = candidates.map { z[$0] / temperature }
        } else {
            candidates = Array(z.indices)
            weights = z
            for i in weights.indices { weights[i] /= temperature }
        }
        let shift = weights.max()!
        let total = weights.withUnsafeMutableBufferPointer { w in
            VectorExp.shiftedExp(UnsafeBufferPointer(w), shift: shift, into: w)
        }
        if settings.topP < 1 {
            let (kept, p) = Self.nucleus(candidates, weights.map { Double($0) / total }, settings.topP)
            return kept[Self.draw(p, rng.nextUnit())]
        }
        return candidates[Self.draw(weights, rng.nextUnit())]
    }

    /// The index where the running sum of `weights` first exceeds u · (their sum).
    static func draw<W: BinaryFloatingPoint>(_ weights: [W], _ u: Double) -> Int {
        let target = u * weights.reduce(0.0) { $0 + Double($1) }
        var cumulative = 0.0
        for i in weights.indices {
            cumulative += Double(weights[i])
            if target < cumulative { return i }
        }
        return weights.count - 1
    }

    /// The first index of the largest value.
    static func argmax(_ z: [Float]) -> Int {
        var best = 0
        for i in z.indices where z[i] > z[best] { best = i }
        return best
    }

    /// The smallest set of most likely candidates whose probabilities (normalised) reach
    /// `topP`, most likely first, equal probabilities by smaller id.
    static func nucleus(_ candidates: [Int], _ p: [Double], _ topP: Double) -> ([Int], [Double]) {
        // Tokens below (1 − topP)/n hold less than 1 − topP of the mass together, so the
        // nucleus lies among the others: only those need sorting.
        let floor = (1 - topP) / Double(p.count)
        var ranked = p.indices.filter { p[$0] >= floor }
        ranked.sort { p[$0] != p[$1] ? p[$0] > p[$1] : candidates[$0] < candidates[$1] }
        var cumulative = 0.0, keep = 0
        while keep < ranked.count && cumulative < topP {
            cumulative += p[ranked[keep]]
            keep += 1
        }
        return (ranked[..<keep].map { candidates[$0] }, ranked[..<keep].map { p[$0] })
    }

    /// The k tokens with the largest scores, largest first, equal scores by smaller id: a
    /// selection of the k-th largest value, then a sort of only the tokens at or above it.
    static func mostLikely<T: BinaryFloatingPoint>(_ k: Int, _ z: [T]) -> [Int] {
        let kth = kthLargest(z, k)
        var chosen = z.indices.filter { z[$0] > kth }
        for t in z.indices where chosen.count < k && z[t] == kth { chosen.append(t) }
        return chosen.sorted { z[$0] != z[$1] ? z[$0] > z[$1] : $0 < $1 }
    }

    /// Hoare quickselect with a median-of-three pivot (deterministic).
    static func kthLargest<T: BinaryFloatingPoint>(_ values: [T], _ k: Int) -> T {
        var a = values
        let target = k - 1
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            let pivot = max(min(a[lo], a[mid]), min(max(a[lo], a[mid]), a[hi]))
            var i = lo, j = hi
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return a[target] }
        }
        return a[target]
    }

}
