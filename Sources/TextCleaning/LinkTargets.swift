/// How `[[target|label]]` reads: files, categories and interlanguage links are dropped, other
/// links show their label (or their target).
enum LinkTargets {
    static let dropped: Set<String> = [
        "archivo", "imagen", "file", "image", "media", "medio", "categoría", "categoria", "category",
    ]
    /// Interwiki prefixes that look like language codes but link to sister projects.
    static let interwiki: Set<String> = ["voy", "mw", "wp"]

    /// The namespace-like prefix before the first `:`, lowercased, if the target has one.
    static func prefix(_ target: ArraySlice<UInt8>) -> String? {
        guard let colon = target.firstIndex(of: UInt8(ascii: ":")), colon - target.startIndex <= 24 else { return nil }
        return String(decoding: InlineTemplates.trim(target[target.startIndex..<colon]), as: UTF8.self).lowercased()
    }

    static func keepsLabel(_ target: [UInt8]) -> Bool {
        let trimmed = InlineTemplates.trim(target[...])
        if trimmed.first == UInt8(ascii: ":") { return true }
        guard let prefix = prefix(trimmed) else { return true }
        if dropped.contains(prefix) { return false }
        return !isLanguageCode(prefix) || interwiki.contains(prefix)
    }

    /// `en`, `pt`, `zh-min-nan`, `be-x-old`, `simple`: two or three letters, then optional `-part`s.
    static func isLanguageCode(_ prefix: String) -> Bool {
        if prefix == "simple" { return true }
        let parts = prefix.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.utf8.count) else { return false }
        return parts.allSatisfy { part in
            (1...8).contains(part.utf8.count) && part.utf8.allSatisfy { $0 >= 97 && $0 <= 122 }
        }
    }

    /// A link without a label shows its target, without a leading `:`.
    static func display(_ target: [UInt8]) -> [UInt8] {
        var text = InlineTemplates.trim(target[...])
        if text.first == UInt8(ascii: ":") { text = InlineTemplates.trim(text.dropFirst()) }
        return Array(text)
    }

    /// `[[Madrid (España)|]]` shows "Madrid": the pipe trick drops the namespace and any
    /// parenthesised or comma-separated qualifier.
    static func pipeTrick(_ target: [UInt8]) -> [UInt8] {
        var text = display(target)[...]
        if let colon = text.firstIndex(of: UInt8(ascii: ":")) { text = text[(colon + 1)...] }
        if let paren = text.firstIndex(of: UInt8(ascii: "(")) { text = text[..<paren] }
        else if let comma = text.firstIndex(of: UInt8(ascii: ",")) { text = text[..<comma] }
        return Array(InlineTemplates.trim(text))
    }
}

/// External link syntax: `[URL label]`; the URL is never text.
enum ExternalLinks {
    static let schemes: [[UInt8]] = ["http://", "https://", "ftp://", "ftps://", "sftp://", "//", "mailto:", "news:",
                                     "irc://", "ircs://", "git://", "svn://", "telnet://", "gopher://"].map { Array($0.utf8) }

    /// The index just after a URL starting at `from`, or `from` if none starts there.
    static func urlEnd(_ s: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard schemes.contains(where: { scheme in
            from + scheme.count <= s.count && scheme.indices.allSatisfy { s[from + $0] | (scheme[$0] >= 97 ? 0x20 : 0) == scheme[$0] }
        }) else { return from }
        var j = from
        while j < s.count {
            let b = s[j]
            if b <= 0x20 || b == UInt8(ascii: "]") || b == UInt8(ascii: "[") || b == UInt8(ascii: "<")
                || b == UInt8(ascii: "\"") { break }
            j += 1
        }
        return j
    }
}
