import Foundation
import MiniStore

/// Builds a planned stage: under its key's lock, with verified inputs, recording the run.
public struct Runner {
    public enum Outcome: String { case fresh, built }

    public struct Result {
        public let stage: String
        public let cacheKey: String
        public let outcome: Outcome
        public let outputs: [String: ArtifactHash]
        public let seconds: Double
    }

    public let store: Store
    public let wait: Bool
    public let log: Log

    public init(store: Store, wait: Bool, log: Log) throws {
        self.store = store
        self.wait = wait
        self.log = log
        try reapAbandonedRuns()
    }

    func lockPath(_ key: String) -> String { "\(store.locksDirectory)/\(key).lock" }

    /// Runs left `running` by a process that no longer holds their lock died: mark them abandoned.
    func reapAbandonedRuns() throws {
        let running = try store.catalogue.runs(where: "status = 'running'")
        for key in Set(running.map(\.cacheKey)) {
            guard let lock = try FileLock.acquire(lockPath(key), wait: false) else { continue }
            defer { lock.release() }
            let count = try store.catalogue.abandonRuns(cacheKey: key)
            if count > 0 { log.info("marked \(count) run(s) of key \(key.prefix(12)) abandoned (their process died)") }
        }
    }

    /// Builds the stage unless a succeeded run with the same key is intact (or `force`).
    public func execute(_ plan: StagePlan, force: Bool, replan: () throws -> StagePlan) throws -> Result {
        let started = Date()
        guard let key = plan.cacheKey, let plannedInputs = plan.inputs else {
            throw PipelineError.upstreamNotFresh(stage: plan.stage.name,
                                                 upstream: plan.stage.inputs.map(\.stage).joined(separator: ", "))
        }
        if plan.status == .fresh && !force {
            return Result(stage: plan.stage.name, cacheKey: key, outcome: .fresh, outputs: plan.outputs, seconds: 0)
        }
        guard let lock = try FileLock.acquire(lockPath(key), wait: wait) else {
            throw PipelineError.busy(stage: plan.stage.name, lock: lockPath(key))
        }
        defer { lock.release() }
        // Another process may have built this key while we waited for the lock.
        let current = try replan()
        if current.status == .fresh && !force && current.cacheKey == key {
            return Result(stage: plan.stage.name, cacheKey: key, outcome: .fresh, outputs: current.outputs,
                          seconds: Date().timeIntervalSince(started))
        }
        try store.catalogue.abandonRuns(cacheKey: key)
        if force {
            // Forcing means starting over, not resuming the key's partial progress.
            for checkpoint in try store.catalogue.checkpoints(cacheKey: key) {
                try store.catalogue.deleteCheckpoint(cacheKey: key, name: checkpoint.name)
            }
        }

        var inputs = plannedInputs
        for (role, path) in plan.externalPaths.sorted(by: { $0.key < $1.key }) {
            let imported = try store.importFile(at: path, kind: "external:\(plan.stage.name).\(role)",
                                                mediaType: "application/octet-stream")
            guard imported == plannedInputs[role] else {
                throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
            }
            inputs[role] = imported
        }
        for (_, hash) in inputs.sorted(by: { $0.key < $1.key }) { try store.ensureIntact(hash, full: true) }

        let runID = try store.catalogue.beginRun(stage: plan.stage.name, cacheKey: key, stageVersion: plan.stage.version,
                                                 parameters: plan.parameters.canonicalJSON, inputs: inputs)
        let context = StageContext(store: store, stage: plan.stage.name, cacheKey: key, runID: runID,
                                   parameters: plan.parameters, inputs: inputs, log: log)
        log.info("building (key \(key.prefix(12)))")
        do {
            let outputs = try plan.stage.run(context)
            for (role, hash) in inputs where store.check(hash) != .intact {
                throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
            }
            for (role, path) in plan.externalPaths {
                let info = try Store.stat(path)
                guard try store.catalogue.cachedFileHash(path: path, size: info.size, mtimeNs: info.mtimeNs) == inputs[role] else {
                    throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
                }
            }
            for (_, hash) in outputs { try store.ensureIntact(hash) }
            try store.catalogue.finishRun(runID, outputs: outputs)
            let seconds = Date().timeIntervalSince(started)
            log.info(String(format: "built in %.2fs", seconds))
            return Result(stage: plan.stage.name, cacheKey: key, outcome: .built, outputs: outputs, seconds: seconds)
        } catch {
            try? store.catalogue.failRun(runID, error: "\(error)")
            throw error
        }
    }
}
