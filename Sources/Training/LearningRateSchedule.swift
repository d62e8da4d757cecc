import Foundation

/// Linear warmup from 0 to the peak rate, then cosine or linear decay to `minRatio × peak`
/// at `totalSteps`, or warmup–stable–decay (`wsd`): the peak until the last `cooldownFraction`
/// of the steps, then a linear cool-down to `minRatio × peak`. Steps count from 0; the rate used
/// at step s is `rate(at: s)`.
public struct LearningRateSchedule: Equatable, Sendable {
    public enum Decay: String, Sendable, CaseIterable { case cosine, linear, constant, wsd }

    public let peak: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let decay: Decay
    public let minRatio: Double
    public let cooldownFraction: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay, minRatio: Double = 0.1,
                cooldownFraction: Double = 0.4) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
        self.minRatio = minRatio
        self.cooldownFraction = cooldownFraction
    }

    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Double(step - warmupSteps) / Double(span), 1)
        let floor = peak * minRatio
        switch decay {
        case .constant: return peak
        case .linear: return floor + (peak - floor) * (1 - progress)
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
        case .wsd:
            let cooldown = max(Int((Double(totalSteps) * cooldownFraction).rounded()), 1)
            let start = max(totalSteps - cooldown, warmupSteps)
            guard step >= start else { return peak }
            let done = min(Double(step - start + 1) / Double(max(totalSteps - start, 1)), 1)
            return peak + (floor - peak) * done
        }
    }
}
