// Benchmarks of the text stages, for pipeline/scripts/bench-clean.sh. Each mode prints one JSON
// object: the per-run seconds and throughputs, so the script can put them beside the references.
import CoreSupport
import CorpusFormat
import Foundation
import TextCleaning
import WikiSource

func pages(_ dump: String) throws -> [String] {
    let parser = DumpParser(try Input.open(dump))
    var texts: [String] = []
    while let page = try parser.next() { texts.append(page.text) }
    return texts
}

func summary(_ seconds: [Double], bytes: Int) -> [String: Any] {
    let sorted = seconds.sorted()
    let rates = sorted.map { Double(bytes) / 1e6 / $0 }
    return ["runs": seconds.count, "bytes": bytes, "seconds_median": sorted[sorted.count / 2],
            "mb_per_s_median": rates[rates.count / 2], "mb_per_s_min": rates.last!, "mb_per_s_max": rates.first!]
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now()
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("""
        usage: minillm-bench-text export-pages DUMP OUT.json   the dump's article wikitext as a JSON array
               minillm-bench-text clean DUMP RUNS              Cleaner on every page, one thread
               minillm-bench-text parse DUMP RUNS              the extract stage's dump parsing alone
               minillm-bench-text dump DUMP RUNS               parse + clean the dump end to end, two threads
               minillm-bench-text sample JSONL RUNS            the clean stage on the plain-text sample, 1 and 2 threads
               minillm-bench-text big-page MB                  one page of MB megabytes of wikitext
               minillm-bench-text near-duplicates N            the near-duplicate index with N articles' signatures
        """.utf8))
    exit(2)
}
let mode = arguments[1]
switch mode {
case "export-pages":
    let data = try JSONSerialization.data(withJSONObject: try pages(arguments[2]))
    try data.write(to: URL(fileURLWithPath: arguments[3]))
case "clean":
    let texts = try pages(arguments[2])
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    var runs: [Double] = []
    var outBytes = 0
    for _ in 0..<(Int(arguments[3]) ?? 10) {
        runs.append(time { outBytes = texts.reduce(0) { $0 + Cleaner.clean($1, format: .wikitext).utf8.count } })
    }
    emit(summary(runs, bytes: bytes).merging(["pages": texts.count, "output_bytes": outBytes]) { a, _ in a })
case "dump":
    let compressed = try Store.fileSize(arguments[2])
    var runs: [Double] = []
    var uncompressed = 0
    var kept = 0
    for _ in 0..<(Int(arguments[3]) ?? 10) {
        runs.append(try time {
            let counter = CountingSource(try Input.open(arguments[2]))
            let parser = DumpParser(ReadAheadSource(counter))
            var raw: [UInt8] = []
            while let page = try parser.next() { raw += page.jsonLine() }
            var settings = CleanPipeline.Settings()
            settings.threads = 2
            let pipeline = CleanPipeline(settings)
            try pipeline.run(BytesSource(raw)) { _ in }
            uncompressed = counter.count
            kept = pipeline.stats.articlesOut
        })
    }
    emit(summary(runs, bytes: uncompressed).merging(["compressed_bytes": compressed, "articles_out": kept]) { a, _ in a })
case "parse":
    var runs: [Double] = []
    var uncompressed = 0
    for _ in 0..<(Int(arguments[3]) ?? 10) {
        runs.append(try time {
            let counter = CountingSource(try Input.open(arguments[2]))
            let parser = DumpParser(ReadAheadSource(counter))
            while try parser.next() != nil {}
            uncompressed = counter.count
        })
    }
    emit(summary(runs, bytes: uncompressed))
case "sample":
    var raw: [UInt8] = []
    var bytes = 0
    try PlainSample.read(path: arguments[2], limit: nil) { raw += $0.jsonLine(); bytes += $0.text.utf8.count }
    var result: [String: Any] = [:]
    for threads in [1, 2] {
        var runs: [Double] = []
        var kept = 0
        for _ in 0..<(Int(arguments[3]) ?? 3) {
            var settings = CleanPipeline.Settings()
            settings.threads = threads
            let pipeline = CleanPipeline(settings)
            runs.append(try time { try pipeline.run(BytesSource(raw)) { _ in } })
            kept = pipeline.stats.articlesOut
        }
        result["threads_\(threads)"] = summary(runs, bytes: bytes).merging(["articles_out": kept]) { a, _ in a }
    }
    emit(result)
case "big-page":
    let megabytes = Int(arguments[2]) ?? 50
    let unit = "El [[río]] {{lang|es|Ebro}} pasa por ''Zaragoza''.<ref>{{cita web|url=http://x}}</ref> [[Archivo:x.jpg|thumb|[[a]]]] {{{{[[ "
    let page = String(repeating: unit, count: megabytes << 20 / unit.utf8.count)
    var out = 0
    let seconds = time { out = Cleaner.clean(page, format: .wikitext).utf8.count }
    emit(["bytes": page.utf8.count, "seconds": seconds, "mb_per_s": Double(page.utf8.count) / 1e6 / seconds, "output_bytes": out])
case "near-duplicates":
    // Random signatures (distinct articles) and, every 100th, a near copy of an earlier one: what
    // the index costs in time and memory as `clean` sees eswiki's kept articles.
    let count = Int(arguments[2]) ?? 1_000_000
    var near = NearDuplicates(threshold: 0.8)
    var state: UInt64 = 1
    func random() -> UInt32 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt32(truncatingIfNeeded: state >> 32)
    }
    var kept: [[UInt32]] = [], found = 0
    let before = ProcessMemory.residentBytes
    let seconds = time {
        for index in 0..<count {
            var signature = (0..<NearDuplicates.hashes).map { _ in random() }
            if index % 100 == 99 {
                signature = kept[Int(random()) % kept.count]
                for k in stride(from: 0, to: NearDuplicates.hashes, by: 8) { signature[k] ^= 1 }
            } else if index % 1000 == 0 {
                kept.append(signature)
            }
            if near.earlier(signature, index: index) != nil { found += 1 }
        }
    }
    emit(["articles": count, "near_copies_found": found, "seconds": seconds, "articles_per_s": Double(count) / seconds,
          "index_bytes": near.allocatedBytes, "index_bytes_per_article": Double(near.allocatedBytes) / Double(count),
          "rss_growth_bytes": ProcessMemory.residentBytes - before, "peak_rss_bytes": ProcessMemory.peakResidentBytes])
default:
    FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
    exit(2)
}

/// Counts the bytes that pass (the decompressed size).
final class CountingSource: ByteSource {
    let inner: ByteSource
    var count = 0
    var name: String { inner.name }
    init(_ inner: ByteSource) { self.inner = inner }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        count += n
        return n
    }
}

enum Store {
    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
