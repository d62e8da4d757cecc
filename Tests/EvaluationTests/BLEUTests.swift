import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// Cases and sacrebleu's answers, as stored in Fixtures/ or freshly computed by sacrebleu.
struct BLEUCases: Decodable {
    struct Corpus: Decodable {
        var name: String
        var hypotheses: [String]
        var references: [[String]]
    }
    var tokenize: [String]
    var corpora: [Corpus]
}

struct SacreBLEUOutput: Decodable {
    struct Score: Decodable {
        var order: Int
        var score: Double
        var precisions: [Double]
        var brevityPenalty: Double
        var hypothesisLength: Int
        var referenceLength: Int
        var formatted: String
    }
    struct Result: Decodable {
        var signature: String
        var scores: [Score]
    }
    struct Corpus: Decodable {
        var name: String
        var results: [String: Result]
    }
    var sacrebleuVersion: String
    var tokenize: [[String]]
    var corpora: [Corpus]
}

let fixtures = URL(fileURLWithPath: Repo.path("Tests/EvaluationTests/Fixtures"))

private func smoothing(_ key: String) -> BLEU.Smoothing {
    switch key {
    case "exp": .exp
    case "none": .none
    case "floor[0.1]": .floor(0.1)
    case "add-k[1]": .addK(1)
    default: fatalError("unknown smoothing key \(key) in the BLEU fixture")
    }
}

/// Checks our BLEU against one set of sacrebleu answers; returns how many numbers it compared.
@discardableResult
private func checkAgainst(_ expected: SacreBLEUOutput, _ cases: BLEUCases) throws -> Int {
    var compared = 0
    #expect(expected.tokenize.count == cases.tokenize.count)
    for (line, tokens) in zip(cases.tokenize, expected.tokenize) {
        #expect(Tokenizer13a.tokenize(line) == tokens, "13a tokens of \(line.debugDescription)")
        compared += 1
    }
    #expect(expected.corpora.count == cases.corpora.count)
    for (corpus, reference) in zip(cases.corpora, expected.corpora) {
        for (key, result) in reference.results.sorted(by: { $0.key < $1.key }) {
            let ours = try BLEU.corpus(hypotheses: corpus.hypotheses, references: corpus.references,
                                       smoothing: smoothing(key))
            let withoutVersion = { (s: String) in s.split(separator: "|").dropLast().joined(separator: "|") }
            #expect(withoutVersion(ours.signature) == withoutVersion(result.signature))
            for (mine, theirs) in zip(ours.scores, result.scores) {
                let label = "\(corpus.name), \(key), BLEU-\(theirs.order)"
                #expect(abs(mine.score - theirs.score) <= 1e-9 * max(1, theirs.score), "\(label)")
                #expect(mine.precisions.count == theirs.precisions.count, "\(label)")
                for (p, q) in zip(mine.precisions, theirs.precisions) {
                    #expect(abs(p - q) <= 1e-9 * max(1, q), "\(label) precision")
                }
                #expect(abs(mine.brevityPenalty - theirs.brevityPenalty) <= 1e-12, "\(label) BP")
                #expect(mine.hypothesisLength == theirs.hypothesisLength, "\(label)")
                #expect(mine.referenceLength == theirs.referenceLength, "\(label)")
                #expect(mine.formatted == theirs.formatted, "\(label)")
                compared += 1
            }
        }
    }
    return compared
}

private func loadCases() throws -> BLEUCases {
    try JSONDecoder().decode(BLEUCases.self, from: Data(contentsOf: fixtures.appendingPathComponent("bleu-cases.json")))
}

@Suite struct BLEUTests {
    /// Worked by hand: hypothesis "The cat sat on the mat ." against "The cat is on the mat .",
    /// 7 tokens each; matched n-grams 6/7, 4/6, 2/5 ("on the mat", "the mat ."), 1/4 ("on the mat .").
    @Test func handCheckedSingleSegment() throws {
        let r = try BLEU.corpus(hypotheses: ["The cat sat on the mat."], references: ["The cat is on the mat."])
        let p: [Double] = [600.0 / 7, 400.0 / 6, 200.0 / 5, 100.0 / 4]
        let matches: [[Int]] = r.scores.map(\.matches)
        #expect(matches == [[6], [6, 4], [6, 4, 2], [6, 4, 2, 1]])
        #expect(r.scores[3].totals == [7, 6, 5, 4])
        for n in 1...4 {
            let logSum: Double = p[0..<n].map { log($0) }.reduce(0, +)
            let expected = exp(logSum / Double(n))
            #expect(abs(r.scores[n - 1].score - expected) < 1e-12)
        }
        #expect(r.scores[3].formatted == "BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)")
        #expect(r.signature == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:minillm-bleu-1")
    }

    /// A short hypothesis is penalised by exp(1 − r/c): c = 2 tokens, r = 4 tokens.
    @Test func brevityPenaltyByHand() throws {
        let r = try BLEU.corpus(hypotheses: ["la casa"], references: ["la casa es grande"])
        #expect(abs(r.scores[0].brevityPenalty - exp(1 - 4.0 / 2)) < 1e-15)
        #expect(abs(r.scores[0].score - 100 * exp(-1.0)) < 1e-12)
        #expect(r.scores[2].score == 0, "no trigram in a 2-token hypothesis: BLEU-3 is 0")
    }

    @Test func rejectsMismatchedInput() {
        #expect(throws: BLEUError.countMismatch(hypotheses: 2, references: 1)) {
            try BLEU.corpus(hypotheses: ["a", "b"], references: ["a"])
        }
        #expect(throws: BLEUError.noHypotheses) { try BLEU.corpus(hypotheses: [], references: [String]()) }
        #expect(throws: BLEUError.noReference(segment: 0)) {
            try BLEU.corpus(hypotheses: ["a"], references: [[String]]([[]]))
        }
    }

    /// sacrebleu's answers committed in Fixtures/bleu-expected.json: runs everywhere.
    @Test func matchesCommittedSacreBLEUValues() throws {
        let expected = try JSONDecoder().decode(
            SacreBLEUOutput.self, from: Data(contentsOf: fixtures.appendingPathComponent("bleu-expected.json")))
        let compared = try checkAgainst(expected, loadCases())
        #expect(compared == 12 + 6 * 4 * 4)
    }

    /// Runs sacrebleu itself (pip-installing it when missing) on the same cases.
    @Test func matchesLiveSacreBLEU() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repo.path("pipeline/scripts/sacrebleu_reference.py"),
                             fixtures.appendingPathComponent("bleu-cases.json").path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            try Test.cancel("SKIPPED: cannot start python3 to run sacrebleu (\(error)); only the committed sacrebleu values were checked")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 77 || process.terminationStatus == 127 {
            try Test.cancel("SKIPPED: sacrebleu is unavailable (\(stderr.trimmingCharacters(in: .whitespacesAndNewlines))); only the committed sacrebleu values were checked")
        }
        #expect(process.terminationStatus == 0, "sacrebleu_reference.py failed: \(stderr)")
        let live = try JSONDecoder().decode(SacreBLEUOutput.self, from: stdout)
        #expect(live.sacrebleuVersion.hasPrefix("2."))
        try checkAgainst(live, loadCases())
    }
}

@Suite struct ContinuationTaskTests {
    @Test func promptsAreOpeningWordsAndReferencesWhatFollows() {
        let tasks = ContinuationTask.make(
            articles: ["Madrid es la capital\nde España y su ciudad  más poblada.", "Demasiado corto.", "Uno dos tres cuatro cinco seis"],
            promptWords: 3, referenceWords: 3, limit: 5)
        #expect(tasks == [
            ContinuationTask(prompt: "Madrid es la", reference: "capital de España"),
            ContinuationTask(prompt: "Uno dos tres", reference: "cuatro cinco seis"),
        ])
        #expect(ContinuationTask.make(articles: ["a b c d", "e f g h"], promptWords: 2, referenceWords: 2, limit: 1).count == 1)
        #expect(ContinuationTask.trim(" la casa\tes muy grande ", toWords: 3) == "la casa es")
    }
}
