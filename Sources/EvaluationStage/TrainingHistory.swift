import Evaluation
import Foundation

/// The training curves from the train stage's JSON Lines log: `{"kind":"train"|"val","step":…,
/// "loss":…,"accuracy":…,"lr":…,…}`, one point per step (a validation line joins the train line
/// of its step). Non-finite values are written as null and stay absent.
enum TrainingHistory {
    static func parse(_ data: Data) throws -> [HistoryPoint] {
        var points: [Int: HistoryPoint] = [:]
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw EvaluationError.badLog(line: index + 1, reason: "not a JSON object")
            }
            guard let kind = object["kind"] as? String, let step = (object["step"] as? NSNumber)?.intValue else {
                throw EvaluationError.badLog(line: index + 1, reason: "no \"kind\" or \"step\"")
            }
            func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
            var point = points[step] ?? HistoryPoint(step: step)
            switch kind {
            case "train":
                point.trainLoss = number("loss")
                point.learningRate = number("lr")
            case "val":
                point.validationLoss = number("loss")
                point.validationAccuracy = number("accuracy")
            default:
                throw EvaluationError.badLog(line: index + 1, reason: "unknown kind \"\(kind)\"")
            }
            points[step] = point
        }
        return points.keys.sorted().map { points[$0]! }
    }
}
