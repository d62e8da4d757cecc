import MiniPipeline

extension StageRegistry {
    /// The minillm pipeline, in order.
    public static let standard = StageRegistry([])
}
