import DataShards
import Evaluation
import Foundation
import Tokenizer

/// The generations every evaluation makes with the KV-cached model: each standard prompt with
/// each standard sampling setting, and greedy continuations of test-split articles for BLEU.
/// Prompts start with `[BOS]`, as articles do in the shards; `[EOS]` ends a generation.
struct GenerationSuite {
    var source: CachedModelSource
    let tokenizer: Tokenizer

    func prompt(_ text: String) -> [Int] { [Int(SpecialToken.bos.id)] + tokenizer.encode(text).map(Int.init) }

    /// Every `StandardPrompts` prompt with every `StandardPrompts.settings`, and the raw results
    /// for the performance figures.
    mutating func samples(maxNewTokens: Int, seed: UInt64) throws -> ([GenerationSample], [GenerationResult]) {
        var samples: [GenerationSample] = [], results: [GenerationResult] = []
        for text in StandardPrompts.prompts {
            for var settings in StandardPrompts.settings(maxNewTokens: maxNewTokens, seed: seed) {
                settings.stopTokens = [Int(SpecialToken.eos.id)]
                let result = try Generation.generate(&source, prompt: prompt(text), settings: settings)
                let continuation = try tokenizer.decodeLossy(result.tokens.map(TokenID.init))
                samples.append(GenerationSample(prompt: text, settings: settings, continuation: continuation, result: result))
                results.append(result)
            }
        }
        return (samples, results)
    }

    /// Corpus BLEU-1…4 of greedy continuations of the first `articles` test articles long enough
    /// (prompt = their first `promptWords` words, reference = the next `referenceWords`); nil
    /// when no article is long enough. The continuation is trimmed to `referenceWords` words.
    mutating func bleu(test: ShardReader, articles: Int, promptWords: Int, referenceWords: Int) throws -> BLEUReport? {
        var tasks: [ContinuationTask] = []
        for range in test.documentRanges() where tasks.count < articles {
            let text = try tokenizer.decodeLossy(test.tokens(range))
            tasks += ContinuationTask.make(articles: [text], promptWords: promptWords, referenceWords: referenceWords, limit: 1)
        }
        guard !tasks.isEmpty else { return nil }
        var settings = SamplingSettings.greedy(maxNewTokens: 4 * referenceWords)
        settings.stopTokens = [Int(SpecialToken.eos.id)]
        var hypotheses: [String] = []
        for task in tasks {
            let result = try Generation.generate(&source, prompt: prompt(task.prompt), settings: settings)
            hypotheses.append(ContinuationTask.trim(try tokenizer.decodeLossy(result.tokens.map(TokenID.init)),
                                                    toWords: referenceWords))
        }
        let result = try BLEU.corpus(hypotheses: hypotheses, references: tasks.map(\.reference))
        let method = "greedy continuations of the first \(promptWords) words of \(tasks.count) test articles "
            + "(the first with at least \(promptWords + referenceWords) words); reference = the next \(referenceWords) words; "
            + "continuation trimmed to \(referenceWords) words."
        return BLEUReport(method: method, settings: settings, result: result)
    }
}
