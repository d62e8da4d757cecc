import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// What a hostile user gives the real `minillm` and its stages: each case is refused with an
/// error that names the user's file (not the store's copy) or the parameters at fault, and what
/// can be checked without running anything is refused before the first stage runs.
@Suite("Hostile input through minillm", .serialized) struct MinillmHostileInputTests {
    /// The end-to-end project with its pipeline file's `stages` entries replaced by `changes`,
    /// and by default an evaluation that does the least it can (no BLEU, one token generated).
    static func project(_ changes: [String: String] = [:], trainSteps: Int = 10) -> ScratchProject {
        let project = TrainResumeTests.project(trainSteps: trainSteps)
        var text = try! String(contentsOfFile: project.pipelineFile, encoding: .utf8)
        let light = ["evaluate": #"{"batch_size": 4, "max_tokens": 64, "bleu_articles": 0, "max_new_tokens": 1}"#]
        for (stage, replacement) in light.merging(changes, uniquingKeysWith: { _, new in new }) {
            let start = text.range(of: "\"\(stage)\": {")!
            let end = text[start.upperBound...].firstIndex(of: "}")!
            text.replaceSubrange(start.lowerBound...end, with: "\"\(stage)\": \(replacement)")
        }
        project.setPipeline(text)
        return project
    }

    static func compress(_ tool: String, _ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-9", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }

    func expectRefusedBeforeAnyStage(_ changes: [String: String], mentions: [String]) throws {
        let project = Self.project(changes)
        project.dir.directory("pipeline/adir")
        let result = try project.run(["run"])
        #expect(result.status == 2, "\(changes): \(result.stderr)")
        for text in mentions { #expect(result.stderr.contains(text), "\(result.stderr) should mention \(text)") }
        #expect(project.scalar("SELECT count(*) FROM runs")?.int == 0, "nothing may run: \(result.stderr)")
    }

    @Test func parametersThatCanBeCheckedUpFrontAreRefusedBeforeExtract() throws {
        let train = #"{"width": 32, "heads": 3, "layers": 1, "context": 16, "batch_size": 4}"#
        try expectRefusedBeforeAnyStage(["train": train], mentions: ["stage train: invalid MiniGPT config: d_model 32 is not divisible by n_heads 3 (width 32, heads 3)"])
        try expectRefusedBeforeAnyStage(["evaluate": #"{"extra_text": "data/none.txt"}"#],
                                        mentions: ["stage evaluate: input file extra_text data/none.txt does not exist"])
        try expectRefusedBeforeAnyStage(["evaluate": #"{"extra_text": "adir"}"#], mentions: ["extra_text adir is a directory"])
        try expectRefusedBeforeAnyStage(["vocab": #"{"train_fraction": 0.9, "val_fraction": 0.2}"#],
                                        mentions: ["stage vocab: train_fraction 0.9 + val_fraction 0.2 = 1.1 is more than 1"])
        try expectRefusedBeforeAnyStage(["extract": #"{"sample_file": ""}"#], mentions: ["input file sample \"\" is a directory"])
        try expectRefusedBeforeAnyStage(["extract": #"{"source": "dump"}"#], mentions: ["source dump needs dump_location"])
    }

    /// Broken, mislabelled and foreign files: the error names `data/…` as the pipeline file says it.
    @Test func brokenCorporaAndDumpsAreNamedAsTheUserNamesThem() throws {
        let articles = try Data(contentsOf: URL(fileURLWithPath: Repo.articles))
        let sampleBzip2 = try Self.compress("bzip2", articles)
        let dump = try Data(contentsOf: URL(fileURLWithPath: Repo.data("eswiki-2010-head-10pages.xml.bz2")))
        let plainDump = """
            <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10"><page><title>A</title><ns>0</ns>\
            <revision><text>texto</text></revision></page></mediawiki>
            """
        let files: [(String, Data)] = [
            ("cut.jsonl.bz2", sampleBzip2.prefix(sampleBzip2.count / 2)), ("cut.xml.bz2", dump.prefix(dump.count / 2)),
            ("gzip.jsonl.bz2", try Self.compress("gzip", articles)), ("sample.jsonl.gz", try Self.compress("gzip", articles)),
            ("notxml.xml", articles), ("random.xml", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) })),
            ("v99.xml", Data(plainDump.replacingOccurrences(of: "version=\"0.10\"", with: "version=\"0.99\"").utf8)),
            ("foreign.xml", Data(plainDump.replacingOccurrences(of: "http://www.mediawiki.org/xml/export-0.10/", with: "urn:other").utf8)),
        ]
        let cases: [(String, [String])] = [
            (#"{"sample_file": "data/cut.jsonl.bz2"}"#, ["data/cut.jsonl.bz2: bzip2 data ends early", "compressed bytes"]),
            (#"{"source": "dump", "dump_location": "data/cut.xml.bz2"}"#, ["data/cut.xml.bz2: bzip2 data ends early"]),
            (#"{"sample_file": "data/gzip.jsonl.bz2"}"#, ["data/gzip.jsonl.bz2: gzip-compressed"]),
            (#"{"sample_file": "data/sample.jsonl.gz"}"#, ["data/sample.jsonl.gz: gzip-compressed"]),
            (#"{"source": "dump", "dump_location": "data/notxml.xml"}"#, ["data/notxml.xml: not a MediaWiki XML dump"]),
            (#"{"source": "dump", "dump_location": "data/random.xml"}"#, ["data/random.xml: not a MediaWiki XML dump"]),
            (#"{"source": "dump", "dump_location": "data/v99.xml"}"#, ["data/v99.xml", "export schema version 0.99"]),
            (#"{"source": "dump", "dump_location": "data/foreign.xml"}"#, ["data/foreign.xml", "namespace is urn:other"]),
        ]
        for (extract, mentions) in cases {
            let project = Self.project(["extract": extract])
            for (name, data) in files { try data.write(to: URL(fileURLWithPath: project.dir.directory("pipeline/data") + "/" + name)) }
            let result = try project.run(["run", "--until", "extract"])
            #expect(result.status == 1, "\(extract): \(result.stderr)")
            for text in mentions { #expect(result.stderr.contains(text), "\(result.stderr) should mention \(text)") }
            #expect(!result.stderr.contains("store/objects"), "the store's copy is not the user's file: \(result.stderr)")
        }
    }

    /// Model commands and stage inputs: errors in words, not Foundation's.
    @Test func exportExtraTextAndInputsOfTheWrongKind() throws {
        let project = Self.project()
        let built = try project.run(["run"])
        #expect(built.status == 0, "\(built.stderr)")
        project.dir.write("occupied", "a file")
        let export = try project.run(["export", "train", project.dir.file("occupied"), "--format", "minillm"])
        #expect(export.status == 1 && export.stderr.contains("exists and is not a directory"), "\(export.stderr)")
        #expect(!export.stderr.contains("NSCocoaErrorDomain"))

        let corpus = try #require(built.stageOutputs(qualified: true)["clean.corpus"])
        let wrong = try project.run(["--input", "shards=\(corpus)"], executable: "minillm-train")
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("is a clean-corpus artifact (output corpus of stage clean)"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("DecodingError"))

        try Data([0x66, 0xFF, 0xFE, 0x00, 0x80]).write(to: URL(fileURLWithPath: project.dir.directory("pipeline/data") + "/bin.txt"))
        let text = try String(contentsOfFile: project.pipelineFile, encoding: .utf8)
        project.setPipeline(text.replacingOccurrences(of: "\"evaluate\": {", with: "\"evaluate\": {\"extra_text\": \"data/bin.txt\", "))
        let extra = try project.run(["run"])
        #expect(extra.status == 1, "\(extra.stderr)")
        #expect(extra.stderr.contains("extra_text data/bin.txt: is not valid UTF-8"), "\(extra.stderr)")
    }
}

extension ScratchProject {
    /// Runs another built product (a stage executable) in the project's directory.
    func run(_ arguments: [String], executable: String) throws -> ProcessResult {
        try start(arguments, executable: executable).wait()
    }
}
