import CorpusTestSupport
import DataShards
import Foundation
import MiniGPT
import TensorKernels
import TestSupport
import Testing
@testable import Training

/// bf16 products in a real training run: the 50 committed Spanish Wikipedia articles, the default
/// architecture at a tiny size. Needs AVX512-BF16 (elsewhere `precision: bf16` is fp32, and
/// `aCallCanAskForFP32OnABF16Instance` in TensorKernelsTests covers the fallback). Two runs of 200 steps of 512 tokens.
@Suite("bf16 training") struct BF16TrainingTests {
    static func articles() throws -> [CorpusDocument] {
        try String(contentsOfFile: Repo.articles, encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return CorpusDocument(title: object["title"] as! String, text: object["text"] as! String)
        }
    }

    static func settings(_ precision: Precision) -> TrainingSettings {
        var s = TrainingSettings()
        s.width = 64; s.layers = 2; s.heads = 4; s.context = 64; s.batchSize = 8
        s.positions = .rope; s.norm = .rms; s.qkNorm = true; s.mlp = .swiglu; s.bias = false
        s.dropout = 0; s.labelSmoothing = 0; s.learningRate = 3e-3; s.warmupSteps = 10
        s.maxSteps = 200; s.evalEvery = 200; s.evalBatches = 16; s.checkpointEvery = 200; s.patience = 0
        s.precision = precision
        return s
    }

    @Test(.enabled(if: BF16.isSupported))
    func validationLossAfterTrainingIsWithinTwoHundredthsOfANatOfFP32s() throws {
        let corpus = try TinyCorpus(documents: Self.articles(), tokenizerExtra: [], vocabularySize: 512)
        var trained: [Precision: Trainer] = [:]
        for precision in Precision.allCases {
            let trainer = try corpus.trainer(Self.settings(precision), threads: 2)
            #expect(trainer.model.matmulPrecision == precision)
            _ = try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0)),
                                log: MetricsLog(totalSteps: trainer.totalSteps), sinks: MemorySinks().sinks(trainer.model))
            trained[precision] = trainer
        }
        let fp32 = try trained[.fp32]!.evaluate().loss, bf16 = try trained[.bf16]!.evaluate().loss
        #expect(fp32 < log(512) - 1, "fp32 learned something: validation loss \(fp32) nats")
        // The bf16-trained weights scored with fp32 products, as the evaluate stage scores them.
        let judge = try corpus.trainer(Self.settings(.fp32), threads: 2)
        judge.model.parameters.pointer.update(from: trained[.bf16]!.model.parameters.pointer, count: judge.model.parameters.count)
        let bf16InFP32 = try judge.evaluate().loss
        print("bf16 training: validation loss fp32 \(fp32), bf16 \(bf16), bf16 weights scored in fp32 \(bf16InFP32) nats")
        #expect(abs(bf16 - fp32) <= 0.02, "validation loss: bf16 \(bf16), fp32 \(fp32) nats")
        #expect(abs(bf16InFP32 - fp32) <= 0.02, "bf16-trained weights scored in fp32: \(bf16InFP32), fp32 run \(fp32) nats")
        // bf16 really changed the arithmetic: the two runs' weights differ.
        let a = trained[.fp32]!.model.parameters, b = trained[.bf16]!.model.parameters
        #expect(!(0..<a.count).allSatisfy { a.pointer[$0] == b.pointer[$0] })
    }
}
