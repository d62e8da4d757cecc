/// The character classes both pre-tokenisers are defined over. They mirror the regex classes
/// `[\p{L}\p{M}]`, `\p{N}`, `\s` (Unicode White_Space) and everything else, with the Spanish
/// opening marks `¿ ¡` kept apart because they may lead a word.
enum ScalarClass: UInt8 {
    case letter, number, space, opening, other

    static func compute(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        if value == 0xBF || value == 0xA1 { return .opening }
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

/// The class of every Basic Multilingual Plane scalar, in a table built once. Make one per
/// call of a scanning loop: each read of a lazily initialised global costs a `swift_once` check.
struct ScalarClasses {
    // Written once by its initialiser, only read afterwards.
    nonisolated(unsafe) private static let bmp: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for value in 0..<0x10000 { table[value] = ScalarClass.compute(UInt32(value)).rawValue }
        return UnsafePointer(table)
    }()

    private let table = ScalarClasses.bmp

    @inline(__always)
    func of(_ value: UInt32) -> ScalarClass {
        value < 0x10000 ? ScalarClass(rawValue: table[Int(value)])! : ScalarClass.compute(value)
    }
}

/// Decoding of text already known to be valid UTF-8 (a Swift `String`'s bytes).
enum UTF8Scan {
    /// The scalar starting at `i` and its length in bytes.
    @inline(__always)
    static func scalar(_ p: UnsafePointer<UInt8>, _ i: Int) -> (value: UInt32, length: Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                | UInt32(p[i + 3] & 0x3F), 4)
    }

    /// The byte offset of the first malformed sequence, or nil when all of `bytes` is valid UTF-8.
    static func firstInvalidOffset(_ bytes: some Collection<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
