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

    /// Word hash → bit 0 for Spanish, bit k for `others[k - 1]`.
    static let table: [UInt64: UInt8] = {
        var table: [UInt64: UInt8] = [:]
        for word in spanish { table[WordHashes.hash(word), default: 0] |= 1 }
        for (k, set) in others.enumerated() {
            for word in set { table[WordHashes.hash(word), default: 0] |= UInt8(1 << (k + 1)) }
        }
        return table
    }()

    /// Words looked at; enough to tell languages apart, and it bounds the work per article.
    static let sampleWords = 3000

    /// The Spanish share of the words, and whether Spanish beats every other language checked.
    public static func score(_ text: String) -> (ratio: Double, leads: Bool) {
        score(words: WordHashes.of(text))
    }

    static func score(words: [UInt64]) -> (ratio: Double, leads: Bool) {
        let sample = words.prefix(sampleWords)
        guard !sample.isEmpty else { return (0, false) }
        var hits = [Int](repeating: 0, count: others.count + 1)
        for word in sample {
            guard let mask = table[word] else { continue }
            for k in 0..<hits.count where mask & (1 << k) != 0 { hits[k] += 1 }
        }
        return (Double(hits[0]) / Double(sample.count), hits.dropFirst().allSatisfy { $0 <= hits[0] })
    }
}
