/// BLEU of continuations: the prompt is the opening words of a held-out article, the reference
/// its true next words, the hypothesis what the model writes after the prompt.
public struct ContinuationTask: Codable, Sendable, Equatable {
    public var prompt: String
    public var reference: String

    /// One task per article with at least `promptWords + referenceWords` words, in article
    /// order, at most `limit`. Words are runs of non-whitespace, re-joined by single spaces.
    public static func make(articles: [String], promptWords: Int, referenceWords: Int, limit: Int) -> [ContinuationTask] {
        precondition(promptWords > 0 && referenceWords > 0, "prompt and reference need at least one word each")
        var tasks: [ContinuationTask] = []
        for article in articles where tasks.count < limit {
            let words = article.split(whereSeparator: \.isWhitespace)
            guard words.count >= promptWords + referenceWords else { continue }
            tasks.append(ContinuationTask(
                prompt: words[..<promptWords].joined(separator: " "),
                reference: words[promptWords..<(promptWords + referenceWords)].joined(separator: " ")))
        }
        return tasks
    }

    /// The first `referenceWords` words of a generated continuation, so hypothesis and reference
    /// have comparable lengths and the brevity penalty measures only early stops.
    public static func trim(_ continuation: String, toWords n: Int) -> String {
        continuation.split(whereSeparator: \.isWhitespace).prefix(n).joined(separator: " ")
    }
}
