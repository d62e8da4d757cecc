import ArgumentParser
import CoreSupport
import Foundation
import MiniGPT
import MiniPipeline
import PipelineCommands
import Tokenizer

/// `minillm score FILE`: bits per byte of a model on a text, each document read as `[BOS]` text
/// in windows of the context length, the way lm-evaluation-harness scores `loglikelihood_rolling`
/// tasks: the first window predicts its T tokens from `[BOS]` on; each later one predicts the next
/// ≤ T tokens from the T tokens before them. So its figure and lm-eval's on the same documents agree.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Bits per byte of a trained model on a text file, as lm-evaluation-harness scores one (rolling windows).",
        discussion: "FILE: JSON Lines with a \"text\" field per line (one document each), or plain text (one document).")

    @OptionGroup var options: StoreOptions
    @Argument(help: "The text to score.") var file: String
    @Option(help: "A model artifact's hash or prefix (default: the current model of stage train).") var model: String?

    func run() throws {
        try reportingErrors("minillm") {
            let documents = try Self.documents(file)
            let store = try options.openStore()
            let stored = try StoredModel(store: store, hash: try StoredModel.resolve(model, in: store))
            var nats = 0.0, tokens = 0, bytes = 0
            for text in documents {
                let (sum, count) = try Self.negativeLogLikelihood(stored.model, [SpecialToken.bos.id] + stored.tokenizer.encode(text))
                (nats, tokens, bytes) = (nats + sum, tokens + count, bytes + text.utf8.count)
            }
            let bitsPerByte = bytes > 0 ? nats / M_LN2 / Double(bytes) : 0
            print("{\"bits_per_byte\": \(bitsPerByte), \"bytes\": \(bytes), \"documents\": \(documents.count), "
                  + "\"model\": \(JSONText.quoted(stored.hash.hex)), \"tokens\": \(tokens)}")
        }
    }

    static func documents(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ParameterConflict("\(path) cannot be read as UTF-8 text")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw ParameterConflict("\(path) holds no text") }
        guard text.first(where: { !$0.isWhitespace }) == "{" else { return [text] }
        return try text.split(separator: "\n").enumerated().map { number, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = object["text"] as? String else {
                throw ParameterConflict("\(path) line \(number + 1): not a JSON object with a \"text\" string")
            }
            return text
        }
    }

    /// −Σ ln p of every token after the first of `sequence`, in lm-eval's rolling windows.
    static func negativeLogLikelihood(_ model: MiniGPT, _ sequence: [TokenID]) throws -> (Double, Int) {
        let context = model.config.contextLength, targets = sequence.count - 1
        var sum = 0.0, predicted = 0
        while predicted < targets {
            let end = min(targets, predicted + context)
            let start = max(0, end - context)
            let input = Array(sequence[start..<end])
            var expected = Array(sequence[(start + 1)...end])
            for i in 0..<(predicted - start) { expected[i] = -100 }
            sum += try model.forward(tokens: input, targets: expected, batch: 1).targetNLLSum
            predicted = end
        }
        return (sum, targets)
    }
}
