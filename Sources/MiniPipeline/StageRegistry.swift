/// The stages of a pipeline, in the order they run. Every input names an earlier stage.
public struct StageRegistry: Sendable {
    public let stages: [any Stage]

    public init(_ stages: [any Stage]) {
        var seen = Set<String>()
        for stage in stages {
            precondition(!seen.contains(stage.name), "duplicate stage \(stage.name)")
            for input in stage.inputs {
                precondition(seen.contains(input.stage), "stage \(stage.name) reads \(input.stage), which does not run before it")
            }
            seen.insert(stage.name)
        }
        self.stages = stages
    }

    public var names: [String] { stages.map(\.name) }

    public func stage(named name: String) -> (any Stage)? { stages.first { $0.name == name } }

    /// The stage that provides `input` (the initialiser checked that it runs earlier).
    func producer(of input: StageInput) throws -> any Stage {
        guard let stage = stage(named: input.stage) else { throw PipelineError.unknownStage(input.stage, known: names) }
        return stage
    }

    public func index(of name: String) throws -> Int {
        guard let i = stages.firstIndex(where: { $0.name == name }) else {
            throw PipelineError.unknownStage(name, known: names)
        }
        return i
    }

    /// Stages from `from` through `until` (inclusive, by position).
    public func slice(from: String?, until: String?) throws -> [any Stage] {
        let start = try from.map(index(of:)) ?? 0
        let end = try until.map(index(of:)) ?? stages.count - 1
        guard start <= end else { throw PipelineError.emptyRange(from: from ?? stages[0].name, until: until ?? stages[end].name) }
        return Array(stages[start...end])
    }
}
