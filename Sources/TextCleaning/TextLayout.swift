import CorpusFormat
import Foundation

/// The line-level half of cleaning, shared by both formats: headings become lines of their
/// own, trailing reference sections (`Referencias`, `Notas`, `Bibliografía`, `Enlaces
/// externos`, `Véase también` and their variants) are dropped with their subsections, every
/// line is normalised, and empty or symbol-only lines go. Wikitext also loses list markers and
/// table residue, and its consecutive lines join into paragraphs as MediaWiki renders them.
/// Scraped plain text loses citation markers and the infobox residue lines before its first
/// sentence. Output: one paragraph or heading a line.
enum TextLayout {
    static let trailingSections: Set<String> = [
        "referencias", "notas", "bibliografia", "enlaces externos", "vease tambien", "notas y referencias",
        "referencias y notas", "fuentes", "bibliografia adicional", "otras lecturas", "lecturas adicionales",
        "vinculos externos", "enlaces", "ver tambien", "notas al pie", "citas", "referencias bibliograficas",
        "fuentes y referencias", "notas y bibliografia", "enlaces relacionados", "articulos relacionados",
        "bibliografia y enlaces externos", "referencias y enlaces externos", "notas y citas", "lectura adicional",
        "referencias externas", "webs externas", "sitios externos", "enlaces de interes",
    ]

    /// Scraped lines before the first sentence that are shorter than this and do not end like a
    /// sentence are infobox residue.
    static let residueMaxChars = 100

    static func arrange(_ text: ArraySlice<UInt8>, format: RawArticle.Format) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.count)
        var paragraph = [UInt8]()
        var skipBelow: Int? = nil
        var seenProse = false
        // Headings wait for content: one whose section is empty (a dropped table) never shows.
        var pendingHeadings: [(level: Int, title: [UInt8])] = []

        func emit(_ line: [UInt8]) {
            for heading in pendingHeadings {
                if !out.isEmpty { out.append(0x0A) }
                out += heading.title
            }
            pendingHeadings.removeAll()
            if !out.isEmpty { out.append(0x0A) }
            out += line
        }
        func flush() {
            if !paragraph.isEmpty { emit(paragraph) }
            paragraph.removeAll(keepingCapacity: true)
        }

        var start = text.startIndex
        while start < text.endIndex {
            let end = text[start...].firstIndex(of: 0x0A) ?? text.endIndex
            let raw = text[start..<end]
            start = end + 1
            let unmarked = format == .plain ? InlineMarks.removeCitationMarkers(raw) : Array(raw)
            var line = LineNormalizer.normalize(InlineMarks.removeURLs(unmarked)[...])
            if let (level, title) = heading(line) {
                flush()
                seenProse = true
                if trailingSections.contains(foldedTitle(title)) {
                    skipBelow = min(skipBelow ?? level, level)
                    continue
                }
                if let skip = skipBelow {
                    if level <= skip { skipBelow = nil } else { continue }
                }
                pendingHeadings.removeAll { $0.level >= level }
                if title.contains(where: isAlphanumeric) { pendingHeadings.append((level, title)) }
                continue
            }
            if skipBelow != nil { continue }
            if line.isEmpty { flush(); continue }
            var listItem = false
            if format == .wikitext {
                if let first = line.first, first == UInt8(ascii: "|") || first == UInt8(ascii: "!") { continue }
                let markers = line.prefix { "*#:;".utf8.contains($0) }.count
                if markers > 0 {
                    listItem = true
                    line = Array(line.dropFirst(markers).drop { $0 == 0x20 })
                }
            }
            guard line.contains(where: isAlphanumeric) else { continue }
            if format == .plain {
                if !seenProse && isResidue(line) { continue }
                seenProse = true
                emit(line)
            } else if listItem {
                flush()
                emit(line)
            } else {
                if !paragraph.isEmpty { paragraph.append(0x20) }
                paragraph += line
            }
        }
        flush()
        return out
    }

    /// `== Título ==` → (2, "Título").
    static func heading(_ line: [UInt8]) -> (Int, [UInt8])? {
        guard line.count >= 3, line.first == UInt8(ascii: "="), line.last == UInt8(ascii: "=") else { return nil }
        let lead = line.prefix { $0 == UInt8(ascii: "=") }.count
        let trail = line.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard lead < line.count else { return nil }
        let level = min(lead, trail, 6)
        let inner = line[level..<(line.count - level)]
        return (level, Array(InlineTemplates.trim(inner)))
    }

    /// Lowercase, without accents or a final colon, for matching section names.
    static func foldedTitle(_ title: [UInt8]) -> String {
        var text = String(decoding: title, as: UTF8.self).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        while text.hasSuffix(":") || text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    static func isResidue(_ line: [UInt8]) -> Bool {
        let chars = line.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        guard chars < residueMaxChars else { return false }
        let end = line.reversed().drop { "\"')]".utf8.contains($0) }.first
        return end.map { !".!?".utf8.contains($0) } ?? true
    }

    @inline(__always)
    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || ((b | 0x20) >= 97 && (b | 0x20) <= 122) || b >= 0xC3
    }
}
