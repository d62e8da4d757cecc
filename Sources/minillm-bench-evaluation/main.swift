// Timing harness for pipeline/scripts/bench_evaluation.sh (built as a release product, like the
// other benchmarks). Prints one JSON object per operation with the per-call milliseconds of each
// of 7 runs.
import Evaluation
import Foundation

let vocab = 8192
let runs = 7
var rng = SeededGenerator(seed: 1)
let logits = (0..<vocab).map { _ in Float(rng.nextUnit() * 10 - 5) }
let history = Array(0..<200)

func measure(_ op: String, calls: Int, _ body: () -> Int) {
    var samples: [Double] = []
    var sink = 0
    for _ in 0..<runs {
        let t = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { sink &+= body() }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6 / Double(calls))
    }
    print("{\"op\": \"\(op)\", \"ms\": \(samples), \"sink\": \(sink & 1)}")
}

var scoring = SplitEvaluator(vocabSize: vocab, trackBias: false)
measure("score position (softmax, log-prob, rank)", calls: 400) {
    scoring.add(logits: logits, target: 5, targetBytes: 3)
    return 0
}
var scoringWithBias = SplitEvaluator(vocabSize: vocab, trackBias: true)
measure("score position + bias accumulation", calls: 400) {
    scoringWithBias.add(logits: logits, target: 5, targetBytes: 3)
    return 0
}
for (op, settings) in [("sample temperature 0.8", SamplingSettings(temperature: 0.8)),
                       ("sample top-k 40", SamplingSettings(temperature: 0.8, topK: 40)),
                       ("sample top-p 0.9", SamplingSettings(temperature: 0.8, topP: 0.9))] {
    var sampler = Sampler(settings: settings)
    measure(op, calls: 400) { sampler.next(logits: logits, history: history) }
}

struct Cases: Decodable {
    struct Corpus: Decodable { var hypotheses: [String]; var references: [[String]] }
    var corpora: [Corpus]
}
let casesPath = CommandLine.arguments[1]
let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: URL(fileURLWithPath: casesPath)))
let single = cases.corpora.filter { $0.references.allSatisfy { $0.count == 1 } }
var hypotheses: [String] = [], references: [[String]] = []
for _ in 0..<100 {
    for c in single { hypotheses += c.hypotheses; references += c.references }
}
measure("BLEU-1..4 corpus of \(hypotheses.count) segments", calls: 3) {
    (try? BLEU.corpus(hypotheses: hypotheses, references: references))?.scores.count ?? 0
}
