import CoreSupport
import DataShards
import Foundation
import MiniGPT
import MiniStore

/// The training loop. Everything a step needs is allocated before the first step; batches
/// are a pure function of (seed, step), so a run resumed from a checkpoint continues exactly.
public final class Trainer {
    public let settings: TrainingSettings
    public let model: MiniGPT
    public let totalSteps: Int
    let sampler: BatchSampler
    let validationBatches: [Batch]
    let schedule: LearningRateSchedule

    /// Saves a resumable checkpoint or the best weights; returns the artifact's hash.
    /// `stopRequest` is asked between steps: what it throws (a signal's `Interrupted`) ends the
    /// run after a checkpoint of the steps done since the last one.
    public struct Sinks {
        public var checkpoint: (TrainingState, MetricsLog) throws -> Void
        public var bestModel: (Int, Double) throws -> ArtifactHash
        public var stopRequest: () throws -> Void

        public init(checkpoint: @escaping (TrainingState, MetricsLog) throws -> Void,
                    bestModel: @escaping (Int, Double) throws -> ArtifactHash,
                    stopRequest: @escaping () throws -> Void = {}) {
            self.checkpoint = checkpoint
            self.bestModel = bestModel
            self.stopRequest = stopRequest
        }
    }

    public init(settings: TrainingSettings, model: MiniGPT, train: ShardReader, validation: ShardReader) throws {
        try Self.checkData(settings: settings, train: train, validation: validation)
        self.settings = settings
        self.model = model
        let sequential = SequentialBatches(tokens: validation, batchSize: settings.batchSize, context: settings.context)
        sampler = try BatchSampler(tokens: train, batchSize: settings.batchSize, context: settings.context,
                                   seed: UInt64(settings.seed))
        validationBatches = (0..<min(settings.evalBatches, sequential.count)).map(sequential.batch)
        totalSteps = settings.totalSteps(trainTokens: train.count)
        schedule = settings.schedule(totalSteps)
    }

    /// Refuses splits too small for the batch shape (before any model memory is allocated).
    public static func checkData(settings: TrainingSettings, train: ShardReader, validation: ShardReader) throws {
        guard train.count > settings.tokensPerStep else {
            throw TrainingError.refused("a batch of \(settings.batchSize)×\(settings.context) = \(settings.tokensPerStep) tokens "
                                        + "is larger than the training split (\(train.count) tokens)")
        }
        guard validation.count >= 2 else { throw TrainingError.refused("the validation split has no tokens to score") }
    }

    public func run(state initial: TrainingState, log: MetricsLog, sinks: Sinks) throws -> TrainingState {
        var state = initial
        let started = Date()
        let prefetch = BatchPrefetcher(sampler, from: state.step)
        defer { prefetch.stop() }
        let clip = settings.gradientClip > 0 ? Float(settings.gradientClip) : nil
        var checkpointed = initial.step
        while state.step < totalSteps && !state.stopped {
            do {
                try sinks.stopRequest()
            } catch {
                if state.step > checkpointed { try sinks.checkpoint(state, log) }
                throw error
            }
            let step = state.step
            let (_, batch) = prefetch.next()
            let learningRate = schedule.rate(at: step)
            let result = try trainStep(batch, step: step, learningRate: learningRate, clip: clip)
            let loss = result.targetNLLSum / Double(max(result.counted, 1))
            let elapsed = Date().timeIntervalSince(started)
            try log.record(step: step, kind: "train", [
                ("loss", loss), ("perplexity", exp(loss)), ("objective", Double(result.loss)),
                ("accuracy", Double(result.accuracy)), ("lr", learningRate), ("grad_norm", Double(result.gradientNorm)),
                ("tokens_per_s", Double((step + 1 - initial.step) * settings.tokensPerStep) / elapsed),
                ("elapsed_s", elapsed), ("rss_mb", Double(ProcessMemory.residentBytes) / 1_048_576),
            ])
            log.report(step: step, String(format: "loss %.3f  lr %.2e  %.0f tok/s", loss, learningRate,
                                          Double((step + 1 - initial.step) * settings.tokensPerStep) / elapsed))
            state.step = step + 1
            state.optimizerStep = model.optimizer.step
            state.dropoutStep = model.dropoutStep

            if state.step % settings.evalEvery == 0 || state.step == totalSteps {
                let (valLoss, valAccuracy) = try evaluate()
                try log.record(step: step, kind: "val", [("loss", valLoss), ("perplexity", exp(valLoss)),
                                                         ("accuracy", valAccuracy)])
                log.report(step: step, String(format: "validation loss %.3f  perplexity %.1f  accuracy %.3f",
                                              valLoss, exp(valLoss), valAccuracy), force: true)
                let verdict = state.earlyStopping.observe(validationLoss: valLoss, step: step)
                if verdict == .improved { state.bestModel = try sinks.bestModel(step, valLoss) }
                state.stopped = verdict == .stop
                if state.stopped { Log.write("[train] early stop: no improvement in \(settings.patience) evaluations\n") }
                try sinks.checkpoint(state, log)
                checkpointed = state.step
            } else if state.step % settings.checkpointEvery == 0 {
                try sinks.checkpoint(state, log)
                checkpointed = state.step
            }
        }
        return state
    }

    /// One optimizer step; a non-finite one is refused before the update and diagnosed.
    func trainStep(_ batch: Batch, step: Int, learningRate: Double, clip: Float?) throws -> MiniGPT.StepResult {
        do {
            return try model.trainStep(tokens: batch.inputs, targets: batch.targets, batch: settings.batchSize,
                                       learningRate: Float(learningRate), maxGradientNorm: clip,
                                       labelSmoothing: Float(settings.labelSmoothing), ignoreIndex: Batch.ignored)
        } catch {
            guard case .nonFiniteStep(let loss, _) = error else { throw error }
            throw diagnose(step: step, loss: loss)
        }
    }

    /// Mean next-token loss (no label smoothing) and accuracy over the fixed validation batches.
    public func evaluate() throws -> (loss: Double, accuracy: Double) {
        var nll = 0.0, correct = 0.0, counted = 0
        for batch in validationBatches {
            let r = try model.forward(tokens: batch.inputs, targets: batch.targets, batch: settings.batchSize,
                                      training: false, ignoreIndex: Batch.ignored)
            nll += r.targetNLLSum
            correct += Double(r.accuracy) * Double(r.counted)
            counted += r.counted
        }
        return (nll / Double(max(counted, 1)), correct / Double(max(counted, 1)))
    }

    /// Names the first tensor holding a non-finite gradient or parameter.
    func diagnose(step: Int, loss: Float) -> TrainingError {
        for (buffer, kind) in [(model.gradients, "gradient"), (model.parameters, "parameter")] {
            for tensor in model.namedTensors(of: buffer) {
                if let bad = tensor.values.first(where: { !$0.isFinite }) {
                    return .nonFinite(step: step, what: loss.isFinite ? "the gradient norm" : "the loss",
                                      tensor: "\(kind) of \(tensor.name)", value: bad)
                }
            }
        }
        return .nonFinite(step: step, what: "the loss", tensor: "the logits (every parameter is finite)", value: loss)
    }
}
