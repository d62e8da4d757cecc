import CorpusTestSupport
import Testing
@testable import Training

/// `micro_batches`: M = 1 is the step as it was (one forward and backward of the whole batch), and
/// M > 1 is the gradient of the same global batch's mean loss, summed in the tree's order.
@Suite("Micro-batches") struct MicroBatchTests {
    static func values(_ buffer: some Sequence<Float>) -> [UInt32] { buffer.map(\.bitPattern) }

    @Test func oneMicroBatchIsBitwiseThePlainTrainStep() throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings(steps: 6)
        settings.dropout = 0.1
        settings.labelSmoothing = 0.1
        let trainer = try corpus.trainer(settings)
        _ = try trainer.run(state: TrainingState(earlyStopping: EarlyStopping(patience: 0, minDelta: 0)),
                            log: MetricsLog(totalSteps: 6), sinks: MemorySinks().sinks(trainer.model))

        let plain = try corpus.trainer(settings).model
        for step in 0..<6 {
            let batch = trainer.sampler.batch(step: step)
            _ = try plain.trainStep(tokens: batch.inputs, targets: batch.targets, batch: settings.batchSize,
                                    learningRate: Float(trainer.schedule.rate(at: step)), maxGradientNorm: 1,
                                    labelSmoothing: 0.1, ignoreIndex: -1)
        }
        #expect(Self.values(UnsafeBufferPointer(start: plain.parameters.pointer, count: plain.parameters.count))
                == Self.values(UnsafeBufferPointer(start: trainer.model.parameters.pointer, count: trainer.model.parameters.count)))
        #expect(plain.dropoutStep == trainer.model.dropoutStep)
    }

    @Test func fourMicroBatchesGiveTheGradientOfTheWholeBatch() throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings(steps: 1)
        settings.gradientClip = 0
        let whole = try corpus.trainer(settings)
        settings.microBatches = 4
        let parts = try corpus.trainer(settings)
        #expect(parts.model.maxBatch == 1, "the model is sized for one micro-batch")
        let batch = whole.sampler.batch(step: 0)
        let a = try whole.trainStep(batch, step: 0, learningRate: 0, clip: nil)
        let b = try parts.trainStep(batch, step: 0, learningRate: 0, clip: nil)
        #expect(a.counted == b.counted && abs(a.loss - b.loss) < 1e-5 && abs(a.targetNLLSum - b.targetNLLSum) < 1e-3)
        let g = UnsafeBufferPointer(start: whole.model.gradients.pointer, count: whole.model.gradients.count)
        let h = UnsafeBufferPointer(start: parts.model.gradients.pointer, count: parts.model.gradients.count)
        let scale = g.map(abs).max()!
        #expect(zip(g, h).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "the mean over the batch, not the sum")
        #expect(Self.values(g) != Self.values(h), "another summation order: not the same bits")
    }

    @Test func aBatchThatDoesNotCutIntoTheMicroBatchesIsRefused() throws {
        let corpus = try TinyCorpus()
        var settings = TinyCorpus.settings()
        settings.microBatches = 3
        #expect(throws: (any Error).self) { try corpus.trainer(settings) }
        #expect(settings.microBatchConflict == "batch_size 4 does not divide into micro_batches 3")
    }
}
