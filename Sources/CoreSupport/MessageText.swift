/// Text from the user quoted in a message: bounded, so that a 50 MB value in a pipeline file
/// gives a one-line error, not a 50 MB one.
public enum MessageText {
    public static let quoteLimit = 200

    /// At most `limit` characters of `text`, then how many were left out.
    public static func bounded(_ text: String, limit: Int = quoteLimit) -> String {
        guard text.utf8.count > limit else { return text }
        let kept = text.prefix(limit)
        let cut = text.count - kept.count
        return cut == 0 ? text : "\(kept)… (\(cut) more characters)"
    }

    /// A `DecodingError` in words ("no key \"parts\"", "not valid JSON"), not Swift's dump of it;
    /// any other error as it describes itself.
    public static func describe(decoding error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "" : " at " + context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value\(at(context))"
        case .keyNotFound(let key, let context): return "no key \"\(key.stringValue)\"\(at(context))"
        case .typeMismatch(let type, let context): return "expected \(type)\(at(context))"
        case .valueNotFound(let type, let context): return "null where \(type) was expected\(at(context))"
        @unknown default: return "\(error)"
        }
    }

    /// Closest of `candidates` to `text` (at most two edits, case ignored), for "did you mean".
    public static func suggestion(for text: String, among candidates: [String]) -> String? {
        let word = Array(text.lowercased().prefix(64))
        return candidates.map { ($0, editDistance(word, Array($0.lowercased()))) }
            .filter { $0.1 <= 2 && $0.1 < max(word.count, 1) }.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
