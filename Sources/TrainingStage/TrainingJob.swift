import CoreSupport
import DataShards
import Distributed
import Foundation
import MiniGPT
import MiniStore
import StageParameters
import Synchronization
import Training

/// What rank 0 of an `mpirun` job tells the other ranks before the first step: the run's
/// parameters, its shards and the state it starts from (a fresh one or the `last` checkpoint's),
/// then the weights and optimizer moments themselves. So every rank starts from rank 0's bytes,
/// and only rank 0 needs the catalogue's checkpoints: the others need the shards alone.
struct TrainingJob: Codable {
    /// The canonical JSON of the run's parameters (what its cache key hashes).
    var parameters: String
    var shards: ArtifactHash
    var state: TrainingState

    /// Whether this process (rank 0) has sent a job; if not, `finish` releases the waiting ranks.
    private static let sent = Atomic<Bool>(false)

    /// Rank 0: sends the job and the model's tensors and counters.
    static func send(_ job: TrainingJob, model: MiniGPT, _ world: Communicator) throws {
        guard world.size > 1 else { return }
        sent.store(true, ordering: .releasing)
        _ = try world.broadcast(Data(TrainingCheckpoint.json(job).utf8), "the training job")
        try broadcastTensors(model, world)
    }

    /// Rank r > 0: the job (nil when rank 0 found nothing to train), waiting as long as rank 0
    /// needs to get there (a lock, the inputs' verification).
    static func receive(_ world: Communicator) throws -> TrainingJob? {
        let data = try world.broadcast(Data(), "the training job", patient: true)
        guard !data.isEmpty else { return nil }
        do {
            return try TrainingCheckpoint.decode(TrainingJob.self, from: data)
        } catch {
            throw TrainingError.refused("rank \(world.rank): the job sent by rank 0 is unreadable (\(error))")
        }
    }

    /// Rank r > 0: the model as rank 0 has it.
    static func receiveModel(into model: MiniGPT, state: TrainingState, _ world: Communicator) throws {
        try broadcastTensors(model, world)
        model.optimizer.step = state.optimizerStep
        model.dropoutStep = state.dropoutStep
    }

    private static func broadcastTensors(_ model: MiniGPT, _ world: Communicator) throws {
        for buffer in [model.parameters, model.optimizer.firstMoment, model.optimizer.secondMoment] {
            try world.broadcast(UnsafeMutableRawPointer(buffer.pointer), bytes: buffer.count * 4, "the model's tensors")
        }
    }

    /// Rank 0 after a command that trained nothing (the stage was fresh): tells the waiting ranks.
    static func releaseWaitingRanks(_ world: Communicator) throws {
        guard world.rank == 0, world.size > 1, !sent.load(ordering: .acquiring) else { return }
        _ = try world.broadcast(Data(), "the training job")
    }

    /// The parameters decoded from their canonical JSON, each checked against its declaration.
    func settings() throws -> TrainingSettings {
        guard let object = try? JSONSerialization.jsonObject(with: Data(parameters.utf8)) as? [String: Any] else {
            throw TrainingError.refused("the job's parameters are not a JSON object")
        }
        var values: [String: ParameterValue] = [:]
        for spec in TrainingSettings.specs {
            guard let raw = object[spec.name] else { continue }
            values[spec.name] = try spec.validate(raw).get()
        }
        return try TrainingSettings(Parameters(values))
    }
}

/// `minillm-train` on rank r > 0 of an `mpirun` job: it trains alongside rank 0 and writes
/// nothing (no artifact, checkpoint, metric or catalogue row); rank 0 runs the stage as usual.
public enum TrainWorker {
    /// The body of this process when it is a rank r > 0; nil on rank 0 or alone.
    public static func follower() throws -> ((Store) throws -> Void)? {
        let world = try Communicator.world()
        guard world.rank > 0 else { return nil }
        return { store in try follow(store: store, world: world) }
    }

    /// After the command succeeded on this rank: rank 0 releases ranks still waiting for a job,
    /// then every rank ends MPI.
    public static func finish() throws {
        let world = try Communicator.world()
        try TrainingJob.releaseWaitingRanks(world)
        world.finalize()
    }

    static func follow(store: Store, world: Communicator) throws {
        let log = Log(prefix: "train rank \(world.rank)")
        guard let job = try TrainingJob.receive(world) else {
            log.info("nothing to train: rank 0 found the stage fresh")
            return
        }
        let settings = try job.settings()
        try store.ensureIntactWithMembers(job.shards, full: true)
        let shards = try ShardSet(store: store, manifest: job.shards)
        let model = try settings.makeModel(vocabularySize: shards.manifest.vocabularySize,
                                           threads: ThreadCount.requested ?? world.defaultThreads)
        try TrainingJob.receiveModel(into: model, state: job.state, world)
        let trainer = try Trainer(settings: settings, model: model, train: shards.tokens(.train),
                                  validation: shards.tokens(.val), communicator: world)
        log.info("from step \(job.state.step), micro-batches \(trainer.localMicroBatches) of \(settings.microBatches), "
                 + "\(model.pool.threadCount) threads")
        _ = try trainer.run(state: job.state, log: MetricsLog(totalSteps: trainer.totalSteps),
                            sinks: Trainer.Sinks(checkpoint: { _, _ in }, bestModel: { _, _ in nil },
                                                 stopRequest: { try Interruption.check() }))
    }
}
