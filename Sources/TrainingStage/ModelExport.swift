import CoreSupport
import Foundation
import MiniGPT
import MiniStore
import Training

/// Writes a trained model as a directory PyTorch (and `transformers`-style tooling) can read:
/// `model.safetensors` (the weights under their state_dict names), `config.json` and
/// `tokenizer.json`.
public enum ModelExport {
    public static func export(store: Store, model hash: ArtifactHash, to directory: String) throws -> [String] {
        let path = try store.ensureIntact(hash, full: true)
        let file = try Safetensors(path: path)
        guard let config = file.metadata["config"], let tokenizer = file.metadata["tokenizer"].flatMap(ArtifactHash.init) else {
            throw TrainingError.refused("artifact \(hash.short) is not a trained model (no config or tokenizer in its metadata)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ExportError(path: directory, reason: "exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ExportError(path: directory, reason: "cannot be created: \(FileCheck.describe(error))")
        }
        let files = [
            (MiniGPT.weightsFile, try store.data(hash)),
            (MiniGPT.configFile, Data(config.utf8)),
            ("tokenizer.json", try store.data(tokenizer)),
        ]
        for (name, data) in files {
            let path = directory + "/" + name
            do {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ExportError(path: path, reason: "cannot be written: \(FileCheck.describe(error))")
            }
        }
        return files.map { directory + "/" + $0.0 }
    }
}

/// Where an export could not write, and why.
public struct ExportError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "export: \(path) \(reason)" }
}
