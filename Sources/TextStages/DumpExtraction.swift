import CoreSupport
import Foundation
import MiniPipeline
import MiniStore
import WikiSource

/// What `extract` records at each checkpoint of a dump: where the parser stands, where the
/// decompressor can start again to get there, and the totals so far.
struct DumpProgress: Codable {
    var parser: DumpParser.Resume
    var restart: RestartPoint
    var articles: Int
    var textBytes: Int
}

extension ExtractStage {
    struct Extracted {
        let corpus: ArtifactHash
        let articles: Int
        let textBytes: Int
        let counts: DumpParser.Counts
    }

    /// Streams a dump's articles into the raw corpus, decompressing on every core
    /// (`MINILLM_THREADS`), with checkpointed progress: a killed run goes on after its last
    /// checkpoint and gives the same bytes.
    func extractDump(_ context: StageContext, _ p: ExtractSettings, from path: String, named label: String,
                     source: String, limit: Int?) throws -> Extracted {
        let progress = Progress<DumpProgress>(context: context, name: "extract-progress")
        let threads = ThreadCount.requested ?? ProcessInfo.processInfo.activeProcessorCount
        let index = try context.inputs["dump_index"].map {
            try StreamIndex.offsets(path: try context.store.ensureIntact($0), name: StreamIndex.companion(of: label))
        }
        context.log.info("decompressing on \(threads) thread\(threads == 1 ? "" : "s"), "
            + (index.map { "\($0.count) streams of pages from the index" } ?? "streams found by scanning"))
        var articles = 0, textBytes = 0
        var counts = DumpParser.Counts()
        let corpus = try progress.write(kind: "raw-corpus", mediaType: "application/x-ndjson", from: try progress.load()) { writer, state in
            if let state {
                context.log.info("resuming after \(state.articles) articles, at byte \(state.parser.offset) of the XML")
            }
            articles = state?.articles ?? 0
            textBytes = state?.textBytes ?? 0
            let input = try Input.openResumable(path, name: label, threads: threads, index: index,
                                                resume: state.map { ($0.restart, $0.parser.offset) })
            let parser = DumpParser(input, maxPageBytes: p.maxPageBytes, verifySHA1: p.verifyPageSHA1, source: source,
                                    resume: state?.parser)
            let interval = Progress<DumpProgress>.intervalBytes
            var nextCheckpoint = (state?.parser.offset ?? 0) + interval
            while limit.map({ articles < $0 }) ?? true, let article = try parser.next() {
                try writer.write(article.jsonLine())
                articles += 1
                textBytes += article.text.utf8.count
                let point = parser.resumePoint
                if point.offset >= nextCheckpoint {
                    try progress.save(DumpProgress(parser: point, restart: input.restartPoint(before: point.offset),
                                                   articles: articles, textBytes: textBytes),
                                      writer: writer, step: Int64(articles))
                    nextCheckpoint = point.offset + interval
                }
            }
            counts = parser.counts
        }
        return Extracted(corpus: corpus, articles: articles, textBytes: textBytes, counts: counts)
    }
}
