/// GPT-2's reversible byte-to-character mapping, which byte-level vocabularies are written in:
/// printable Latin-1 bytes stand for themselves, the other 68 bytes (controls, space, soft
/// hyphen…) take the characters from U+0100 upward in byte order. So the space byte is `Ġ`.
enum ByteLevel {
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar]()
        var next: UInt32 = 256
        for byte in UInt32(0)..<256 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                table.append(Unicode.Scalar(byte)!)
            } else {
                table.append(Unicode.Scalar(next)!)
                next += 1
            }
        }
        return table
    }()

    private static let byteOf: [UInt32: UInt8] = Dictionary(
        uniqueKeysWithValues: scalars.enumerated().map { ($1.value, UInt8($0)) })

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var view = String.UnicodeScalarView()
        for byte in bytes { view.append(scalars[Int(byte)]) }
        return String(view)
    }

    /// Nil when the text has a character outside the mapping.
    static func decode(_ text: String) -> [UInt8]? {
        var out = [UInt8]()
        for scalar in text.unicodeScalars {
            guard let byte = byteOf[scalar.value] else { return nil }
            out.append(byte)
        }
        return out
    }
}
