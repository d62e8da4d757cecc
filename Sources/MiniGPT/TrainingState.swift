import Foundation
import TensorKernels

/// Everything needed to resume training bit for bit, in one safetensors file: parameters
/// (`param.<name>`), AdamW moments (`adam_m.<name>`, `adam_v.<name>`) and, in the metadata, the
/// AdamW step, the dropout key and step, and the config.
extension MiniGPT {
    public func writeTrainingState(to path: String, metadata extra: [String: String] = [:]) throws(MiniGPTError) {
        let entries = [("param.", parameters), ("adam_m.", optimizer.firstMoment), ("adam_v.", optimizer.secondMoment)]
            .flatMap { prefix, buffer in namedTensors(of: buffer).map { (prefix + $0.name, $0.shape, $0.values) } }
        var metadata = extra
        metadata["adam_step"] = String(optimizer.step)
        metadata["dropout_key"] = String(dropoutRNG.key)
        metadata["dropout_step"] = String(dropoutStep)
        metadata["config"] = String(decoding: config.jsonData(), as: UTF8.self)
        try Safetensors.write(path: path, tensors: entries, metadata: metadata)
    }

    /// Restores a state written by `writeTrainingState` for a model of the same config.
    public func readTrainingState(from path: String) throws(MiniGPTError) {
        let file = try Safetensors(path: path)
        func number(_ key: String) throws(MiniGPTError) -> UInt64 {
            guard let text = file.metadata[key], let value = UInt64(text) else {
                throw .safetensors(path: path, reason: "metadata '\(key)' is missing or not an unsigned integer")
            }
            return value
        }
        let step = try number("adam_step"), key = try number("dropout_key"), dropout = try number("dropout_step")
        for tensor in layout.tensors {
            try file.copyFloats("param." + tensor.name, shape: tensor.shape, into: parameters.pointer + tensor.offset)
            try file.copyFloats("adam_m." + tensor.name, shape: tensor.shape, into: optimizer.firstMoment.pointer + tensor.offset)
            try file.copyFloats("adam_v." + tensor.name, shape: tensor.shape, into: optimizer.secondMoment.pointer + tensor.offset)
        }
        optimizer.step = Int(step)
        dropoutRNG = CounterRNG(key: key)
        dropoutStep = dropout
    }
}
