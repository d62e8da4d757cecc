import CoreSupport
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
        let threads = ThreadCount.requested ?? ProcessInfo.processInfo.activeProcessorCount
        var pipelineSettings = settings.pipelineSettings(threads: max(1, threads))
        pipelineSettings.batchBytes = Int(min(Int64(pipelineSettings.batchBytes), Progress<CleanProgress>.intervalBytes))
        let pipeline = CleanPipeline(pipelineSettings)
        let started = Date()
        let corpus = try cleanResumably(context, pipeline)
        let s = pipeline.stats
        let seconds = Date().timeIntervalSince(started)
        context.log.info(String(format: "%d of %d articles kept, %.1f M characters, %.2f s (%.1f MB/s of input, resumed part included)",
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

    /// Cleans with checkpointed progress: the filters' state goes into a segment artifact per
    /// checkpoint (`clean-segment-NNNNNN`), and a killed run replays the segments, then goes on
    /// from the input offset of the last checkpoint, ending with the same bytes.
    private func cleanResumably(_ context: StageContext, _ pipeline: CleanPipeline) throws -> ArtifactHash {
        let progress = Progress<CleanProgress>(context: context, name: "clean-progress")
        var saved = try progress.load()
        func segmentName(_ k: Int) -> String { String(format: "clean-segment-%06d", k) }
        if let state = saved?.state, try (0..<state.segments).contains(where: { try context.checkpoint(segmentName($0 + 1)) == nil }) {
            context.log.warning("a segment of checkpoint clean-progress is gone; starting from the beginning")
            saved = nil
        }
        let path = try context.inputPath("corpus")
        var segments = saved?.state.segments ?? 0
        let corpus = try progress.write(kind: "clean-corpus", mediaType: "application/x-ndjson", from: saved) { writer, state in
            if let state {
                for k in 1..<(state.segments + 1) {
                    guard let segment = try context.checkpoint(segmentName(k)) else {
                        throw PipelineError.stageFailed(stage: name, reason: "checkpoint \(segmentName(k)) vanished while resuming")
                    }
                    try pipeline.replay(Array(try context.store.data(segment.hash)), name: "checkpoint \(segmentName(k))")
                }
                context.log.info("resuming after \(pipeline.stats.articlesIn) articles, at byte \(state.input.offset) of the raw corpus")
            }
            let start = state?.input ?? CleanPipeline.InputPosition(offset: 0, line: 0)
            segments = state?.segments ?? 0
            let input = try Input.openResumable(path, threads: 1, resume: (RestartPoint(fileOffset: start.offset, outputOffset: start.offset),
                                                                           start.offset))
            let interval = Progress<CleanProgress>.intervalBytes
            var nextCheckpoint = start.offset + interval
            try pipeline.run(input, from: start, write: { try writer.write($0) }) { position in
                guard position.offset >= nextCheckpoint else { return }
                segments += 1
                let segment = try context.store.put(Data(pipeline.takeSegment()), kind: "clean-segment", mediaType: "application/octet-stream")
                try context.saveCheckpoint(segmentName(segments), hash: segment, step: Int64(pipeline.stats.articlesIn))
                try progress.save(CleanProgress(input: position, segments: segments), writer: writer, step: Int64(pipeline.stats.articlesIn))
                nextCheckpoint = position.offset + interval
            }
        }
        for k in stride(from: segments, to: 0, by: -1) { try context.deleteCheckpoint(segmentName(k)) }
        return corpus
    }
}

/// What `clean` records at each checkpoint: where the input stands and how many segments hold
/// the filters' state.
struct CleanProgress: Codable {
    var input: CleanPipeline.InputPosition
    var segments: Int
}
