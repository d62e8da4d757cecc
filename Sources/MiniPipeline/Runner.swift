import CoreSupport
import Foundation
import MiniStore

/// How one stage of a build ended.
public struct StageResult: Sendable {
    public enum Outcome: String, Sendable { case fresh, built }

    public let stage: String
    public let cacheKey: String
    public let outcome: Outcome
    public let outputs: [String: ArtifactHash]
    public let seconds: Double

    public init(stage: String, cacheKey: String, outcome: Outcome, outputs: [String: ArtifactHash], seconds: Double) {
        self.stage = stage
        self.cacheKey = cacheKey
        self.outcome = outcome
        self.outputs = outputs
        self.seconds = seconds
    }
}

/// Builds a stage that is not fresh in other processes (`mpirun` ranks), which record the run
/// themselves; `force` says whether the build was forced.
public typealias StageLauncher = (_ stage: any Stage, _ force: Bool) throws -> StageResult

/// The one owner of the run path: a command makes one runner, which plans each stage against
/// the store and builds what is not fresh, under the key's lock, with verified inputs, recording
/// the run in the catalogue.
public struct PipelineRunner {
    public let planner: Planner
    /// Wait for another process building the same key, rather than fail with `busy`.
    public let wait: Bool
    public let quiet: Bool
    /// Builds the stages that run on ranks (`Stage.runsOnRanks`) instead of this process.
    public let launcher: StageLauncher?

    public var store: Store { planner.store }

    public init(planner: Planner, wait: Bool = true, quiet: Bool = false, launcher: StageLauncher? = nil) {
        self.planner = planner
        self.wait = wait
        self.quiet = quiet
        self.launcher = launcher
    }

    /// Reaps runs of dead processes and forgets objects whose files are gone, checks every stage's
    /// parameters and external files, then builds `stages` in order, each planned against the
    /// outputs of those before it; fresh stages are skipped unless named in `force`.
    public func build(_ stages: [any Stage], force: Set<String> = []) throws -> [StageResult] {
        let log = Log(prefix: "minillm", quiet: quiet)
        try store.reapAbandonedRuns(log: log)
        try store.forgetAbsentObjects(log: log)
        try validate(stages)
        var resolved: [String: [String: ArtifactHash]] = [:]
        var results: [StageResult] = []
        for stage in stages {
            try Interruption.check()
            let result = try build(stage, resolved: resolved, force: force.contains(stage.name))
            resolved[stage.name] = result.outputs
            results.append(result)
        }
        return results
    }

    /// What can be refused without running anything, for every stage before the first runs:
    /// parameters that conflict, and external files that are missing or not regular files.
    private func validate(_ stages: [any Stage]) throws {
        for stage in stages {
            let parameters = try planner.pipeline.parameters(for: stage, preset: planner.preset)
            do {
                try stage.validate(parameters)
                _ = try planner.externalPaths(stage, parameters)
            } catch let conflict as ParameterConflict {
                throw PipelineError.invalidParameters(path: planner.pipeline.path, stage: stage.name, reason: conflict.reason)
            }
        }
    }

    /// Builds one stage unless a succeeded run with its key is intact (or `force`).
    private func build(_ stage: any Stage, resolved: [String: [String: ArtifactHash]], force: Bool) throws -> StageResult {
        let log = Log(prefix: stage.name, quiet: quiet)
        let started = Date()
        let plan = try planner.plan(stage, resolved: resolved)
        guard let key = plan.cacheKey, let plannedInputs = plan.inputs else {
            throw PipelineError.upstreamNotFresh(stage: stage.name, upstream: stage.inputs.map(\.stage).joined(separator: ", "))
        }
        if plan.status == .fresh && !force {
            log.info("fresh (key \(key.prefix(12)))")
            return StageResult(stage: stage.name, cacheKey: key, outcome: .fresh, outputs: plan.outputs, seconds: 0)
        }
        for reason in plan.reasons { log.info(reason) }
        if let launcher, stage.runsOnRanks { return try launcher(stage, force) }
        guard let lock = try FileLock.acquire(store.lockPath(forKey: key), wait: wait) else {
            throw PipelineError.busy(stage: stage.name, lock: store.lockPath(forKey: key))
        }
        defer { lock.release() }
        // Another process may have built this key while we waited for the lock.
        let current = try planner.plan(stage, resolved: resolved)
        if current.status == .fresh && !force && current.cacheKey == key {
            log.info("fresh (key \(key.prefix(12)))")
            return StageResult(stage: stage.name, cacheKey: key, outcome: .fresh, outputs: current.outputs,
                               seconds: Date().timeIntervalSince(started))
        }
        try store.catalogue.abandonRuns(cacheKey: key)
        if force {
            // Forcing means starting over, not resuming the key's partial progress.
            for checkpoint in try store.catalogue.checkpoints(cacheKey: key) {
                try store.catalogue.deleteCheckpoint(cacheKey: key, name: checkpoint.name)
            }
        }
        let inputs = try importAndVerify(plan, plannedInputs: plannedInputs)
        let runID = try store.catalogue.beginRun(stage: stage.name, cacheKey: key, stageVersion: stage.version,
                                                 parameters: plan.parameters.canonicalJSON, inputs: inputs)
        let context = StageContext(store: store, stage: stage.name, cacheKey: key, runID: runID,
                                   parameters: plan.parameters, inputs: inputs, log: log)
        log.info("building (key \(key.prefix(12)))")
        Interruption.setHardStop(Self.hardStop(storeRoot: store.root, runID: runID))
        defer { Interruption.setHardStop(nil) }
        do {
            let outputs = try stage.run(context)
            try checkUnchanged(plan, inputs: inputs)
            for (_, hash) in outputs { try store.ensureIntactWithMembers(hash) }
            try store.catalogue.finishRun(runID, outputs: outputs)
            let seconds = Date().timeIntervalSince(started)
            log.info(String(format: "built in %.2fs", seconds))
            return StageResult(stage: stage.name, cacheKey: key, outcome: .built, outputs: outputs, seconds: seconds)
        } catch let interrupted as Interrupted {
            Store.removeTemporaryFiles(root: store.root, pid: getpid())
            try? store.catalogue.abandonRun(runID, reason: interrupted.description)
            log.info("stopped: the run is recorded abandoned (\(interrupted)); rerun to resume")
            throw interrupted
        } catch {
            try? store.catalogue.failRun(runID, error: "\(error)")
            throw error
        }
    }

    /// What a signal's grace period ends with while a run is building: the run recorded
    /// abandoned (on a connection of its own: the building thread may be inside a transaction)
    /// and this process's temporary files removed.
    private static func hardStop(storeRoot: String, runID: Int64) -> @Sendable () -> Void {
        {
            let reason = Interruption.signal.map { Interrupted(signal: $0).description } ?? "interrupted"
            try? Catalogue(path: storeRoot + "/catalogue.sqlite").abandonRun(runID, reason: reason)
            Store.removeTemporaryFiles(root: storeRoot, pid: getpid())
        }
    }

    /// Imports the external files (their bytes must still be what was planned) and verifies
    /// every input in full.
    private func importAndVerify(_ plan: StagePlan, plannedInputs: [String: ArtifactHash]) throws -> [String: ArtifactHash] {
        var inputs = plannedInputs
        for (role, path) in plan.externalPaths.sorted(by: { $0.key < $1.key }) {
            let imported = try store.importFile(at: path, kind: "external:\(plan.stage.name).\(role)",
                                                mediaType: "application/octet-stream")
            guard imported == plannedInputs[role] else {
                throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
            }
            inputs[role] = imported
        }
        for (_, hash) in inputs.sorted(by: { $0.key < $1.key }) { try store.ensureIntactWithMembers(hash, full: true) }
        return inputs
    }

    /// Refuses to record a run whose inputs (store objects or external files) changed under it.
    private func checkUnchanged(_ plan: StagePlan, inputs: [String: ArtifactHash]) throws {
        for (role, hash) in inputs where store.check(hash) != .intact {
            throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
        }
        for (role, path) in plan.externalPaths {
            let info = try Store.stat(path, followingLinks: true)
            guard try store.catalogue.cachedFileHash(path: path, size: info.size, mtimeNs: info.mtimeNs) == inputs[role] else {
                throw PipelineError.inputChangedDuringRun(stage: plan.stage.name, role: role)
            }
        }
    }
}

extension Store {
    /// Marks abandoned the runs whose process died (see `reapAbandonedRuns()`), saying so.
    public func reapAbandonedRuns(log: Log) throws {
        for (key, count) in try reapAbandonedRuns() {
            log.info("marked \(count) run(s) of key \(key.prefix(12)) abandoned (their process died)")
        }
    }

    /// Records deleted objects as removed and drops checkpoints on absent objects (see
    /// `forgetAbsentObjects()`), saying so: what needs them is then rebuilt, not failed.
    public func forgetAbsentObjects(log: Log) throws {
        let (objects, checkpoints) = try forgetAbsentObjects()
        for record in objects {
            log.warning("object \(record.hash.short) (\(record.kind)) is missing from store/objects; recorded as removed")
        }
        for dropped in checkpoints {
            log.warning("checkpoint \(dropped.checkpoint.name) of key \(dropped.cacheKey.prefix(12)) points at an absent object "
                        + "(\(dropped.checkpoint.hash.short)); dropped")
        }
    }
}
