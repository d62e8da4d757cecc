import Foundation
import MiniStore

/// Failures of planning and running stages, each naming what was wrong and where.
public enum PipelineError: Error, CustomStringConvertible {
    case pipelineFileUnreadable(path: String, reason: String)
    case pipelineFileInvalid(path: String, key: String, reason: String)
    case unknownStage(String, known: [String])
    case unknownPreset(String, known: [String])
    case upstreamNotFresh(stage: String, upstream: String)
    case missingInput(stage: String, role: String)
    case badInputOverride(String)
    case inputChangedDuringRun(stage: String, role: String)
    case stageFailed(stage: String, reason: String)
    case busy(stage: String, lock: String)

    public var description: String {
        switch self {
        case .pipelineFileUnreadable(let path, let reason):
            return "\(path): \(reason)"
        case .pipelineFileInvalid(let path, let key, let reason):
            return "\(path): \(key): \(reason)"
        case .unknownStage(let name, let known):
            return "unknown stage \"\(name)\" (stages: \(known.joined(separator: ", ")))"
        case .unknownPreset(let name, let known):
            return "unknown preset \"\(name)\" (presets: \(known.joined(separator: ", ")))"
        case .upstreamNotFresh(let stage, let upstream):
            return "stage \(stage) needs the output of \(upstream), which is not built for the current parameters; run `minillm run --until \(upstream)` first or pass --input"
        case .missingInput(let stage, let role):
            return "stage \(stage) has no input \"\(role)\""
        case .badInputOverride(let text):
            return "--input \(text): expected ROLE=HASH with a known role and an artifact in the catalogue"
        case .inputChangedDuringRun(let stage, let role):
            return "input \(role) of stage \(stage) changed while the stage ran; nothing was recorded"
        case .stageFailed(let stage, let reason):
            return "stage \(stage) failed: \(reason)"
        case .busy(let stage, let lock):
            return "stage \(stage) is being built by another process (lock \(lock))"
        }
    }
}
