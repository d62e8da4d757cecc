import MiniPipeline
import MiniStore

/// The documented exit codes of `minillm` and every `minillm-<stage>`.
public enum MinillmExit: Int32 {
    case success = 0
    case stageFailed = 1
    case usage = 2
    case store = 3
    case busy = 4
    case verifyFailed = 5
    case notReady = 6

    static func classify(_ error: Error) -> MinillmExit {
        switch error {
        case let error as PipelineError:
            switch error {
            case .pipelineFileUnreadable, .pipelineFileInvalid, .unknownStage, .unknownPreset, .badInputOverride: .usage
            case .busy: .busy
            case .upstreamNotFresh: .notReady
            case .missingInput, .inputChangedDuringRun, .stageFailed: .stageFailed
            }
        case let error as StoreError:
            if case .lockBusy = error { .busy } else { .store }
        default: .stageFailed
        }
    }
}
