/// The words of a clean text as 64-bit hashes (FNV-1a of the lowercased UTF-8), computed once
/// and shared by the language check and the near-duplicate signature. A word is a run of ASCII
/// letters and non-ASCII letters (any multi-byte sequence but Latin-1 punctuation such as ¿ ¡ « »).
enum WordHashes {
    static func of(_ text: String) -> [UInt64] {
        var hashes: [UInt64] = []
        hashes.reserveCapacity(text.utf8.count / 6)
        var text = text
        text.withUTF8 { bytes in
            var hash: UInt64 = offset
            var inWord = false
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    let lower = b | 0x20
                    if lower >= 97 && lower <= 122 {
                        hash = (hash ^ UInt64(lower)) &* prime
                        inWord = true
                    } else if inWord {
                        hashes.append(hash)
                        hash = offset
                        inWord = false
                    }
                    i += 1
                    continue
                }
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                if b == 0xC2 || i + length > n {
                    if inWord { hashes.append(hash); hash = offset; inWord = false }
                    i += length
                    continue
                }
                for k in 0..<length {
                    var c = bytes[i + k]
                    // Latin-1 capitals (À–Þ but ×) to lowercase: C3 80–9E → C3 A0–BE.
                    if k == 1 && b == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97 { c += 0x20 }
                    hash = (hash ^ UInt64(c)) &* prime
                }
                inWord = true
                i += length
            }
            if inWord { hashes.append(hash) }
        }
        return hashes
    }

    static let offset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x100_0000_01B3

    static func hash(_ word: String) -> UInt64 { of(word).first ?? offset }
}
