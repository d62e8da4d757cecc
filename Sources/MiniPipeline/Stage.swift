import CoreSupport
import Foundation
import MiniStore
import StageParameters

/// An upstream artifact a stage consumes: its own `role` name for it, and which output of
/// which stage provides it.
public struct StageInput: Sendable {
    public let role: String
    public let stage: String
    public let output: String

    public init(_ role: String, from stage: String, output: String? = nil) {
        self.role = role
        self.stage = stage
        self.output = output ?? role
    }
}

/// One step of the pipeline. Its cache key is the SHA-256 of (name, version, canonical
/// parameters, input hashes); a succeeded run with that key and intact outputs is not redone.
public protocol Stage: Sendable {
    /// Unique and lowercase; the stage's executable is `minillm-<name>`.
    var name: String { get }
    /// Bump whenever the same inputs and parameters would now give different output bytes.
    var version: Int { get }
    var summary: String { get }
    var inputs: [StageInput] { get }
    var parameters: [ParameterSpec] { get }
    /// Files outside the store that the run reads, by role. They are imported into the store
    /// (and so keyed by their content) before the run. Relative paths are resolved against
    /// the pipeline file's directory by the caller.
    func externalFiles(_ parameters: Parameters) throws -> [String: String]
    /// Files read only when they exist, by role, resolved like `externalFiles` (a dump's
    /// companion index, which makes the run faster but not different). One that exists is an
    /// input like the others, so adding or removing it changes the cache key.
    func optionalExternalFiles(_ parameters: Parameters) throws -> [String: String]
    /// Checks what can be checked without running anything, i.e. how parameters relate (each
    /// one's type and range are already checked): throw `ParameterConflict`. The runner calls it
    /// for every stage of a build before the first stage runs.
    func validate(_ parameters: Parameters) throws
    /// Whether several processes can run the stage together under `mpirun` (`minillm run
    /// --ranks N`): then its executable, started on every rank, does the work with its peers
    /// and only rank 0 records the run.
    var runsOnRanks: Bool { get }
    /// Does the work and returns the output artifacts by role.
    func run(_ context: StageContext) throws -> [String: ArtifactHash]
}

extension Stage {
    public func externalFiles(_ parameters: Parameters) throws -> [String: String] { [:] }
    public func optionalExternalFiles(_ parameters: Parameters) throws -> [String: String] { [:] }
    public func validate(_ parameters: Parameters) throws {}
    public var runsOnRanks: Bool { false }
}

/// What a running stage gets from the runner.
public final class StageContext: @unchecked Sendable {
    public let store: Store
    public let stage: String
    public let cacheKey: String
    public let runID: Int64
    public let parameters: Parameters
    /// Input artifacts by role (upstream outputs and imported external files), verified.
    public let inputs: [String: ArtifactHash]
    public let log: Log

    init(store: Store, stage: String, cacheKey: String, runID: Int64, parameters: Parameters,
         inputs: [String: ArtifactHash], log: Log) {
        self.store = store
        self.stage = stage
        self.cacheKey = cacheKey
        self.runID = runID
        self.parameters = parameters
        self.inputs = inputs
        self.log = log
    }

    /// Path of a verified input object (read-only; safe to memory-map).
    public func inputPath(_ role: String) throws -> String {
        guard let hash = inputs[role] else { throw PipelineError.missingInput(stage: stage, role: role) }
        return try store.ensureIntact(hash)
    }

    public func inputData(_ role: String) throws -> Data {
        guard let hash = inputs[role] else { throw PipelineError.missingInput(stage: stage, role: role) }
        return try store.data(hash)
    }

    // Partial progress survives a crash: it is stored as artifacts and found again by cache key.

    /// The checkpoint, checked as outputs are (size and mtime as last verified, re-hashed if either
    /// changed: a whole downloaded dump is not re-read here). One whose object is missing or
    /// corrupt is dropped (said on the log), so that the stage starts without it instead of failing.
    public func checkpoint(_ name: String) throws -> CheckpointRecord? {
        guard let record = try store.catalogue.checkpoints(cacheKey: cacheKey).first(where: { $0.name == name }) else {
            return nil
        }
        return try usable(record) ? record : nil
    }

    private func usable(_ record: CheckpointRecord) throws -> Bool {
        do {
            try store.ensureIntact(record.hash)
            return true
        } catch let error as StoreError {
            switch error {
            case .objectMissing, .objectCorrupt:
                log.warning("checkpoint \(record.name) of step \(record.step) is unusable (\(error)); dropped, continuing without it")
                try store.catalogue.deleteCheckpoint(cacheKey: cacheKey, name: record.name)
                return false
            default: throw error
            }
        }
    }

    public func saveCheckpoint(_ name: String, hash: ArtifactHash, step: Int64) throws {
        try store.catalogue.putCheckpoint(cacheKey: cacheKey, name: name, hash: hash, step: step)
    }

    public func deleteCheckpoint(_ name: String) throws {
        try store.catalogue.deleteCheckpoint(cacheKey: cacheKey, name: name)
    }

    public func recordMetrics(step: Int64, _ values: [(String, Double)]) throws {
        try store.catalogue.addMetrics(run: runID, step: step, values)
    }
}
