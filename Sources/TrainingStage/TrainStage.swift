import CoreSupport
import DataShards
import Distributed
import Foundation
import MiniGPT
import MiniPipeline
import MiniStore
import StageParameters
import Training

/// `minillm-train`: trains MiniGPT on the shards. Outputs `model` (the weights of the best
/// validation loss, safetensors) and `log` (the metrics as JSON Lines). Resumes from the last
/// checkpoint of the same cache key after a crash. Under `mpirun` this runs on rank 0, which
/// sends the other ranks (`TrainWorker`) the job and trains with them.
public struct TrainStage: Stage {
    public init() {}

    public let name = "train"
    public let version = 1
    public let summary = "Train the MiniGPT transformer on the token shards"
    public let inputs = [StageInput("shards", from: "shard")]
    public let parameters = TrainingSettings.specs

    public static let modelKind = "model-weights", checkpointKind = "training-checkpoint", logKind = "training-log"

    /// How training parameters must relate, beyond each one's range: the model's own rules
    /// (`MiniGPTConfig.validate`), checked before any stage runs so that a bad shape is not found
    /// only after extract → shard. The vocabulary is not known yet; every other rule applies.
    public func validate(_ parameters: Parameters) throws {
        let settings = try TrainingSettings(parameters)
        do {
            try settings.modelConfig(vocabularySize: 2).validate()
        } catch {
            throw ParameterConflict("\(error) (width \(settings.width), heads \(settings.heads))")
        }
        if let conflict = settings.microBatchConflict { throw ParameterConflict(conflict) }
    }

    public var runsOnRanks: Bool { true }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let settings = try TrainingSettings(context.parameters)
        let store = context.store
        let shards = try ShardSet(store: store, manifest: context.inputs["shards"]!)
        let world = try Communicator.world()
        try Trainer.checkData(settings: settings, train: shards.tokens(.train), validation: shards.tokens(.val),
                              communicator: world)
        let threads = ThreadCount.requested ?? world.defaultThreads
        var model = try settings.makeModel(vocabularySize: shards.manifest.vocabularySize, threads: threads)
        let parameters = context.parameters.canonicalJSON

        var state = TrainingState(earlyStopping: EarlyStopping(patience: settings.patience, minDelta: settings.minDelta))
        var resumedLines: [String] = []
        do {
            if let resumed = try Self.resume(context, into: model, parameters: parameters) { (state, resumedLines) = resumed }
        } catch let error where !(error is Interrupted) {
            // The restore may have overwritten some weights: start from a fresh model.
            context.log.warning("cannot resume from the last checkpoint (\(error)); dropped, training from the start")
            for name in ["last", "best"] { try context.deleteCheckpoint(name) }
            model = try settings.makeModel(vocabularySize: shards.manifest.vocabularySize, threads: threads)
        }
        try TrainingJob.send(TrainingJob(parameters: parameters, shards: context.inputs["shards"]!, state: state),
                             model: model, world)
        let trainer = try Trainer(settings: settings, model: model, train: shards.tokens(.train),
                                  validation: shards.tokens(.val), communicator: world)
        if settings.precision != model.matmulPrecision {
            context.log.warning("precision \(settings.precision.rawValue): this CPU lacks AVX512-BF16, the products run in "
                                + "\(model.matmulPrecision.rawValue) (the model will differ from a bf16 run's)")
        }
        context.log.info("\(model.layout.count) parameters, \(trainer.totalSteps) steps of \(settings.tokensPerStep) tokens, "
                         + "\(model.pool.threadCount) threads, \(model.matmulPrecision.rawValue) products"
                         + (world.size > 1 ? ", rank 0 of \(world.size) (micro-batches \(trainer.localMicroBatches))" : ""))
        let log = MetricsLog(totalSteps: trainer.totalSteps, resumedLines: resumedLines, firstStep: state.step,
                             sink: context.recordMetrics)
        var provenance = ["tokenizer": shards.manifest.tokenizer.hex, "shards": context.inputs["shards"]!.hex]
        // Recorded when asked for, so that a fallback to fp32 shows in the model file.
        if settings.precision != .fp32 { provenance["matmul_precision"] = model.matmulPrecision.rawValue }

        let sinks = Trainer.Sinks(
            checkpoint: { state, log in
                var saved = state
                saved.log = try store.put(log.jsonl, kind: Self.logKind, mediaType: "application/x-ndjson")
                let hash = try store.put(TrainingCheckpoint.encode(model: model, state: saved, parameters: parameters),
                                         kind: Self.checkpointKind, mediaType: "application/vnd.minillm.checkpoint")
                try context.saveCheckpoint("last", hash: hash, step: Int64(saved.step))
            },
            bestModel: { step, loss in
                let data = TrainingCheckpoint.modelFile(model: model, metadata: provenance.merging([
                    "step": String(step), "val_loss": String(loss)]) { a, _ in a })
                let hash = try store.put(data, kind: Self.modelKind, mediaType: "application/vnd.minillm.model+safetensors")
                try context.saveCheckpoint("best", hash: hash, step: Int64(step))
                return hash
            },
            stopRequest: { try Interruption.check() })
        state = try trainer.run(state: state, log: log, sinks: sinks)
        guard let best = state.bestModel else { throw TrainingError.refused("no validation evaluation was run") }
        let logHash = try store.put(log.jsonl, kind: Self.logKind, mediaType: "application/x-ndjson")
        return ["model": best, "log": logHash]
    }

    /// The state and log lines of the `last` checkpoint, restored into `model`; nil without one.
    /// Everything the state refers to (the best model, the log) must be intact too: a resumed
    /// run would otherwise end on a model that is missing or corrupt.
    static func resume(_ context: StageContext, into model: MiniGPT, parameters: String) throws -> (TrainingState, [String])? {
        guard let last = try context.checkpoint("last") else { return nil }
        let store = context.store
        let state = try TrainingCheckpoint.restore(into: model, from: try store.ensureIntact(last.hash, full: true),
                                                   parameters: parameters)
        if let best = state.bestModel { try store.ensureIntact(best, full: true) }
        let lines = try state.log.map { String(decoding: try store.data($0), as: UTF8.self).split(separator: "\n").map(String.init) }
        context.log.info("resuming from the checkpoint of step \(state.step) (\(last.hash.short))")
        return (state, lines ?? [])
    }
}
