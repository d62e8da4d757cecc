import CoreSupport
import Foundation
import MiniStore
import StageParameters

/// Where one stage stands against the store, and why.
public struct StagePlan {
    public enum Status {
        case fresh, stale, neverRun, staleUpstream

        public var label: String {
            switch self {
            case .fresh: "fresh"
            case .stale, .staleUpstream: "stale"
            case .neverRun: "never-run"
            }
        }
    }

    public let stage: any Stage
    public let parameters: Parameters
    /// Upstream outputs and external files by role; nil while an upstream stage is not fresh.
    public let inputs: [String: ArtifactHash]?
    public let externalPaths: [String: String]
    public let cacheKey: String?
    public let status: Status
    public let reasons: [String]
    /// Outputs of the fresh run.
    public let outputs: [String: ArtifactHash]
}

/// Computes cache keys and freshness from the pipeline file and the catalogue. It changes
/// nothing but the cache of external files' hashes; `PipelineRunner` is what builds.
public struct Planner {
    public let store: Store
    public let pipeline: PipelineFile
    public let registry: StageRegistry
    public let preset: String?
    /// Explicit input hashes by role (for a stage run alone with `--input`).
    public var inputOverrides: [String: ArtifactHash] = [:]

    public init(store: Store, pipeline: PipelineFile, registry: StageRegistry, preset: String?) {
        self.store = store
        self.pipeline = pipeline
        self.registry = registry
        self.preset = preset
    }

    /// Plans one stage. `resolved` holds the outputs of upstream stages already known to be
    /// fresh (or just built), by stage name; any other upstream stage is planned first.
    public func plan(_ stage: any Stage, resolved: [String: [String: ArtifactHash]] = [:]) throws -> StagePlan {
        let parameters = try pipeline.parameters(for: stage, preset: preset)
        var inputs: [String: ArtifactHash]? = [:]
        var waitingOn: [String] = []
        for input in stage.inputs {
            if let hash = inputOverrides[input.role] {
                inputs?[input.role] = hash
                continue
            }
            var outputs = resolved[input.stage]
            if outputs == nil {
                let producer = try plan(try registry.producer(of: input), resolved: resolved)
                if producer.status == .fresh { outputs = producer.outputs }
            }
            if let hash = outputs?[input.output] {
                inputs?[input.role] = hash
            } else {
                inputs = nil
                if !waitingOn.contains(input.stage) { waitingOn.append(input.stage) }
            }
        }
        let externalPaths = try self.externalPaths(stage, parameters)
        for (role, path) in externalPaths.sorted(by: { $0.key < $1.key }) { inputs?[role] = try hashExternal(path) }
        guard let inputs else {
            return StagePlan(stage: stage, parameters: parameters, inputs: nil, externalPaths: externalPaths, cacheKey: nil,
                             status: .staleUpstream, reasons: waitingOn.map { "upstream stage \($0) is stale" }, outputs: [:])
        }
        let key = Self.cacheKey(stage: stage, parameters: parameters, inputs: inputs)
        if let run = try store.catalogue.succeededRun(cacheKey: key) {
            // A manifest's members count as part of the output: a deleted shard makes it stale.
            let damaged = run.outputs.sorted { $0.key < $1.key }.flatMap { role, hash in
                store.damage(hash).map { item in
                    let what = item.hash == hash ? "output \(role) (\(hash.short))"
                        : "member \(item.hash.short) of output \(role) (\(hash.short))"
                    return "\(what) is \(item.state == .missing ? "missing" : "corrupt")"
                }
            }
            if damaged.isEmpty {
                return StagePlan(stage: stage, parameters: parameters, inputs: inputs, externalPaths: externalPaths,
                                 cacheKey: key, status: .fresh, reasons: [], outputs: run.outputs)
            }
            return StagePlan(stage: stage, parameters: parameters, inputs: inputs, externalPaths: externalPaths,
                             cacheKey: key, status: .stale, reasons: damaged, outputs: [:])
        }
        guard let previous = try store.catalogue.latestSucceededRun(stage: stage.name) else {
            return StagePlan(stage: stage, parameters: parameters, inputs: inputs, externalPaths: externalPaths,
                             cacheKey: key, status: .neverRun, reasons: ["no succeeded run yet"], outputs: [:])
        }
        return StagePlan(stage: stage, parameters: parameters, inputs: inputs, externalPaths: externalPaths, cacheKey: key,
                         status: .stale, reasons: Self.differences(previous, stage: stage, parameters: parameters, inputs: inputs),
                         outputs: [:])
    }

    /// Plans every stage of the registry in order.
    public func planAll() throws -> [StagePlan] {
        var resolved: [String: [String: ArtifactHash]] = [:]
        return try registry.stages.map { stage in
            let plan = try plan(stage, resolved: resolved)
            if plan.status == .fresh { resolved[stage.name] = plan.outputs }
            return plan
        }
    }

    public static func cacheKey(stage: any Stage, parameters: Parameters, inputs: [String: ArtifactHash]) -> String {
        let inputText = inputs.keys.sorted().map { "\(CanonicalJSON.string($0)):\"\(inputs[$0]!.hex)\"" }.joined(separator: ",")
        let canonical = "{\"inputs\":{\(inputText)},\"parameters\":\(parameters.canonicalJSON),"
            + "\"stage\":\(CanonicalJSON.string(stage.name)),\"version\":\(stage.version)}"
        return ArtifactHash.of(Data(canonical.utf8)).hex
    }

    /// What changed since the stage's last succeeded run, in words.
    static func differences(_ run: RunRecord, stage: any Stage, parameters: Parameters,
                            inputs: [String: ArtifactHash]) -> [String] {
        var reasons: [String] = []
        if run.stageVersion != stage.version {
            reasons.append("stage version changed: \(run.stageVersion) → \(stage.version)")
        }
        let old = (try? JSONSerialization.jsonObject(with: Data(run.parameters.utf8))) as? [String: Any] ?? [:]
        for spec in stage.parameters {
            let before = old[spec.name].flatMap { raw in try? spec.validate(raw).get() }
            let now = parameters.values[spec.name]
            if before != now {
                let (was, becomes) = (before?.description ?? "(unset)", now?.description ?? "(unset)")
                reasons.append("parameter \(spec.name) changed: \(MessageText.bounded(was)) → \(MessageText.bounded(becomes))")
            }
        }
        for role in Set(run.inputs.keys).union(inputs.keys).sorted() where run.inputs[role] != inputs[role] {
            reasons.append("input \(role) changed: \(run.inputs[role]?.short ?? "(none)") → \(inputs[role]?.short ?? "(none)")")
        }
        return reasons.isEmpty ? ["cache key changed"] : reasons
    }

    /// The stage's external files by role, resolved against the pipeline file's directory, each
    /// checked to be a readable regular file: a FIFO would block (and be read only once). Its
    /// optional ones are there when they are such files.
    public func externalPaths(_ stage: any Stage, _ parameters: Parameters) throws -> [String: String] {
        var paths: [String: String] = [:]
        for (role, path) in try stage.externalFiles(parameters) {
            let absolute = pipeline.resolve(path)
            if let problem = FileCheck.problem(withRegularFile: absolute) {
                let shown = URL(fileURLWithPath: absolute).standardizedFileURL.path
                throw PipelineError.externalFile(stage: stage.name, role: role, path: path.isEmpty ? "\"\"" : path,
                                                 problem: problem + (path == shown ? "" : " (\(shown))"))
            }
            paths[role] = absolute
        }
        for (role, path) in try stage.optionalExternalFiles(parameters) {
            let absolute = pipeline.resolve(path)
            if FileCheck.problem(withRegularFile: absolute) == nil { paths[role] = absolute }
        }
        return paths
    }

    private func hashExternal(_ path: String) throws -> ArtifactHash {
        let info = try Store.stat(path, followingLinks: true)
        if let hash = try store.catalogue.cachedFileHash(path: path, size: info.size, mtimeNs: info.mtimeNs) { return hash }
        let (hash, _) = try FileHashing.hash(fileAt: path)
        try store.catalogue.cacheFileHash(path: path, size: info.size, mtimeNs: info.mtimeNs, hash: hash)
        return hash
    }
}
