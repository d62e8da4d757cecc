import Foundation
import Testing
import TestSupport
@testable import Tokenizer

@Suite struct HuggingFaceParityTests {
    @Test(arguments: [Tokenizer.Kind.bpe, .word])
    func tokenizerJSONReadsBackToTheSameTokenizer(kind: Tokenizer.Kind) throws {
        let tokenizer = kind == .bpe ? Fixtures.bpe : Fixtures.word
        let json = tokenizer.huggingFaceJSON()
        let reread = try Tokenizer(huggingFaceJSON: json)
        #expect(reread.huggingFaceJSON() == json)
        #expect(reread.kind == kind && reread.vocabularySize == tokenizer.vocabularySize)
        for text in Fixtures.hostile.dropLast(2) { #expect(reread.encode(text) == tokenizer.encode(text)) }
    }

    @Test func aForeignTokenizerJSONIsRefused() {
        let gpt2Style = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#
        #expect(throws: TokenizerError.invalidTokenizerFile("vocab ids are not 0..<2 once each (id 0)")) {
            try Tokenizer(huggingFaceJSON: Data(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 0}}}"#.utf8))
        }
        #expect(throws: TokenizerError.invalidTokenizerFile("id 0 must be [PAD]")) {
            try Tokenizer(huggingFaceJSON: Data(gpt2Style.utf8))
        }
    }

    /// Runs `pipeline/scripts/tokenizer-parity.py` (which installs `tokenizers` from PyPI when
    /// missing) on both kinds over the sample articles and the hostile strings. Where Python or
    /// the package is unavailable the test is cancelled with the reason, never passed.
    @Test func huggingFaceTokenizersEncodesToTheSameIDs() throws {
        let scratch = TemporaryDirectory("minillm-parity")
        defer { withExtendedLifetime(scratch) {} }
        let directory = URL(fileURLWithPath: scratch.path)
        let texts = Fixtures.articles + Fixtures.hostile
        var cases: [[String: Any]] = []
        for (kind, tokenizer) in [("bpe", Fixtures.bpe), ("word", Fixtures.word)] {
            let path = directory.appendingPathComponent("\(kind).json").path
            try tokenizer.huggingFaceJSON().write(to: URL(fileURLWithPath: path))
            let encoder = tokenizer.makeEncoder()
            cases.append(["tokenizer": path, "kind": kind, "texts": texts, "ids": texts.map { encoder.encode($0).map(Int.init) }])
        }
        let casesPath = directory.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: ["cases": cases]).write(to: casesPath)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repo.path("pipeline/scripts/tokenizer-parity.py"), casesPath.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { try Test.cancel("SKIPPED: python3 cannot be started (\(error)); parity with tokenizers NOT checked") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: break
        case 3: try Test.cancel("SKIPPED: parity with Hugging Face tokenizers NOT checked: \(text)")
        default: Issue.record("tokenizers disagrees with minillm (exit \(process.terminationStatus)):\n\(text)")
        }
    }
}
