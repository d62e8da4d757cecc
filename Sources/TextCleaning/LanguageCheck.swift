/// A cheap language check by function words: the share of a text's words that are common
/// Spanish words, against the same share for the languages most often mixed into Spanish
/// Wikipedia (English, Portuguese, Catalan, Italian, French, German).
public enum LanguageCheck {
    static let spanish = words("""
        de la que el en y a los se del las un por con no una su para es al lo como más o pero sus le ha me si sin
        sobre este ya entre cuando todo esta ser son dos también fue había era muy años hasta desde está mi porque
        qué sólo solo han yo hay vez puede todos así nos ni parte tiene él uno donde bien tiempo mismo ese ahora
        cada e vida otro después te otros aunque esa eso hace otra tan durante siempre día tanto ella tres sí sido
        gran según menos año fueron ciudad primer estos cual desde dicho
        """)
    static let others: [Set<String>] = [
        words("""
            the of and to in is was for on that with as by at from his it an are were which be this has had or its
            also their not but first one new after who they have her she he
            """),
        words("""
            não do da em os um uma com para é ao dos das no na pelo pela foi são mais como seu sua também ou ele ela
            entre até ser tem muito já depois onde quando
            """),
        words("els les amb per al una és va del dels als més però també seu seva aquest aquesta són han fou entre com ha tot any anys ser"),
        words("il di che è la per un una con non del della dei delle nel nella sono anche più alla gli questo ha stato come al lo fu era tra"),
        words("le la les des et est une dans du pour sur au qui par pas avec plus ne sont ce il elle ont été aux cette son sa ses"),
        words("der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei"),
    ]

    static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// Words looked at; enough to tell languages apart, and it bounds the work per article.
    static let sampleWords = 3000

    /// The Spanish share, and whether Spanish beats every other language checked.
    public static func score(_ text: String) -> (ratio: Double, leads: Bool) {
        var total = 0
        var hits = 0
        var otherHits = [Int](repeating: 0, count: others.count)
        forEachWord(text, limit: sampleWords) { word in
            total += 1
            if spanish.contains(word) { hits += 1 }
            for (k, set) in others.enumerated() where set.contains(word) { otherHits[k] += 1 }
        }
        guard total > 0 else { return (0, false) }
        return (Double(hits) / Double(total), otherHits.allSatisfy { $0 <= hits })
    }

    /// Lowercased words: runs of letters (ASCII, or any non-punctuation UTF-8 sequence).
    static func forEachWord(_ text: String, limit: Int, _ body: (String) -> Void) {
        var count = 0
        var word = [UInt8]()
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            func finish() {
                if !word.isEmpty { body(String(decoding: word, as: UTF8.self).lowercased()); count += 1 }
                word.removeAll(keepingCapacity: true)
            }
            while i < bytes.count && count < limit {
                let b = bytes[i]
                if (b | 0x20) >= 97 && (b | 0x20) <= 122 {
                    word.append(b)
                    i += 1
                } else if b >= 0xC3 {
                    let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                    word += bytes[i..<min(bytes.count, i + length)]
                    i += length
                } else {
                    finish()
                    i += b == 0xC2 ? 2 : 1
                }
            }
            if count < limit { finish() }
        }
    }
}
