import CoreSupport
import Foundation
import MiniStore

/// Failures of planning and running stages, each naming what was wrong and where. Text from the
/// user (names, values) is quoted bounded (`MessageText.bounded`).
public enum PipelineError: Error, CustomStringConvertible {
    case pipelineFileUnreadable(path: String, reason: String)
    case pipelineFileInvalid(path: String, key: String, reason: String)
    case unknownStage(String, known: [String])
    case unknownPreset(String, known: [String])
    case emptyRange(from: String, until: String)
    case invalidParameters(path: String, stage: String, reason: String)
    case externalFile(stage: String, role: String, path: String, problem: String)
    case upstreamNotFresh(stage: String, upstream: String)
    case missingInput(stage: String, role: String)
    case badInputOverride(String, reason: String)
    case inputChangedDuringRun(stage: String, role: String)
    case stageFailed(stage: String, reason: String)
    case busy(stage: String, lock: String)

    public var description: String {
        func quoted(_ text: String) -> String { "\"\(MessageText.bounded(text))\"" }
        switch self {
        case .pipelineFileUnreadable(let path, let reason):
            return "\(path): \(reason)"
        case .pipelineFileInvalid(let path, let key, let reason):
            return "\(path): \(key): \(reason)"
        case .unknownStage(let name, let known):
            let hint = MessageText.suggestion(for: name, among: known).map { "did you mean \($0)? " } ?? ""
            return "unknown stage \(quoted(name)) (\(hint)stages: \(known.joined(separator: ", ")))"
        case .unknownPreset(let name, let known):
            let hint = MessageText.suggestion(for: name, among: known).map { "did you mean \($0)? " } ?? ""
            return "unknown preset \(quoted(name)) (\(hint)presets: \(known.joined(separator: ", ")))"
        case .emptyRange(let from, let until):
            return "--from \(from) --until \(until) selects no stage: \(from) runs after \(until)"
        case .invalidParameters(let path, let stage, let reason):
            return "\(path): stage \(stage): \(reason)"
        case .externalFile(let stage, let role, let path, let problem):
            return "stage \(stage): input file \(role) \(MessageText.bounded(path)) \(problem)"
        case .upstreamNotFresh(let stage, let upstream):
            return "stage \(stage) needs the output of \(upstream), which is not built for the current parameters; run `minillm run --until \(upstream)` first or pass --input"
        case .missingInput(let stage, let role):
            return "stage \(stage) has no input \"\(role)\""
        case .badInputOverride(let text, let reason):
            return "--input \(MessageText.bounded(text)): \(reason)"
        case .inputChangedDuringRun(let stage, let role):
            return "input \(role) of stage \(stage) changed while the stage ran; nothing was recorded"
        case .stageFailed(let stage, let reason):
            return "stage \(stage) failed: \(reason)"
        case .busy(let stage, let lock):
            return "stage \(stage) is being built by another process (lock \(lock))"
        }
    }
}

/// Parameters each valid on their own that do not work together (heads that do not divide the
/// width, split fractions over 1): thrown by `Stage.validate`, before anything runs.
public struct ParameterConflict: Error, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
