/// Stops training when the validation loss has not improved by at least `minDelta` for
/// `patience` consecutive evaluations. Its state is part of a checkpoint.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public let patience: Int
    public let minDelta: Double
    public private(set) var bestLoss: Double = .infinity
    public private(set) var bestStep: Int = -1
    public private(set) var evaluationsWithoutImprovement = 0

    public init(patience: Int, minDelta: Double) {
        self.patience = patience
        self.minDelta = minDelta
    }

    public enum Verdict: Equatable { case improved, noImprovement, stop }

    public mutating func observe(validationLoss loss: Double, step: Int) -> Verdict {
        if loss < bestLoss - minDelta {
            bestLoss = loss
            bestStep = step
            evaluationsWithoutImprovement = 0
            return .improved
        }
        evaluationsWithoutImprovement += 1
        return patience > 0 && evaluationsWithoutImprovement >= patience ? .stop : .noImprovement
    }
}
