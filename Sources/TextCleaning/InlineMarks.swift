import Foundation

/// Removals inside a line that both formats share (bare URLs) or that scraped text needs
/// (citation markers such as `[1]`, `[nota 2]`, `[cita requerida]`).
enum InlineMarks {
    /// Words standing for URLs: `http://…`, `https://…`, `www.…`, up to the next space.
    static func removeURLs(_ line: [UInt8]) -> [UInt8] {
        guard line.contains(UInt8(ascii: "/")) || line.contains(UInt8(ascii: "w")) else { return line }
        var out = [UInt8]()
        out.reserveCapacity(line.count)
        var i = 0
        while i < line.count {
            let wordStart = i == 0 || line[i - 1] == 0x20 || line[i - 1] == UInt8(ascii: "(")
            if wordStart && (starts(line, i, "http://") || starts(line, i, "https://") || starts(line, i, "www.")) {
                while i < line.count && line[i] != 0x20 { i += 1 }
                continue
            }
            out.append(line[i])
            i += 1
        }
        return out
    }

    static func starts(_ line: [UInt8], _ i: Int, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard i + bytes.count <= line.count else { return false }
        for k in 0..<bytes.count where line[i + k] | (bytes[k] >= 97 ? 0x20 : 0) != bytes[k] { return false }
        return true
    }

    static let markerWords: Set<String> = [
        "cita requerida", "sin referencias", "fuente cuestionable", "actualizar", "aclaración requerida",
        "verificación requerida", "página requerida", "enlace roto", "dudoso", "cita necesaria", "no en la cita",
        "sin fuentes", "fuente no fiable", "se necesita cita",
    ]

    /// Drops `[…]` citation and maintenance markers of scraped articles, and the zero-width
    /// space that follows them.
    static func removeCitationMarkers(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(line.count)
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == UInt8(ascii: "["), let end = markerEnd(line, i) {
                i = end
                if i + 2 < line.endIndex, line[i] == 0xE2, line[i + 1] == 0x80, line[i + 2] == 0x8B { i += 3 }
                continue
            }
            out.append(line[i])
            i += 1
        }
        return out
    }

    private static func markerEnd(_ line: ArraySlice<UInt8>, _ open: Int) -> Int? {
        var j = open + 1
        while j < line.endIndex, j - open <= 40, line[j] != UInt8(ascii: "]"), line[j] != UInt8(ascii: "[") { j += 1 }
        guard j < line.endIndex, line[j] == UInt8(ascii: "]"), j > open + 1 else { return nil }
        let content = String(decoding: line[(open + 1)..<j], as: UTF8.self)
            .replacingOccurrences(of: "\u{A0}", with: " ").lowercased()
        return isMarker(content) ? j + 1 : nil
    }

    static func isMarker(_ content: String) -> Bool {
        if content.allSatisfy(\.isASCII) && content.allSatisfy(\.isNumber) { return true }
        if content.count == 1, let c = content.first, c.isLetter, c.isLowercase { return true }
        for prefix in ["nota ", "n. ", "n ", "nb ", "nt "] where content.hasPrefix(prefix) {
            if content.dropFirst(prefix.count).allSatisfy({ $0.isNumber || $0.isLetter }) { return true }
        }
        if content.hasPrefix("¿") && content.hasSuffix("?") && content.count <= 20 { return true }
        return markerWords.contains(content)
    }
}
