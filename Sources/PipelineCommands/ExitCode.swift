import CoreSupport
import Foundation
import MiniPipeline
import MiniStore

/// The documented exit codes of `minillm` and every `minillm-<stage>` (the README's table).
public enum MinillmExit: Int32, CaseIterable {
    case success = 0
    case stageFailed = 1
    case usage = 2
    case store = 3
    case busy = 4
    case verifyFailed = 5
    case notReady = 6
    /// Stopped by SIGINT (128 + 2) or SIGTERM (128 + 15), the run recorded abandoned.
    case interrupted = 130
    case terminated = 143

    static func classify(_ error: Error) -> MinillmExit {
        switch error {
        case let error as PipelineError:
            switch error {
            case .pipelineFileUnreadable, .pipelineFileInvalid, .unknownStage, .unknownPreset, .badInputOverride,
                 .emptyRange, .invalidParameters, .externalFile: .usage
            case .busy: .busy
            case .upstreamNotFresh: .notReady
            case .missingInput, .inputChangedDuringRun, .stageFailed: .stageFailed
            }
        case let error as StoreError:
            switch error {
            case .lockBusy: .busy
            case .badHashPrefix: .usage
            default: .store
            }
        case is ParameterConflict: .usage
        case let error as Interrupted: error.signal == SIGINT ? .interrupted : .terminated
        default: .stageFailed
        }
    }
}
