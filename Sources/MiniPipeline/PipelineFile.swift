import CoreSupport
import Foundation
import StageParameters

/// `pipeline/pipeline.json`: the parameters that differ from the stages' declared defaults
/// (`StageSettings`), plus named presets that override some.
///
///     { "preset": "quick",
///       "stages":  { "clean": { "min_chars": 200 }, … },
///       "presets": { "quick": { "train": { "max_steps": 500 } }, … } }
///
/// Unknown stages, unknown keys, wrong types and out-of-range values are refused with the file,
/// the key and the reason.
public struct PipelineFile {
    public let path: String
    /// Relative paths in parameters are resolved against this directory: the one holding the
    /// file, wherever it is (as Cargo, docker compose and tsconfig do).
    public let baseDirectory: String
    public let defaultPreset: String?
    public let presetNames: [String]
    private let stageValues: [String: [String: Any]]
    private let presetValues: [String: [String: [String: Any]]]

    public init(path: String, registry: StageRegistry) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        if let problem = FileCheck.problem(withRegularFile: absolute.path) {
            throw PipelineError.pipelineFileUnreadable(path: path, reason: problem)
        }
        guard let data = FileManager.default.contents(atPath: absolute.path) else {
            throw PipelineError.pipelineFileUnreadable(path: path, reason: "cannot be read")
        }
        if let problem = Self.encodingProblem(data) { throw PipelineError.pipelineFileUnreadable(path: path, reason: problem) }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PipelineError.pipelineFileUnreadable(path: path, reason: "not valid JSON: \(Self.jsonErrorText(error, data))")
        }
        try self.init(json: root, path: path, baseDirectory: absolute.deletingLastPathComponent().path, registry: registry)
    }

    init(json root: Any, path: String, baseDirectory: String, registry: StageRegistry) throws {
        self.path = path
        self.baseDirectory = baseDirectory
        func invalid(_ key: String, _ reason: String) -> PipelineError {
            .pipelineFileInvalid(path: path, key: MessageText.bounded(key), reason: reason)
        }
        guard let top = root as? [String: Any] else { throw invalid("(top level)", "expected a JSON object") }
        for key in top.keys.sorted() where !["preset", "stages", "presets"].contains(key) {
            throw invalid(key, "unknown key (expected preset, stages, presets)")
        }
        func stageSections(_ value: Any?, at prefix: String) throws -> [String: [String: Any]] {
            guard let value else { return [:] }
            guard let sections = value as? [String: Any] else { throw invalid(prefix, "expected an object of stages") }
            var result: [String: [String: Any]] = [:]
            for (name, section) in sections {
                guard let stage = registry.stage(named: name) else {
                    throw invalid("\(prefix).\(name)", "unknown stage (stages: \(registry.names.joined(separator: ", ")))")
                }
                guard let values = section as? [String: Any] else { throw invalid("\(prefix).\(name)", "expected an object") }
                for (key, raw) in values {
                    guard let spec = stage.parameters.first(where: { $0.name == key }) else {
                        let known = stage.parameters.map(\.name).joined(separator: ", ")
                        throw invalid("\(prefix).\(name).\(key)", "unknown parameter of stage \(name) (parameters: \(known))")
                    }
                    if case .failure(let problem) = spec.validate(raw) { throw invalid("\(prefix).\(name).\(key)", problem.reason) }
                }
                result[name] = values
            }
            return result
        }
        stageValues = try stageSections(top["stages"], at: "stages")
        var presets: [String: [String: [String: Any]]] = [:]
        if let raw = top["presets"] {
            guard let object = raw as? [String: Any] else { throw invalid("presets", "expected an object of presets") }
            for (name, value) in object { presets[name] = try stageSections(value, at: "presets.\(name)") }
        }
        presetValues = presets
        presetNames = presets.keys.sorted()
        if let preset = top["preset"] {
            guard let name = preset as? String else { throw invalid("preset", "expected a preset name") }
            guard presets[name] != nil else {
                throw invalid("preset", "no preset named \"\(MessageText.bounded(name))\" under presets")
            }
            defaultPreset = name
        } else {
            defaultPreset = nil
        }
    }

    /// Defaults, overridden by the `stages` section, overridden by the preset's section.
    public func parameters(for stage: any Stage, preset: String?) throws -> Parameters {
        var values: [String: ParameterValue] = [:]
        for spec in stage.parameters { values[spec.name] = spec.defaultValue }
        var layers = [stageValues[stage.name] ?? [:]]
        if let name = preset ?? defaultPreset {
            guard let sections = presetValues[name] else { throw PipelineError.unknownPreset(name, known: presetNames) }
            layers.append(sections[stage.name] ?? [:])
        }
        for layer in layers {
            for (key, raw) in layer {
                if let spec = stage.parameters.first(where: { $0.name == key }), case .success(let v) = spec.validate(raw) {
                    values[key] = v
                }
            }
        }
        return Parameters(values)
    }

    public func resolve(_ relativePath: String) -> String {
        relativePath.hasPrefix("/") ? relativePath : baseDirectory + "/" + relativePath
    }

    /// JSON is UTF-8 here: a UTF-16 or UTF-32 file (which JSONSerialization would take) is refused
    /// by name, as is an empty file or bytes that are not UTF-8.
    static func encodingProblem(_ data: Data) -> String? {
        guard !data.isEmpty else { return "the file is empty (expected a JSON object)" }
        let head = Array(data.prefix(4))
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) || head.contains(0) {
            return "the file is UTF-16 or UTF-32 encoded; save it as UTF-8"
        }
        guard String(data: data, encoding: .utf8) != nil else { return "the file is not valid UTF-8" }
        return nil
    }

    private static func jsonErrorText(_ error: Error, _ data: Data) -> String {
        let ns = error as NSError
        if let index = ns.userInfo["NSJSONSerializationErrorIndex"] as? Int {
            let prefix = data.prefix(index)
            let line = prefix.filter { $0 == 10 }.count + 1
            return "syntax error near line \(line)"
        }
        return ns.userInfo[NSDebugDescriptionErrorKey] as? String ?? ns.localizedDescription
    }
}
