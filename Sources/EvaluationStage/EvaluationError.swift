/// Why an evaluation refused to run, naming the input at fault.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case badModel(path: String, reason: String)
    case tokenizerMismatch(model: String, shards: String)
    case vocabularyMismatch(model: Int, shards: Int)
    case badLog(line: Int, reason: String)
    case badExtraText(path: String, reason: String)
    case emptyPrompt
    case emptySplit(String)

    public var description: String {
        switch self {
        case .badModel(let path, let reason): "model \(path): \(reason)"
        case .tokenizerMismatch(let model, let shards):
            "the model was trained with tokenizer \(model) but the shards use tokenizer \(shards)"
        case .vocabularyMismatch(let model, let shards):
            "the model has \(model) output tokens but the shards' tokenizer has \(shards)"
        case .badLog(let line, let reason): "training log line \(line): \(reason)"
        case .badExtraText(let path, let reason): "extra_text \(path): \(reason)"
        case .emptyPrompt: "generation needs at least one prompt token"
        case .emptySplit(let name): "split \(name) has no token to score"
        }
    }
}
