import Foundation
import TensorKernels

/// An exported model directory: `model.safetensors` (parameters under their state_dict names;
/// with tied weights only `tok_emb.weight`) and `config.json` (MiniGPTConfig's keys).
extension MiniGPT {
    public static let weightsFile = "model.safetensors"
    public static let configFile = "config.json"

    /// Named parameter views in layout order, for checkpoints and export.
    public func namedTensors(of buffer: FloatBuffer) -> [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] {
        layout.tensors.map { ($0.name, $0.shape, UnsafeBufferPointer(start: buffer.pointer + $0.offset, count: $0.count)) }
    }

    public func saveWeights(to path: String, metadata: [String: String] = [:]) throws(MiniGPTError) {
        try Safetensors.write(path: path, tensors: namedTensors(of: parameters),
                              metadata: metadata.merging(["format": "pt"]) { mine, _ in mine })
    }

    /// Reads every parameter from `path`, the tensor of `name` stored as `prefix + name`.
    public func loadWeights(from path: String, prefix: String = "") throws(MiniGPTError) {
        let file = try Safetensors(path: path)
        for tensor in layout.tensors {
            try file.copyFloats(prefix + tensor.name, shape: tensor.shape, into: parameters.pointer + tensor.offset)
        }
    }

    public func export(to directory: String) throws(MiniGPTError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory, reason: "cannot create directory: \(error.localizedDescription)")
        }
        try saveWeights(to: directory + "/" + Self.weightsFile)
        try config.writeJSON(to: directory + "/" + Self.configFile)
    }

    /// A model with the exported directory's config and weights.
    public static func load(from directory: String, maxBatch: Int, threads: Int? = nil) throws(MiniGPTError) -> MiniGPT {
        let config = try MiniGPTConfig(jsonAt: directory + "/" + configFile)
        let model = try MiniGPT(config: config, maxBatch: maxBatch, seed: 0, threads: threads)
        try model.loadWeights(from: directory + "/" + weightsFile)
        return model
    }
}

extension MiniGPTConfig {
    public init(jsonAt path: String) throws(MiniGPTError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do { self = try JSONDecoder().decode(MiniGPTConfig.self, from: data) } catch {
            throw .invalidConfig("\(path): \(error)")
        }
        try validate()
    }

    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try! encoder.encode(self) + Data("\n".utf8)
    }

    public func writeJSON(to path: String) throws(MiniGPTError) {
        do { try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
