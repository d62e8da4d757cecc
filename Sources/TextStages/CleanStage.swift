import Foundation
import MiniPipeline
import MiniStore
import StageParameters
import TextCleaning
import WikiSource

/// `minillm-clean`: the raw corpus to clean Spanish text. Outputs `corpus` (JSON Lines, one
/// article a line: `{"title","page_id","text"}`, in input order) and `stats` (JSON).
public struct CleanStage: Stage {
    public init() {}

    public let name = "clean"
    /// 2: the stats artifact ends with a newline.
    public let version = 2
    public let summary = "Wikitext and scraped text to clean Spanish text; length, language and duplicate filters"
    public let inputs = [StageInput("corpus", from: "extract")]
    public let parameters = CleanSettings.specs

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let settings = try CleanSettings(context.parameters)
        let pipeline = CleanPipeline(settings.pipelineSettings(threads: max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))))
        let input = try Input.open(try context.inputPath("corpus"))
        let started = Date()
        let corpus = try context.store.write(kind: "clean-corpus", mediaType: "application/x-ndjson") { writer in
            try pipeline.run(input) { try writer.write($0) }
        }
        let s = pipeline.stats
        let seconds = Date().timeIntervalSince(started)
        context.log.info(String(format: "%d of %d articles kept, %.1f M characters, %.2f s (%.1f MB/s of input)",
                                s.articlesOut, s.articlesIn, Double(s.charactersOut) / 1e6, seconds,
                                Double(try Store.stat(try context.inputPath("corpus")).size) / 1e6 / max(seconds, 1e-9)))
        let parameterValues = try JSONSerialization.jsonObject(with: Data(context.parameters.canonicalJSON.utf8)) as? [String: Any] ?? [:]
        let stats = try context.store.put(try s.json(parameters: parameterValues), kind: "clean-stats", mediaType: "application/json")
        var metrics: [(String, Double)] = [("articles_in", Double(s.articlesIn)), ("articles_out", Double(s.articlesOut)),
                                           ("characters_in", Double(s.charactersIn)), ("characters_out", Double(s.charactersOut)),
                                           ("words_out", Double(s.wordsOut)), ("bytes_out", Double(s.bytesOut))]
        metrics += CleanStats.Reason.allCases.map { ("dropped_" + $0.rawValue, Double(s.dropped[$0] ?? 0)) }
        try context.recordMetrics(step: 0, metrics)
        guard s.articlesOut > 0 else {
            throw PipelineError.stageFailed(stage: name, reason: "no article survived cleaning (\(s.articlesIn) in; "
                + CleanStats.Reason.allCases.map { "\($0.rawValue) \(s.dropped[$0] ?? 0)" }.joined(separator: ", ") + ")")
        }
        return ["corpus": corpus, "stats": stats]
    }
}
