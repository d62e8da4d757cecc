/// Minimal JSON for the corpus formats: escaping strings for writing, and a parser for flat
/// objects (string, number, bool and null values) that reads one JSON Lines record. Nested values
/// are refused: the corpus records never contain them, and refusing keeps the parser small and linear.
public enum JSONText {
    /// `"…"` with the escapes JSON requires; non-ASCII stays raw UTF-8. The one JSON string
    /// quoting of minillm: corpus records, canonical parameters, safetensors headers, tokenizer files.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `"…"` with the escapes JSON requires; non-ASCII stays raw UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                switch b {
                case UInt8(ascii: "\""): out += [92, 34]
                case UInt8(ascii: "\\"): out += [92, 92]
                case 0x0A: out += [92, UInt8(ascii: "n")]
                case 0x0D: out += [92, UInt8(ascii: "r")]
                case 0x09: out += [92, UInt8(ascii: "t")]
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func appendOptionalInt(_ value: Int?, to out: inout [UInt8]) {
        if let value { out += Array(String(value).utf8) } else { out += Array("null".utf8) }
    }

    public static func appendOptionalString(_ value: String?, to out: inout [UInt8]) {
        if let value { appendString(value, to: &out) } else { out += Array("null".utf8) }
    }

    /// Parses one flat JSON object. Throws `JSONProblem` with the byte offset of the fault.
    public static func parseFlatObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONProblem) -> [String: JSONScalar] {
        var parser = FlatParser(bytes: bytes)
        return try parser.object()
    }

    public static func parseFlatObject(_ bytes: [UInt8]) throws(JSONProblem) -> [String: JSONScalar] {
        try bytes.withUnsafeBufferPointer { (p) throws(JSONProblem) in try parseFlatObject(p) }
    }
}

public enum JSONScalar: Equatable, Sendable {
    case string(String), number(Double), int(Int), bool(Bool), null

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? {
        switch self {
        case .int(let v): v
        case .number(let v): Int(exactly: v)
        default: nil
        }
    }
}

public struct JSONProblem: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

private struct FlatParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func fail(_ reason: String) -> JSONProblem { JSONProblem(offset: i, reason: reason) }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    mutating func expect(_ c: Character) throws(JSONProblem) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c.asciiValue! else { throw fail("expected '\(c)'") }
        i += 1
    }

    mutating func object() throws(JSONProblem) -> [String: JSONScalar] {
        try expect("{")
        var result: [String: JSONScalar] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return try end(result) }
        while true {
            skipSpace()
            let key = try string()
            try expect(":")
            skipSpace()
            result[key] = try value(key)
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return try end(result) }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func end(_ result: [String: JSONScalar]) throws(JSONProblem) -> [String: JSONScalar] {
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected bytes after the object") }
        return result
    }

    mutating func value(_ key: String) throws(JSONProblem) -> JSONScalar {
        guard i < bytes.count else { throw fail("missing value for \"\(key)\"") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw fail("nested value for \"\(key)\" (only flat records are read)")
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws(JSONProblem) {
        for c in word.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw fail("invalid literal") }
            i += 1
        }
    }

    mutating func number() throws(JSONProblem) -> JSONScalar {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if let v = Int(text) { return .int(v) }
        if let v = Double(text), !text.isEmpty { return .number(v) }
        i = start
        throw fail("invalid value")
    }

    mutating func string() throws(JSONProblem) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        var out = [UInt8]()
        var start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw fail("control character in a string") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                i += 1
                try escape(into: &out)
                start = i
                continue
            }
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func escape(into out: inout [UInt8]) throws(JSONProblem) {
        guard i < bytes.count else { throw fail("unterminated escape") }
        let c = bytes[i]
        i += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count,
               bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                let save = i
                i += 2
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    i = save
                }
            }
            out.append(contentsOf: Unicode.Scalar(scalar).map { Array(String($0).utf8) } ?? [0xEF, 0xBF, 0xBD])
        default: throw fail("invalid escape")
        }
    }

    mutating func hex4() throws(JSONProblem) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 97...102: d = UInt32(b - 87)
            case 65...70: d = UInt32(b - 55)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
