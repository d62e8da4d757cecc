import CoreSupport
import Foundation
import MiniGPT
import MiniStore
import ModelFormats

/// The formats of `minillm export`.
enum ExportFormat: String, CaseIterable {
    /// A Hugging Face model directory of the standard architecture the model is.
    case hf
    /// One GGUF file for llama.cpp, of the same architecture.
    case gguf
    /// minillm's own: the weights as stored, its config.json and tokenizer.json (any model).
    case minillm
}

extension StoredModel {
    /// Writes the model in `format` to `destination` (a directory; for gguf a `.gguf` file, or a
    /// directory to hold `model.gguf`); returns the paths written.
    func export(_ format: ExportFormat, to destination: String, store: Store) throws -> [String] {
        let provenance = ["minillm_model": hash.hex]
        switch format {
        case .minillm:
            guard let config = loaded.metadata["config"], let tokenizerHash = loaded.tokenizer else {
                throw ExportError(path: path, reason: "has no config or tokenizer in its metadata")
            }
            return try write([(MiniGPT.weightsFile, try store.data(hash)), (MiniGPT.configFile, Data(config.utf8)),
                              ("tokenizer.json", try store.data(tokenizerHash))], into: destination)
        case .hf:
            let architecture = try StandardArchitectures.matching(model.config)
            return try write(HuggingFaceDirectory.contents(model: model, architecture: architecture, tokenizer: tokenizer,
                                                           metadata: provenance), into: destination)
        case .gguf:
            let architecture = try StandardArchitectures.matching(model.config)
            let data = try GGUFExport.contents(model: model, architecture: architecture, tokenizer: tokenizer,
                                               name: "minillm-\(hash.short)")
            if destination.hasSuffix(".gguf") {
                let directory = (destination as NSString).deletingLastPathComponent
                try Self.makeDirectory(directory.isEmpty ? "." : directory)
                try Self.write(data, to: destination)
                return [destination]
            }
            return try write([("model.gguf", data)], into: destination)
        }
    }

    private func write(_ files: [(name: String, data: Data)], into directory: String) throws -> [String] {
        try Self.makeDirectory(directory)
        for (name, data) in files { try Self.write(data, to: directory + "/" + name) }
        return files.map { directory + "/" + $0.name }
    }

    private static func makeDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ExportError(path: directory, reason: "exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ExportError(path: directory, reason: "cannot be created: \(FileCheck.describe(error))")
        }
    }

    private static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ExportError(path: path, reason: "cannot be written: \(FileCheck.describe(error))")
        }
    }
}

/// Where an export could not write, and why.
struct ExportError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "export: \(path) \(reason)" }
}
