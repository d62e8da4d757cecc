import Foundation

#if _endian(big)
#error("GGUFFile assumes a little-endian host")
#endif

/// A metadata value of GGUF (ggml's docs/gguf.md), with its type code.
public enum GGUFValue: Sendable, Equatable {
    case uint32(UInt32), float32(Float), bool(Bool), string(String)
    case strings([String]), int32s([Int32])

    var typeCode: UInt32 {
        switch self {
        case .uint32: 4
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .strings, .int32s: 9
        }
    }
}

/// GGUF version 3, little-endian: "GGUF", version, tensor count, metadata count; the metadata
/// (key, type, value); the tensor infos (name, dimensions innermost first, type, offset in the
/// data section); then the data section, each tensor starting at a multiple of `alignment`.
/// Only F32 tensors (type 0): minillm's models are small enough not to need quantising.
public enum GGUFFile {
    public static let alignment = 32

    public static func encode(metadata: [(String, GGUFValue)], tensors: [ExportTensor]) -> Data {
        var out = Data()
        out.append(contentsOf: Array("GGUF".utf8))
        append(UInt32(3), to: &out)
        append(UInt64(tensors.count), to: &out)
        append(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            appendString(key, to: &out)
            append(value.typeCode, to: &out)
            appendValue(value, to: &out)
        }
        var offset = 0
        for tensor in tensors {
            appendString(tensor.name, to: &out)
            append(UInt32(tensor.shape.count), to: &out)
            for dimension in tensor.shape.reversed() { append(UInt64(dimension), to: &out) }
            append(UInt32(0), to: &out)
            append(UInt64(offset), to: &out)
            offset += padded(4 * tensor.values.count)
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: padded(out.count) - out.count))
        for tensor in tensors {
            tensor.values.withUnsafeBytes { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8](repeating: 0, count: padded(4 * tensor.values.count) - 4 * tensor.values.count))
        }
        return out
    }

    static func padded(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendString(_ text: String, to out: inout Data) {
        append(UInt64(text.utf8.count), to: &out)
        out.append(contentsOf: Array(text.utf8))
    }

    static func appendValue(_ value: GGUFValue, to out: inout Data) {
        func array(_ type: UInt32, _ count: Int) {
            append(type, to: &out)
            append(UInt64(count), to: &out)
        }
        switch value {
        case .uint32(let v): append(v, to: &out)
        case .float32(let v): append(v.bitPattern, to: &out)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): appendString(v, to: &out)
        case .strings(let v):
            array(8, v.count)
            for text in v { appendString(text, to: &out) }
        case .int32s(let v):
            array(5, v.count)
            for x in v { append(x, to: &out) }
        }
    }
}
