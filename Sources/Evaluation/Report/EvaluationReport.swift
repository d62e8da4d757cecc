import Foundation

/// The machine-readable evaluation artifact. `json()` writes it with sorted keys, so the same
/// report always gives the same bytes; `HTMLReport` renders it for people.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// 2: splits carry `bitsPerByteIntervals`.
    public static let currentSchema = 2

    public var schema = EvaluationReport.currentSchema
    public var title: String
    /// When it was made, as the caller wants it shown (left out of cache-keyed outputs if it
    /// would break byte-identical reruns).
    public var createdAt: String?
    public var lineage: Lineage
    public var model: ModelSummary?
    public var splits: [SplitReport]
    public var generalization: Generalization?
    public var bias: BiasReport?
    public var leakage: LeakageReport
    public var bleu: BLEUReport?
    public var samples: [GenerationSample]
    public var performance: PerformanceReport
    /// Training curves, in step order.
    public var history: [HistoryPoint]
    public var notes: [String]

    public init(title: String, createdAt: String? = nil, lineage: Lineage, model: ModelSummary? = nil,
                splits: [SplitReport], generalization: Generalization? = nil, bias: BiasReport? = nil,
                leakage: LeakageReport, bleu: BLEUReport? = nil, samples: [GenerationSample] = [],
                performance: PerformanceReport = PerformanceReport(), history: [HistoryPoint] = [],
                notes: [String] = []) {
        self.title = title
        self.createdAt = createdAt
        self.lineage = lineage
        self.model = model
        self.splits = splits
        self.generalization = generalization
        self.bias = bias
        self.leakage = leakage
        self.bleu = bleu
        self.samples = samples
        self.performance = performance
        self.history = history
        self.notes = notes
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    public static func decode(_ data: Data) throws -> EvaluationReport {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(EvaluationReport.self, from: data)
    }

    /// A model that assigns probability 0 to a target has infinite loss: say so rather than fail.
    private static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
}

/// Which inputs made the evaluated model, as strings the caller takes from the catalogue.
public struct Lineage: Codable, Sendable, Equatable {
    public var corpus: String
    public var tokenizer: String
    public var config: String
    public var codeVersion: String
    /// Anything else worth tracing (checkpoint hash, run id, …), shown in key order.
    public var extra: [String: String]

    public init(corpus: String, tokenizer: String, config: String, codeVersion: String, extra: [String: String] = [:]) {
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.config = config
        self.codeVersion = codeVersion
        self.extra = extra
    }
}

public struct ModelSummary: Codable, Sendable, Equatable {
    public var parameters: Int
    /// Size of the checkpoint's weights on disk.
    public var sizeBytes: Int
    public var description: String

    public init(parameters: Int, sizeBytes: Int, description: String) {
        self.parameters = parameters
        self.sizeBytes = sizeBytes
        self.description = description
    }
}

/// The model and the baselines scored on the same positions of one split.
public struct SplitReport: Codable, Sendable, Equatable {
    public var name: String
    public var model: LanguageModelScores
    /// Keyed by `NGramBaseline.Kind.rawValue`.
    public var baselines: [String: LanguageModelScores]
    /// Bootstrap intervals over the split's articles for the model's and the baselines' bits per
    /// byte and the model's margins over the baselines (absent in reports of schema 1).
    public var bitsPerByteIntervals: BitsPerByteIntervals?

    public init(name: String, model: LanguageModelScores, baselines: [String: LanguageModelScores] = [:],
                bitsPerByteIntervals: BitsPerByteIntervals? = nil) {
        self.name = name
        self.model = model
        self.baselines = baselines
        self.bitsPerByteIntervals = bitsPerByteIntervals
    }
}

public struct BiasReport: Codable, Sendable, Equatable {
    public var split: String
    public var summary: BiasSummary

    public init(split: String, summary: BiasSummary) {
        self.split = split
        self.summary = summary
    }
}

public struct BLEUReport: Codable, Sendable, Equatable {
    /// How prompts and references were made, e.g. "first 32 words of 50 test articles; reference = next 32 words".
    public var method: String
    public var settings: SamplingSettings
    public var result: BLEUResult

    public init(method: String, settings: SamplingSettings, result: BLEUResult) {
        self.method = method
        self.settings = settings
        self.result = result
    }
}

public struct GenerationSample: Codable, Sendable, Equatable {
    public var prompt: String
    public var settings: SamplingSettings
    public var continuation: String
    public var generatedTokens: Int
    public var timeToFirstToken: Double
    public var decodeTokensPerSecond: Double

    public init(prompt: String, settings: SamplingSettings, continuation: String, result: GenerationResult) {
        self.prompt = prompt
        self.settings = settings
        self.continuation = continuation
        generatedTokens = result.tokens.count
        timeToFirstToken = result.timeToFirstToken
        let decode = result.decodeLatencies.reduce(0, +)
        decodeTokensPerSecond = decode > 0 ? Double(result.decodeLatencies.count) / decode : 0
    }
}

public struct PerformanceReport: Codable, Sendable, Equatable {
    public var generation: GenerationPerformance?
    /// Tokens scored per second while computing the language-model metrics.
    public var evaluationTokensPerSecond: Double?
    public var memory: MemoryUsage?

    public init(generation: GenerationPerformance? = nil, evaluationTokensPerSecond: Double? = nil,
                memory: MemoryUsage? = nil) {
        self.generation = generation
        self.evaluationTokensPerSecond = evaluationTokensPerSecond
        self.memory = memory
    }
}

public struct HistoryPoint: Codable, Sendable, Equatable {
    public var step: Int
    public var trainLoss: Double?
    public var validationLoss: Double?
    public var learningRate: Double?
    public var validationAccuracy: Double?

    public init(step: Int, trainLoss: Double? = nil, validationLoss: Double? = nil, learningRate: Double? = nil,
                validationAccuracy: Double? = nil) {
        self.step = step
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.learningRate = learningRate
        self.validationAccuracy = validationAccuracy
    }
}
