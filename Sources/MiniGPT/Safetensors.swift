import CoreSupport
import Foundation

#if _endian(big)
#error("Safetensors assumes a little-endian host")
#endif

/// The Hugging Face safetensors format: an 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}} padded
/// with spaces to 8 bytes, then the raw little-endian tensor bytes.
public struct Safetensors {
    public enum DType: String, Sendable { case f32 = "F32", f64 = "F64", i32 = "I32"
        var size: Int { self == .f64 ? 8 : 4 }
    }

    public struct Entry: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte range within the data section.
        public let range: Range<Int>
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public init(path: String) throws(MiniGPTError) {
        self.path = path
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        func fail(_ reason: String) -> MiniGPTError { .safetensors(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("\(data.count) bytes is shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let start = 8 + Int(headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<start)) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                guard let values = value as? [String: String] else { throw fail("__metadata__ is not a string map") }
                metadata = values
                continue
            }
            guard let fields = value as? [String: Any], let dtypeName = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("tensor '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor '\(name)' has unsupported dtype \(dtypeName)") }
            let range = offsets[0]..<max(offsets[0], offsets[1])
            guard offsets[0] >= 0, offsets[1] >= offsets[0], start + offsets[1] <= data.count,
                  range.count == shape.reduce(1, *) * dtype.size
            else { throw fail("tensor '\(name)' has data_offsets \(offsets) inconsistent with shape \(shape) or the file size") }
            entries[name] = Entry(dtype: dtype, shape: shape, range: range)
        }
        self.data = data
        self.entries = entries
        self.metadata = metadata
        dataStart = start
    }

    /// Copies tensor `name` (F32, of `shape` when given) into `destination`.
    public func copyFloats(_ name: String, shape: [Int]? = nil, into destination: UnsafeMutablePointer<Float>) throws(MiniGPTError) {
        let entry = try entry(name, dtype: .f32, shape: shape)
        data.withUnsafeBytes { raw in
            let source = raw.baseAddress! + dataStart + entry.range.lowerBound
            for i in 0..<entry.range.count / 4 {
                destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
    }

    public func floats(_ name: String) throws(MiniGPTError) -> [Float] {
        let count = try entry(name, dtype: .f32, shape: nil).shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { (buffer) throws(MiniGPTError) in try copyFloats(name, into: buffer.baseAddress!) }
        return values
    }

    public func doubles(_ name: String) throws(MiniGPTError) -> [Double] {
        let entry = try entry(name, dtype: .f64, shape: nil)
        return data.withUnsafeBytes { raw in
            (0..<entry.range.count / 8).map { i in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + entry.range.lowerBound + 8 * i, as: UInt64.self)))
            }
        }
    }

    public func int32s(_ name: String) throws(MiniGPTError) -> [Int32] {
        let entry = try entry(name, dtype: .i32, shape: nil)
        return data.withUnsafeBytes { raw in
            (0..<entry.range.count / 4).map { i in
                Int32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + entry.range.lowerBound + 4 * i, as: Int32.self))
            }
        }
    }

    public func entry(_ name: String, dtype: DType, shape: [Int]?) throws(MiniGPTError) -> Entry {
        guard let entry = entries[name] else { throw .missingTensor(name: name, path: path) }
        guard entry.dtype == dtype else {
            throw .safetensors(path: path, reason: "tensor '\(name)' is \(entry.dtype.rawValue), expected \(dtype.rawValue)")
        }
        if let shape, shape != entry.shape { throw .shapeMismatch(name: name, expected: shape, found: entry.shape, path: path) }
        return entry
    }

    /// A tensor to write: raw little-endian bytes of `dtype` elements.
    public struct TensorBytes {
        public let name: String, shape: [Int], dtype: DType, bytes: UnsafeRawBufferPointer
        public init(name: String, shape: [Int], dtype: DType, bytes: UnsafeRawBufferPointer) {
            (self.name, self.shape, self.dtype, self.bytes) = (name, shape, dtype, bytes)
        }
    }

    /// The bytes of a file of F32 tensors in the given order; see `encode(entries:metadata:)`.
    public static func encode(
        tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)], metadata: [String: String] = [:]
    ) -> Data {
        encode(entries: tensors.map { .init(name: $0.name, shape: $0.shape, dtype: .f32, bytes: .init($0.values)) },
               metadata: metadata)
    }

    /// The bytes of a file of tensors in the given order; header keys are sorted so equal inputs
    /// give equal bytes.
    public static func encode(entries: [TensorBytes], metadata: [String: String] = [:]) -> Data {
        var header: [String] = []
        var offset = 0
        var offsets: [String: (Int, Int)] = [:]
        for t in entries {
            precondition(t.bytes.count == t.shape.reduce(1, *) * t.dtype.size,
                         "Safetensors.encode: '\(t.name)' byte count does not match its shape")
            offsets[t.name] = (offset, offset + t.bytes.count)
            offset += t.bytes.count
        }
        for t in entries.sorted(by: { $0.name < $1.name }) {
            let (begin, end) = offsets[t.name]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            header.append("\(JSONText.quoted(t.name)):{\"data_offsets\":[\(begin),\(end)],\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)]}")
        }
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0]!))" }
            header.insert("\"__metadata__\":{\(fields.joined(separator: ","))}", at: 0)
        }
        var text = Array("{\(header.joined(separator: ","))}".utf8)
        text += Array(repeating: UInt8(ascii: " "), count: (8 - text.count % 8) % 8)
        var bytes = Data(capacity: 8 + text.count + offset)
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: text)
        // Tensor bytes are written as they are in memory: the supported hosts are little-endian.
        for t in entries { bytes.append(contentsOf: t.bytes) }
        return bytes
    }

    public static func write(
        path: String, tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
        metadata: [String: String] = [:]
    ) throws(MiniGPTError) {
        try write(data: encode(tensors: tensors, metadata: metadata), to: path)
    }

    public static func write(path: String, entries: [TensorBytes], metadata: [String: String] = [:]) throws(MiniGPTError) {
        try write(data: encode(entries: entries, metadata: metadata), to: path)
    }

    static func write(data: Data, to path: String) throws(MiniGPTError) {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
