import CoreSupport
import DataShards
import Distributed
import Foundation
import MiniGPT
import MiniStore

/// The training loop. Every large buffer a step needs is allocated before the first step;
/// batches are a pure function of (seed, step), so a run resumed from a checkpoint continues exactly.
///
/// A step's global batch of B sequences is M micro-batches of B / M, each one's gradient computed
/// from zero and summed in `FixedOrderTree`'s order (`FixedOrderReduction`), then scaled by 1 / M
/// (every training position counts: the sampler's targets are never ignored). With several
/// ranks (`communicator`), each computes its share of the micro-batches and of the validation
/// batches; every rank then holds the same gradient and takes the same update, and only rank 0
/// logs and calls the sinks' checkpoint and best-model writers.
public final class Trainer {
    public let settings: TrainingSettings
    public let model: MiniGPT
    public let totalSteps: Int
    public let communicator: Communicator
    let sampler: BatchSampler
    let validationBatches: [Batch]
    let schedule: LearningRateSchedule
    let reduction: FixedOrderReduction

    /// Saves a resumable checkpoint or the best weights; returns the artifact's hash (nil on a
    /// rank that writes nothing). `stopRequest` is asked between steps: what it throws (a
    /// signal's `Interrupted`) ends the run after a checkpoint of the steps done since the last one.
    public struct Sinks {
        public var checkpoint: (TrainingState, MetricsLog) throws -> Void
        public var bestModel: (Int, Double) throws -> ArtifactHash?
        public var stopRequest: () throws -> Void

        public init(checkpoint: @escaping (TrainingState, MetricsLog) throws -> Void,
                    bestModel: @escaping (Int, Double) throws -> ArtifactHash?,
                    stopRequest: @escaping () throws -> Void = {}) {
            self.checkpoint = checkpoint
            self.bestModel = bestModel
            self.stopRequest = stopRequest
        }
    }

    public init(settings: TrainingSettings, model: MiniGPT, train: ShardReader, validation: ShardReader,
                communicator: Communicator = .single) throws {
        try Self.checkData(settings: settings, train: train, validation: validation, communicator: communicator)
        self.settings = settings
        self.model = model
        self.communicator = communicator
        let sequential = SequentialBatches(tokens: validation, batchSize: settings.batchSize, context: settings.context)
        sampler = try BatchSampler(tokens: train, batchSize: settings.batchSize, context: settings.context,
                                   seed: UInt64(settings.seed))
        validationBatches = (0..<min(settings.evalBatches, sequential.count)).map(sequential.batch)
        totalSteps = settings.totalSteps(trainTokens: train.count)
        schedule = settings.schedule(totalSteps)
        reduction = try FixedOrderReduction(count: model.layout.count, leaves: settings.microBatches,
                                            communicator: communicator)
    }

    /// The micro-batches of each step this rank computes.
    public var localMicroBatches: Range<Int> { reduction.localLeaves }

    /// Refuses splits too small for the batch shape, a batch that does not cut into its
    /// micro-batches and more ranks than micro-batches (before any model memory is allocated).
    public static func checkData(settings: TrainingSettings, train: ShardReader, validation: ShardReader,
                                 communicator: Communicator = .single) throws {
        if let conflict = settings.microBatchConflict { throw TrainingError.refused(conflict) }
        try FixedOrderReduction.check(ranks: communicator.size, leaves: settings.microBatches)
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
        let writes = communicator.rank == 0
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
            let exchanged = reduction.exchangeSeconds
            let result = try trainStep(batch, step: step, learningRate: learningRate, clip: clip)
            let loss = result.targetNLLSum / Double(max(result.counted, 1))
            let elapsed = Date().timeIntervalSince(started)
            let tokensPerSecond = Double((step + 1 - initial.step) * settings.tokensPerStep) / elapsed
            if writes {
                try log.record(step: step, kind: "train", [
                    ("loss", loss), ("perplexity", exp(loss)), ("objective", Double(result.loss)),
                    ("accuracy", Double(result.accuracy)), ("lr", learningRate), ("grad_norm", Double(result.gradientNorm)),
                    ("tokens_per_s", tokensPerSecond), ("elapsed_s", elapsed),
                    ("rss_mb", Double(ProcessMemory.residentBytes) / 1_048_576),
                ] + (communicator.size > 1 ? [("exchange_s", reduction.exchangeSeconds - exchanged)] : []))
                log.report(step: step, String(format: "loss %.3f  lr %.2e  %.0f tok/s", loss, learningRate, tokensPerSecond))
            }
            state.step = step + 1
            state.optimizerStep = model.optimizer.step
            state.dropoutStep = model.dropoutStep

            if state.step % settings.evalEvery == 0 || state.step == totalSteps {
                let (valLoss, valAccuracy) = try evaluate()
                if writes {
                    try log.record(step: step, kind: "val", [("loss", valLoss), ("perplexity", exp(valLoss)),
                                                             ("accuracy", valAccuracy)])
                    log.report(step: step, String(format: "validation loss %.3f  perplexity %.1f  accuracy %.3f",
                                                  valLoss, exp(valLoss), valAccuracy), force: true)
                }
                let verdict = state.earlyStopping.observe(validationLoss: valLoss, step: step)
                if verdict == .improved, let hash = try sinks.bestModel(step, valLoss) { state.bestModel = hash }
                state.stopped = verdict == .stop
                if state.stopped && writes { Log.write("[train] early stop: no improvement in \(settings.patience) evaluations\n") }
                try sinks.checkpoint(state, log)
                checkpointed = state.step
            } else if state.step % settings.checkpointEvery == 0 {
                try sinks.checkpoint(state, log)
                checkpointed = state.step
            }
        }
        return state
    }

    /// One optimizer step over the micro-batches; a non-finite one is refused before the update
    /// and diagnosed. Micro-batch m of step s draws its dropout masks from key s·M + m.
    func trainStep(_ batch: Batch, step: Int, learningRate: Double, clip: Float?) throws -> StepResult {
        let parts = settings.microBatches
        var local: [Int: [Double]] = [:]
        try reduction.sum(into: model.gradients.pointer, scale: 1 / Float(parts)) { part in
            model.zeroGradients()
            model.dropoutStep = UInt64(step * parts + part)
            let r = try model.forward(tokens: micro(batch.inputs, part), targets: micro(batch.targets, part),
                                      batch: settings.microBatchSize, training: true,
                                      labelSmoothing: Float(settings.labelSmoothing), ignoreIndex: Batch.ignored)
            model.backward()
            local[part] = [Double(r.loss), Double(r.accuracy) * Double(r.counted), r.targetNLLSum, Double(r.counted)]
        }
        model.dropoutStep = UInt64((step + 1) * parts)
        let rows = try communicator.gatherRows(parts, width: 4, "the step's losses") { local[$0]! }
        var objective = 0.0, correct = 0.0, nll = 0.0, counted = 0.0
        for part in 0..<parts {
            objective += rows[4 * part]
            correct += rows[4 * part + 1]
            nll += rows[4 * part + 2]
            counted += rows[4 * part + 3]
        }
        let loss = Float(objective / Double(parts))
        let norm = clip.map { model.clipGradients(maxNorm: $0) } ?? model.gradientNorm()
        guard loss.isFinite, norm.isFinite else { throw diagnose(step: step, loss: loss) }
        model.optimizerStep(learningRate: Float(learningRate))
        return StepResult(loss: loss, accuracy: Float(correct / max(counted, 1)), gradientNorm: norm,
                          targetNLLSum: nll, counted: Int(counted))
    }

    /// A step's objective (with label smoothing) and accuracy over the global batch, the gradient
    /// norm before clipping, and the plain next-token NLL summed over the `counted` positions.
    struct StepResult {
        var loss: Float, accuracy: Float, gradientNorm: Float
        var targetNLLSum: Double, counted: Int
    }

    /// Micro-batch `part` of a batch's rows (the whole batch when there is one).
    func micro(_ values: [Int32], _ part: Int) -> [Int32] {
        guard settings.microBatches > 1 else { return values }
        let size = settings.microBatchSize * settings.context
        return Array(values[part * size..<(part + 1) * size])
    }

    /// Mean next-token loss (no label smoothing) and accuracy over the fixed validation batches,
    /// each scored in its M micro-batches, shared among the ranks and summed in order.
    public func evaluate() throws -> (loss: Double, accuracy: Double) {
        let parts = settings.microBatches
        let rows = try communicator.gatherRows(validationBatches.count * parts, width: 3, "the validation losses") { unit in
            let batch = validationBatches[unit / parts]
            let r = try model.forward(tokens: micro(batch.inputs, unit % parts), targets: micro(batch.targets, unit % parts),
                                      batch: settings.microBatchSize, training: false, ignoreIndex: Batch.ignored)
            return [r.targetNLLSum, Double(r.accuracy) * Double(r.counted), Double(r.counted)]
        }
        var nll = 0.0, correct = 0.0, counted = 0
        for unit in 0..<rows.count / 3 {
            nll += rows[3 * unit]
            correct += rows[3 * unit + 1]
            counted += Int(rows[3 * unit + 2])
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
