import CorpusTestSupport
import Foundation
import MiniGPT
import MiniStore
import TensorKernels
import TestSupport
import Testing
@testable import Training

@Suite("Training loop") struct TrainerTests {
    @Test func tinyModelLearnsTheTrainingTextByHeartButNotHeldOutText() throws {
        let corpus = try TinyCorpus()
        let trainer = try corpus.trainer(TinyCorpus.settings(steps: 200))
        let log = MetricsLog(totalSteps: trainer.totalSteps)
        let sinks = MemorySinks()
        let state = try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0)),
                                    log: log, sinks: sinks.sinks(trainer.model))
        #expect(state.step == 200)
        let losses = log.lines.filter { $0.contains("\"kind\":\"train\"") }.compactMap(Self.loss)
        #expect(losses.first! > 4, "starts near ln(300) ≈ 5.7: \(losses.first!)")
        #expect(losses.suffix(10).reduce(0, +) / 10 < 0.15, "memorises the repeated text: \(losses.suffix(10))")
        // A causal model cannot predict unseen sentences: held-out loss stays far above zero.
        let (validationLoss, validationAccuracy) = try trainer.evaluate()
        #expect(validationLoss > 2, "held-out loss \(validationLoss)")
        #expect(validationAccuracy < 0.6, "held-out accuracy \(validationAccuracy)")
    }

    /// With AdamW, and with Muon (whose momentum lives in the first-moment buffer) under a
    /// warmup–stable–decay schedule; with fp32 and bf16 products. The resumed run has another
    /// thread count, so this is also the thread-independence check of a whole run.
    @Test(arguments: TrainingSettings.OptimizerKind.allCases, Precision.allCases)
    func resumedRunEndsBitwiseIdenticalToAnUninterruptedOne(optimizer: TrainingSettings.OptimizerKind,
                                                            precision: Precision) throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings(steps: 60)
        settings.precision = precision
        settings.dropout = 0.1
        settings.labelSmoothing = 0.1
        settings.optimizer = optimizer
        settings.muonMomentumWarmupSteps = 40
        if optimizer == .muon { settings.decay = .wsd }
        let fresh = TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0))

        let whole = try corpus.trainer(settings)
        _ = try whole.run(state: fresh, log: MetricsLog(totalSteps: 60), sinks: MemorySinks().sinks(whole.model))

        let interrupted = try corpus.trainer(settings)
        let sinks = MemorySinks()
        sinks.stopAfterCheckpoints = 3
        #expect(throws: MemorySinks.Interrupted.self) {
            try interrupted.run(state: fresh, log: MetricsLog(totalSteps: 60), sinks: sinks.sinks(interrupted.model))
        }
        let (saved, bytes) = try #require(sinks.checkpoints.last)
        #expect(saved.step == 30)
        let path = corpus.dir.file("last.safetensors")
        try bytes.write(to: URL(fileURLWithPath: path))
        // A new process would start from a new model; its weights are replaced by the checkpoint's.
        var other = settings
        other.seed = 99
        let resumed = try corpus.trainer(settings, threads: 2)
        let state = try TrainingCheckpoint.restore(into: resumed.model, from: path, parameters: "{}")
        #expect(state == saved)
        _ = try resumed.run(state: state, log: MetricsLog(totalSteps: 60), sinks: MemorySinks().sinks(resumed.model))

        #expect(Array(UnsafeBufferPointer(start: whole.model.parameters.pointer, count: whole.model.parameters.count)) == Array(UnsafeBufferPointer(start: resumed.model.parameters.pointer, count: resumed.model.parameters.count)))
        #expect(Array(UnsafeBufferPointer(start: whole.model.optimizer.secondMoment.pointer, count: whole.model.optimizer.secondMoment.count)) == Array(UnsafeBufferPointer(start: resumed.model.optimizer.secondMoment.pointer, count: resumed.model.optimizer.secondMoment.count)))
        #expect(Array(UnsafeBufferPointer(start: whole.model.optimizer.firstMoment.pointer, count: whole.model.optimizer.firstMoment.count)) == Array(UnsafeBufferPointer(start: resumed.model.optimizer.firstMoment.pointer, count: resumed.model.optimizer.firstMoment.count)))
    }

    @Test func theOutputIsTheBestCheckpointNotTheLastWeights() throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings(steps: 200)
        settings.evalEvery = 10
        let trainer = try corpus.trainer(settings)
        let sinks = MemorySinks()
        let state = try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 3, minDelta: 0)),
                                    log: MetricsLog(totalSteps: 200), sinks: sinks.sinks(trainer.model))
        // Memorising the training text makes held-out loss rise again: early stopping ends the run.
        #expect(state.stopped)
        #expect(state.step < 200)
        let best = try #require(sinks.best.last)
        #expect(best.step == state.earlyStopping.bestStep)
        #expect(state.bestModel == ArtifactHash.of(best.bytes))
        let path = corpus.dir.file("best.safetensors")
        try best.bytes.write(to: URL(fileURLWithPath: path))
        let finalLoss = try trainer.evaluate().loss
        try trainer.model.loadWeights(from: path)
        #expect(try trainer.evaluate().loss == best.loss)
        #expect(finalLoss > best.loss)
    }

    @Test func nonFiniteLossStopsWithADiagnosis() throws {
        let corpus = try TinyCorpus()
        let trainer = try corpus.trainer(TinyCorpus.settings(steps: 10))
        trainer.model.tensor("blocks.0.mlp.fc.weight")?[3] = .nan
        let sinks = MemorySinks()
        #expect {
            try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0)),
                            log: MetricsLog(totalSteps: 10), sinks: sinks.sinks(trainer.model))
        } throws: { error in
            "\(error)".contains("step 0") && "\(error)".contains("not finite")
        }
        #expect(sinks.checkpoints.isEmpty)
    }

    @Test func batchLargerThanTheDataIsRefused() throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings()
        settings.batchSize = 512
        settings.context = 256
        #expect { try corpus.trainer(settings) } throws: { "\($0)".contains("larger than the training split") }
        settings = TinyCorpus.settings()
        settings.heads = 3
        #expect { try corpus.trainer(settings) } throws: { "\($0)".contains("refusing to train") }
    }

    static func loss(_ line: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return object["loss"] as? Double
    }
}
