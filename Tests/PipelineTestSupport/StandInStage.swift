import MiniPipeline
import MiniStore
import StageParameters

/// Stands in for a real stage in a test registry: no inputs, version 1, outputs from `body`.
public struct StandInStage: Stage {
    public let name: String
    public let version = 1
    public let summary: String
    public let inputs: [StageInput] = []
    public let parameters: [ParameterSpec]
    private let files: @Sendable (Parameters) throws -> [String: String]
    private let body: @Sendable (StageContext) throws -> [String: ArtifactHash]

    /// `files` names the external files the stage reads (role → path), from its parameters.
    public init(_ name: String, summary: String, parameters: [ParameterSpec] = [],
                files: @escaping @Sendable (Parameters) throws -> [String: String] = { _ in [:] },
                body: @escaping @Sendable (StageContext) throws -> [String: ArtifactHash]) {
        self.name = name
        self.summary = "test stand-in: " + summary
        self.parameters = parameters
        self.files = files
        self.body = body
    }

    public func externalFiles(_ parameters: Parameters) throws -> [String: String] { try files(parameters) }

    public func run(_ context: StageContext) throws -> [String: ArtifactHash] { try body(context) }
}
