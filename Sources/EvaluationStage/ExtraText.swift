import DataShards
import Foundation
import MiniStore
import Tokenizer

/// The optional `extra_text` file, tokenised into a temporary shard so it is scored exactly like
/// a split: a JSON Lines file (one `{"title","text"}` document a line, like the clean corpus)
/// when its first non-blank character is `{`, otherwise one plain-text document.
final class ExtraText {
    let reader: ShardReader
    let documents: Int
    private let directory: URL

    /// `path` is the store's copy; `name` the file as the pipeline file gives it, for messages.
    init(path: String, name: String, tokenizer: Tokenizer, tokenizerHash: ArtifactHash) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError.badExtraText(path: name, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.badExtraText(path: name, reason: "is not valid UTF-8")
        }
        let texts: [String]
        if text.first(where: { !$0.isWhitespace }) == "{" {
            do { texts = try Corpus.parse(data, source: name).map(\.text) } catch ShardError.badCorpusLine(_, let line, let reason) {
                throw EvaluationError.badExtraText(path: name, reason: "line \(line): \(reason) (JSON Lines needs title and text)")
            }
        } else {
            texts = [text]
        }
        guard texts.contains(where: { !$0.isEmpty }) else { throw EvaluationError.badExtraText(path: name, reason: "holds no text") }

        var content = ShardContent()
        for (document, ids) in zip(texts, tokenizer.encode(texts, threads: 2)) {
            content.append(document: ids, textBytes: document.utf8.count)
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-extra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("extra.shard")
        var bytes = Data()
        try content.write(tokenWidth: ShardHeader.tokenWidth(vocabularySize: tokenizer.vocabularySize),
                          tokenizer: tokenizerHash) { bytes.append(contentsOf: $0) }
        try bytes.write(to: file)
        reader = try ShardReader(path: file.path, expectedTokenizer: tokenizerHash)
        documents = texts.count
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
