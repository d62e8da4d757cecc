import MiniPipeline
import TextStages

extension StageRegistry {
    /// The minillm pipeline, in order.
    public static let standard = StageRegistry([ExtractStage(), CleanStage()])
}
