/// The few templates whose output is part of the sentence around them. Every other template
/// (infoboxes, citations, navigation, maintenance, parser functions, magic words) is dropped.
enum InlineTemplates {
    /// Separators recorded per template; enough for every template kept here.
    static let maxArguments = 8

    /// Positional arguments (1-based) joined by a space; a name ending in `-` matches a prefix.
    static let kept: [String: [Int]] = [
        "lang": [2], "lang-": [1], "small": [1], "smaller": [1], "nowrap": [1], "no wrap": [1], "nobr": [1],
        "versalita": [1], "versalitas": [1], "sc": [1], "smallcaps": [1], "nihongo": [1], "cita": [1],
        "unidad": [1, 2], "convertir": [1, 2], "convert": [1, 2], "abreviatura": [1], "abbr": [1],
    ]

    /// The text a kept template stands for, from its rendered name and arguments in `out`
    /// (`separators` are the output offsets of its top-level `|`); nil to drop it.
    static func keep(_ out: [UInt8], start: Int, separators: [Int]) -> [UInt8]? {
        let nameEnd = separators.first ?? out.count
        let name = normalizedName(out[start..<nameEnd])
        let bounds = separators + [out.count]
        let arguments: [ArraySlice<UInt8>] = (0..<separators.count).map { out[bounds[$0]..<bounds[$0 + 1]] }
        let positional = arguments.filter { !$0.contains(UInt8(ascii: "=")) }.map(trim)
        func argument(_ k: Int) -> ArraySlice<UInt8>? { k <= positional.count ? positional[k - 1] : nil }

        if name == "siglo" {
            // {{siglo|XIX||s}} → "siglo XIX"; {{siglo|III|a. C.}} → "III a. C."
            guard let century = argument(1), !century.isEmpty else { return nil }
            var text = argument(3).map { $0.elementsEqual("s".utf8) } == true ? Array("siglo ".utf8) : []
            text += century
            if let era = argument(2), !era.isEmpty { text += [0x20] + era }
            return text
        }
        let picks = kept[name] ?? (name.hasPrefix("lang-") ? kept["lang-"] : nil)
        guard let picks else { return nil }
        let parts = picks.compactMap(argument).filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        return Array(parts.joined(separator: [0x20]))
    }

    /// Lowercase ASCII, `_` as space, surrounding space trimmed.
    static func normalizedName(_ bytes: ArraySlice<UInt8>) -> String {
        let mapped = trim(bytes).map { b -> UInt8 in
            if b == UInt8(ascii: "_") { return 0x20 }
            return b >= 65 && b <= 90 ? b | 0x20 : b
        }
        return String(decoding: mapped, as: UTF8.self)
    }

    static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first <= 0x20 { slice = slice.dropFirst() }
        while let last = slice.last, last <= 0x20 { slice = slice.dropLast() }
        return slice
    }
}
