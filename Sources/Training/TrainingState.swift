import Foundation
import MiniGPT
import MiniStore

/// Everything besides the tensors that a resumed run needs to continue bit for bit.
public struct TrainingState: Codable, Equatable, Sendable {
    /// The next step to run.
    public var step = 0
    public var optimizerStep = 0
    public var dropoutStep: UInt64 = 0
    public var earlyStopping: EarlyStopping
    /// The weights-only model artifact of the best validation loss so far.
    public var bestModel: ArtifactHash?
    /// The metrics log up to `step`, as an artifact.
    public var log: ArtifactHash?
    public var stopped = false

    public init(earlyStopping: EarlyStopping) { self.earlyStopping = earlyStopping }
}

/// A resumable checkpoint is one safetensors artifact: the weights under their state_dict
/// names, AdamW's moments under `adam_m.` and `adam_v.`, and `TrainingState`, the model
/// config and the training parameters as JSON in `__metadata__`.
public enum TrainingCheckpoint {
    public static let format = "minillm-checkpoint-1"
    static let firstMoment = "adam_m.", secondMoment = "adam_v."

    public static func encode(model: MiniGPT, state: TrainingState, parameters: String) -> Data {
        let tensors = model.namedTensors(of: model.parameters)
            + model.namedTensors(of: model.optimizer.firstMoment).map { (firstMoment + $0.name, $0.shape, $0.values) }
            + model.namedTensors(of: model.optimizer.secondMoment).map { (secondMoment + $0.name, $0.shape, $0.values) }
        return Safetensors.encode(tensors: tensors, metadata: [
            "format": format, "state": json(state), "config": String(decoding: model.config.jsonData(), as: UTF8.self),
            "parameters": parameters,
        ])
    }

    /// Restores weights, moments and counters into `model`; returns the saved state.
    public static func restore(into model: MiniGPT, from path: String, parameters: String) throws -> TrainingState {
        let file = try Safetensors(path: path)
        guard file.metadata["format"] == format else {
            throw TrainingError.badCheckpoint(path: path, reason: "format is \(file.metadata["format"] ?? "missing"), expected \(format)")
        }
        guard file.metadata["parameters"] == parameters else {
            throw TrainingError.badCheckpoint(path: path, reason: "it was made with other training parameters")
        }
        guard let text = file.metadata["state"], let state = try? decode(TrainingState.self, from: Data(text.utf8)) else {
            throw TrainingError.badCheckpoint(path: path, reason: "its training state is unreadable")
        }
        for tensor in model.layout.tensors {
            try file.copyFloats(tensor.name, shape: tensor.shape, into: model.parameters.pointer + tensor.offset)
            try file.copyFloats(firstMoment + tensor.name, shape: tensor.shape, into: model.optimizer.firstMoment.pointer + tensor.offset)
            try file.copyFloats(secondMoment + tensor.name, shape: tensor.shape, into: model.optimizer.secondMoment.pointer + tensor.offset)
        }
        model.optimizer.step = state.optimizerStep
        model.dropoutStep = state.dropoutStep
        return state
    }

    /// The stage's output: weights only, loadable by PyTorch, with what made them in metadata.
    public static func modelFile(model: MiniGPT, metadata: [String: String]) -> Data {
        Safetensors.encode(tensors: model.namedTensors(of: model.parameters),
                           metadata: metadata.merging(["format": "pt", "config": String(decoding: model.config.jsonData(), as: UTF8.self)]) { a, _ in a })
    }

    /// JSON as checkpoints hold it: sorted keys, non-finite numbers (an early-stopping state's
    /// infinite best loss) as strings.
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// Reads what `json` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case badCheckpoint(path: String, reason: String)
    case refused(String)
    case nonFinite(step: Int, what: String, tensor: String, value: Float)

    public var description: String {
        switch self {
        case .badCheckpoint(let path, let reason): "checkpoint \(path) cannot be resumed: \(reason)"
        case .refused(let reason): "refusing to train: \(reason)"
        case .nonFinite(let step, let what, let tensor, let value):
            "step \(step): \(what) is not finite; first non-finite value \(value) in \(tensor). "
                + "The last good checkpoint is kept; lower the learning rate or check the data"
        }
    }
}
