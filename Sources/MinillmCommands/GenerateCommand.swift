import ArgumentParser
import CoreSupport
import Evaluation
import EvaluationStage
import Foundation
import PipelineCommands
import Tokenizer

/// `minillm generate`: continuations of prompts by a trained model, streamed token by token
/// through the KV cache (the sampler and cache the evaluation's generations use).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue prompts with a trained model, streaming the text to stdout.",
        discussion: """
            Each prompt is read as a document start ([BOS] before it) and continued until [EOS] or --max-tokens; the \
            prompt and its continuation are printed as one line. With no PROMPT, one prompt is read per line of stdin. \
            Tokens/s and the time to the first token go to stderr. --temperature 0 is greedy.
            """)

    @OptionGroup var options: StoreOptions
    @Argument(help: "Prompts; none: one per line from stdin.") var prompts: [String] = []
    @Option(help: "A model artifact's hash or prefix (default: the current model of stage train).") var model: String?
    @Option(help: "Most new tokens per prompt.") var maxTokens = 64
    @Option(help: "Softmax temperature; 0 picks the most likely token (greedy).") var temperature = 0.8
    @Option(help: "Keep only the k most likely tokens (0: all).") var topK = 0
    @Option(help: "Keep the most likely tokens whose probability reaches p (1: all).") var topP = 0.95
    @Option(help: "Divide the logit of every token already seen by this (a negative one: multiply; 1: off).") var repetitionPenalty = 1.0
    @Option(help: "Seed of the sampler.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object per prompt (prompt, ids, text, timings) instead of streaming text.") var json = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens \(maxTokens) must be at least 1") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature \(temperature) must be ≥ 0") }
        guard topK >= 0 else { throw ValidationError("--top-k \(topK) must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p \(topP) is outside (0, 1]") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else {
            throw ValidationError("--repetition-penalty \(repetitionPenalty) must be > 0")
        }
    }

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let stored = try StoredModel(store: store, hash: try StoredModel.resolve(model, in: store))
            var source = CachedModelSource(model: stored.model)
            let settings = SamplingSettings(temperature: temperature, topK: topK, topP: topP, repetitionPenalty: repetitionPenalty,
                                            maxNewTokens: maxTokens, seed: seed, stopTokens: [Int(SpecialToken.eos.id)])
            let label = "model \(stored.hash.short), \(settings.label)"
            var lines = prompts.makeIterator()
            let next: () -> String? = prompts.isEmpty ? { readLine() } : { lines.next() }
            while let prompt = next() {
                try generate(prompt, source: &source, tokenizer: stored.tokenizer, settings: settings, label: label)
            }
        }
    }

    private func generate(_ prompt: String, source: inout CachedModelSource, tokenizer: Tokenizer,
                          settings: SamplingSettings, label: String) throws {
        let ids = [Int(SpecialToken.bos.id)] + tokenizer.encode(prompt).map(Int.init)
        var text = TextStream()
        if !json { text.write(Array(prompt.utf8)) }
        // Word tokens are decoded one space apart (their pre-tokenisation dropped the spacing).
        let separator: [UInt8] = tokenizer.kind == .word ? [0x20] : []
        let result = try Generation.generate(&source, prompt: ids, settings: settings) { token in
            let bytes = try tokenizer.decodeBytes([TokenID(token)])
            if !json && !bytes.isEmpty { text.write(separator + bytes) }
        }
        let speed = result.totalSeconds > 0 ? Double(result.tokens.count) / result.totalSeconds : 0
        if json {
            let continuation = try tokenizer.decodeLossy(result.tokens.map(TokenID.init))
            let line = "{\"prompt\": \(JSONText.quoted(prompt)), \"prompt_ids\": \(ids), \"ids\": \(result.tokens), "
                + "\"text\": \(JSONText.quoted(continuation)), \"stopped_at_eos\": \(result.stoppedAtStopToken), "
                + "\"tokens_per_second\": \(speed), \"time_to_first_token_seconds\": \(result.timeToFirstToken)}\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        } else {
            text.finish()
        }
        Log.write(String(format: "minillm: %d tokens in %.3f s, %.1f tokens/s, first token after %.1f ms (%@)%@\n",
                         result.tokens.count, result.totalSeconds, speed, result.timeToFirstToken * 1000, label,
                         result.stoppedAtStopToken ? ", stopped at [EOS]" : ""))
    }
}

/// Writes UTF-8 to stdout as it arrives, holding back the bytes of a character that a token
/// split until the next token completes it (a lossy U+FFFD only for bytes that never do).
struct TextStream {
    private var pending: [UInt8] = []

    mutating func write(_ bytes: [UInt8]) {
        pending += bytes
        let cut = pending.count - Self.incompleteTail(pending)
        guard cut > 0 else { return }
        FileHandle.standardOutput.write(Data(String(decoding: pending[..<cut], as: UTF8.self).utf8))
        pending.removeFirst(cut)
    }

    mutating func finish() {
        FileHandle.standardOutput.write(Data((String(decoding: pending, as: UTF8.self) + "\n").utf8))
        pending = []
    }

    /// How many trailing bytes begin a multi-byte character that is not complete yet.
    static func incompleteTail(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            guard byte & 0xC0 == 0x80 else {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return length > back ? back : 0
            }
        }
        return 0
    }
}
