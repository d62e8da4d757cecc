import CoreSupport
import Foundation

/// The Hugging Face `tokenizer.json` form of a tokenizer, which `tokenizers.Tokenizer.from_file`
/// loads and which encodes to the same ids as minillm:
/// - bpe: no normalizer; `Split` (isolated) on `PreTokenizer.pattern`, then `ByteLevel` with its
///   own regex off; a `BPE` model with merges in rank order; a `ByteLevel` decoder.
/// - word: `NFC` and `Lowercase`; `WhitespaceSplit`, then `Split` (isolated) on `WordPreTokenizer.pattern`;
///   a `WordLevel` model with `[UNK]`.
/// The special tokens are added tokens 0–3. minillm never reads them out of raw text, so for
/// parity on text that spells `[BOS]` set `tokenizer.encode_special_tokens = True` in Python.
extension Tokenizer {
    public func huggingFaceJSON() -> Data {
        var out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [\n"
        out += SpecialToken.allCases.map { special in
            "    {\"id\": \(special.id), \"content\": \(JSONText.quoted(special.text)), \"single_word\": false, "
                + "\"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}"
        }.joined(separator: ",\n")
        out += "\n  ],\n"
        let vocabulary = (0..<vocabularySize).map { id in "    \(JSONText.quoted(vocabularyEntry(TokenID(id)))): \(id)" }
            .joined(separator: ",\n")
        switch model {
        case .bpe:
            out += "  \"normalizer\": null,\n"
            out += "  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
                + JSONText.quoted(PreTokenizer.pattern) + "}, \"behavior\": \"Isolated\", \"invert\": false}, "
                + "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]},\n"
            out += "  \"post_processor\": null,\n"
            out += "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n"
            out += "  \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null, "
                + "\"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n"
            out += "  \"vocab\": {\n" + vocabulary + "\n  },\n  \"merges\": [\n"
            out += mergeEntries.map { a, b in "    [\(JSONText.quoted(a)), \(JSONText.quoted(b))]" }.joined(separator: ",\n")
            out += "\n  ]}\n}\n"
        case .word:
            out += "  \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"Lowercase\"}]},\n"
            out += "  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, "
                + "{\"type\": \"Split\", \"pattern\": {\"Regex\": " + JSONText.quoted(WordPreTokenizer.pattern)
                + "}, \"behavior\": \"Isolated\", \"invert\": false}]},\n"
            out += "  \"post_processor\": null,\n  \"decoder\": null,\n"
            out += "  \"model\": {\"type\": \"WordLevel\", \"unk_token\": \"[UNK]\",\n  \"vocab\": {\n" + vocabulary + "\n  }}\n}\n"
        }
        return Data(out.utf8)
    }

    /// Every token as the vocabulary spells it, in id order (what `tokenizer.json` and GGUF list).
    public var vocabularyEntries: [String] { (0..<vocabularySize).map { vocabularyEntry(TokenID($0)) } }

    /// The bpe merges in rank order, each pair as the vocabulary spells it; none for the word kind.
    public var mergeEntries: [(String, String)] {
        guard case .bpe(let bpe) = model else { return [] }
        return bpe.merges.map { (vocabularyEntry($0.0), vocabularyEntry($0.1)) }
    }

    /// A token as the vocabulary spells it: a special token's text, a word, or (bpe) its bytes
    /// through the GPT-2 byte-to-character mapping.
    func vocabularyEntry(_ id: TokenID) -> String {
        if let special = SpecialToken(rawValue: id) { return special.text }
        switch model {
        case .bpe(let bpe): return ByteLevel.encode(bpe.bytes(of: id))
        case .word(let word): return String(decoding: word.words[Int(id) - 4], as: UTF8.self)
        }
    }

    /// Reads a `tokenizer.json` written by `huggingFaceJSON()`; anything that would encode
    /// differently from minillm (another pre-tokenizer, another id layout) is refused.
    public init(huggingFaceJSON data: Data) throws {
        func fail(_ reason: String) -> TokenizerError { .invalidTokenizerFile(reason) }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = root["model"] as? [String: Any], let type = model["type"] as? String,
              let vocab = model["vocab"] as? [String: Int] else {
            throw fail("not a JSON object with a model, its type and its vocab")
        }
        var entries = [String?](repeating: nil, count: vocab.count)
        for (text, id) in vocab {
            guard id >= 0 && id < vocab.count, entries[id] == nil else { throw fail("vocab ids are not 0..<\(vocab.count) once each (id \(id))") }
            entries[id] = text
        }
        for special in SpecialToken.allCases where entries[Int(special.id)] != special.text {
            throw fail("id \(special.id) must be \(special.text)")
        }
        let pattern = Self.splitPattern(root["pre_tokenizer"])
        switch type {
        case "BPE":
            guard pattern == PreTokenizer.pattern else { throw fail("the pre-tokenizer is not minillm's byte-level Split") }
            var tokenBytes: [[UInt8]] = []
            for id in 4..<entries.count {
                guard let bytes = ByteLevel.decode(entries[id]!) else { throw fail("token \(id) is not byte-level text") }
                if id < BPEModel.firstMergedID && bytes != [UInt8(id - 4)] { throw fail("ids 4…259 must be the bytes 0…255 in order") }
                tokenBytes.append(bytes)
            }
            guard tokenBytes.count >= 256 else { throw fail("fewer than the 256 byte tokens") }
            let (merges, results) = try Self.readMerges(model["merges"], vocab: vocab, fail: fail)
            self.init(.bpe(BPEModel(tokenBytes: tokenBytes, merges: merges, mergeResults: results)))
        case "WordLevel":
            guard pattern == WordPreTokenizer.pattern else { throw fail("the pre-tokenizer is not minillm's word Split") }
            self.init(.word(WordModel(words: entries[4...].map { Array($0!.utf8) })))
        default:
            throw fail("model type \(type) is neither BPE nor WordLevel")
        }
    }

    private static func splitPattern(_ preTokenizer: Any?) -> String? {
        let steps = (preTokenizer as? [String: Any])?["pretokenizers"] as? [[String: Any]] ?? []
        let split = steps.first { $0["type"] as? String == "Split" }
        return (split?["pattern"] as? [String: Any])?["Regex"] as? String
    }

    private static func readMerges(_ raw: Any?, vocab: [String: Int], fail: (String) -> TokenizerError) throws
        -> ([(TokenID, TokenID)], [TokenID]) {
        guard let list = raw as? [Any] else { throw fail("model.merges is missing") }
        var merges: [(TokenID, TokenID)] = [], results: [TokenID] = []
        var seen = Set<UInt64>()
        for (rank, item) in list.enumerated() {
            let parts = (item as? [String]) ?? (item as? String)?.split(separator: " ").map(String.init) ?? []
            guard parts.count == 2, let a = vocab[parts[0]], let b = vocab[parts[1]], let c = vocab[parts[0] + parts[1]] else {
                throw fail("merge \(rank) is not two vocabulary tokens whose concatenation is one")
            }
            guard seen.insert(PairMap.key(TokenID(a), TokenID(b))).inserted else { throw fail("merge \(rank) repeats an earlier one") }
            merges.append((TokenID(a), TokenID(b)))
            results.append(TokenID(c))
        }
        return (merges, results)
    }

}
