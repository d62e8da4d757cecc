import CoreSupport
import Foundation
import MiniGPT

/// A standard architecture a MiniGPT model can be written as, for Hugging Face `transformers`
/// and for llama.cpp. One type per architecture; `StandardArchitectures.all` lists them.
public protocol ExportArchitecture: Sendable {
    /// The `model_type` of transformers and the `general.architecture` of GGUF, e.g. `gpt2`.
    var name: String { get }
    /// Why a model of `config` is not this architecture: the first option that differs, as
    /// "positions sinusoidal (gpt2 needs learned)"; nil when it is.
    func mismatch(_ config: MiniGPTConfig) -> String?
    /// `config.json`'s keys for transformers (special token ids are added by the writer).
    func huggingFaceConfig(_ config: MiniGPTConfig) -> [String: JSONValue]
    /// The weights under transformers' state_dict names and layouts.
    func huggingFaceTensors(_ model: MiniGPT) -> [ExportTensor]
    /// The `<arch>.*` hyperparameters of GGUF.
    func ggufHyperparameters(_ config: MiniGPTConfig) -> [(String, GGUFValue)]
    /// The weights under llama.cpp's GGUF names, shapes outermost first (the writer reverses them).
    func ggufTensors(_ model: MiniGPT) -> [ExportTensor]
}

public enum StandardArchitectures {
    public static let all: [any ExportArchitecture] = [GPT2Architecture(), LlamaArchitecture(qkNorm: false),
                                                       LlamaArchitecture(qkNorm: true)]

    /// The architecture `config` fits, or a refusal naming, for each architecture, the option
    /// that prevents it.
    public static func matching(_ config: MiniGPTConfig) throws(ExportRefusal) -> any ExportArchitecture {
        var reasons: [String] = []
        for architecture in all {
            guard let reason = architecture.mismatch(config) else { return architecture }
            reasons.append(reason)
        }
        throw ExportRefusal(reasons: reasons)
    }
}

extension ExportArchitecture {
    /// What no standard architecture has: a hashed bigram embedding, or an embedding scale on a tied
    /// head (which reads the embedding table too, so a scale other than 1 cannot be folded into it).
    func embeddingMismatch(_ c: MiniGPTConfig) -> String? {
        if c.bigramBuckets > 0 { return "bigram_buckets \(c.bigramBuckets) (\(name) has no hashed bigram embedding)" }
        return c.embeddingScale != 1 && c.tieWeights
            ? "embedding_scale \(c.embeddingScale) with tie_weights (\(name) has no embedding multiplier; untied, it folds in)" : nil
    }
}

/// A model that maps to no standard architecture.
public struct ExportRefusal: Error, CustomStringConvertible, Equatable {
    public let reasons: [String]

    public init(reasons: [String]) { self.reasons = reasons }

    public var description: String {
        "the model fits no standard architecture: \(reasons.joined(separator: "; ")); use --format minillm"
    }
}

/// A JSON value of a config file; objects are written with sorted keys.
public enum JSONValue: Sendable, Equatable {
    case int(Int), number(Double), bool(Bool), string(String), array([JSONValue]), object([String: JSONValue])

    /// A Float through its shortest decimal form (1e-05, not 9.999999747378752e-06).
    public static func float(_ value: Float) -> JSONValue { .number(Double("\(value)")!) }
}

extension JSONValue {
    /// An object of these values as JSON text: sorted keys, two-space indent, a final newline.
    static func object(_ fields: [String: JSONValue]) -> Data {
        Data(("{\n" + fields.keys.sorted().map { "  \(JSONText.quoted($0)): \(fields[$0]!.text)" }.joined(separator: ",\n")
              + "\n}\n").utf8)
    }

    var text: String {
        switch self {
        case .int(let v): "\(v)"
        case .number(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): JSONText.quoted(v)
        case .array(let v): "[" + v.map(\.text).joined(separator: ", ") + "]"
        case .object(let v): "{" + v.keys.sorted().map { "\(JSONText.quoted($0)): \(v[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}
