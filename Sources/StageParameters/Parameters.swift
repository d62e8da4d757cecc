import CoreSupport
import Foundation

/// A parameter value as it appears in the pipeline file.
public enum ParameterValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): Self.canonical(v)
        case .string(let v): "\"\(v)\""
        case .bool(let v): String(v)
        }
    }

    /// Shortest round-tripping decimal, so 0.001 and 1e-3 key the same.
    static func canonical(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(format: "%.1f", v) }
        return "\(v)"
    }

    /// The value as `JSONSerialization` writes it.
    public var json: Any {
        switch self {
        case .int(let v): v
        case .double(let v): v
        case .string(let v): v
        case .bool(let v): v
        }
    }
}

/// What a stage accepts for one parameter: its type, range, default and meaning.
public struct ParameterSpec: Sendable {
    public enum Kind: Sendable {
        case int(ClosedRange<Int>)
        case double(ClosedRange<Double>)
        case string(allowed: [String]?)
        case bool
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: ParameterValue
    public let help: String

    public static func int(_ name: String, default value: Int, in range: ClosedRange<Int>, _ help: String) -> Self {
        Self(name: name, kind: .int(range), defaultValue: .int(value), help: help)
    }
    public static func double(_ name: String, default value: Double, in range: ClosedRange<Double>, _ help: String) -> Self {
        Self(name: name, kind: .double(range), defaultValue: .double(value), help: help)
    }
    public static func string(_ name: String, default value: String, allowed: [String]? = nil, _ help: String) -> Self {
        Self(name: name, kind: .string(allowed: allowed), defaultValue: .string(value), help: help)
    }
    public static func bool(_ name: String, default value: Bool, _ help: String) -> Self {
        Self(name: name, kind: .bool, defaultValue: .bool(value), help: help)
    }

    /// Checks a raw JSON value against this spec; the error text names only the reason.
    public func validate(_ raw: Any) -> Result<ParameterValue, ParameterProblem> {
        switch kind {
        case .int(let range):
            guard let number = raw as? NSNumber, !Self.isBool(number), let v = Int(exactly: number.doubleValue) else {
                return .failure(ParameterProblem(reason: "expected an integer, got \(Self.show(raw))", isWrongType: true))
            }
            guard range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.int(v))
        case .double(let range):
            guard let number = raw as? NSNumber, !Self.isBool(number) else {
                return .failure(ParameterProblem(reason: "expected a number, got \(Self.show(raw))", isWrongType: true))
            }
            let v = number.doubleValue
            guard v.isFinite, range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.double(v))
        case .string(let allowed):
            guard let v = raw as? String else { return .failure(ParameterProblem(reason: "expected a string, got \(Self.show(raw))", isWrongType: true)) }
            if let allowed, !allowed.contains(v) {
                return .failure(ParameterProblem(reason: "\"\(MessageText.bounded(v))\" is not one of \(allowed.joined(separator: ", "))"))
            }
            return .success(.string(v))
        case .bool:
            guard let number = raw as? NSNumber, Self.isBool(number) else {
                return .failure(ParameterProblem(reason: "expected true or false, got \(Self.show(raw))", isWrongType: true))
            }
            return .success(.bool(number.boolValue))
        }
    }

    /// Checks a typed value against this spec: its type (an integer is a valid number), its
    /// range or allowed values. A number comes back as `.double` even when given as `.int`.
    public func check(_ value: ParameterValue) -> Result<ParameterValue, ParameterProblem> {
        switch (kind, value) {
        case (.int(let range), .int(let v)):
            guard range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.int(v))
        case (.double, .int(let v)):
            return check(.double(Double(v)))
        case (.double(let range), .double(let v)):
            guard v.isFinite, range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.double(v))
        case (.string(let allowed), .string(let v)):
            if let allowed, !allowed.contains(v) {
                return .failure(ParameterProblem(reason: "\"\(v)\" is not one of \(allowed.joined(separator: ", "))"))
            }
            return .success(.string(v))
        case (.bool, .bool(let v)):
            return .success(.bool(v))
        default:
            return .failure(ParameterProblem(reason: "expected \(kind.noun), got \(value.typeName) \(value)", isWrongType: true))
        }
    }

    private static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c" || type(of: number) == type(of: NSNumber(value: true))
    }

    private static func show(_ raw: Any) -> String {
        if let s = raw as? String { return "\"\(MessageText.bounded(s))\"" }
        if let number = raw as? NSNumber, isBool(number) { return number.boolValue ? "true" : "false" }
        if raw is NSNull { return "null" }
        if raw is [Any] { return "a list" }
        if raw is [String: Any] { return "an object" }
        return "\(raw)"
    }
}

/// Why a value does not fit a `ParameterSpec` (the reason only; the caller names the parameter).
public struct ParameterProblem: Error, Equatable, Sendable {
    public let reason: String
    /// The value has the wrong JSON type (as opposed to being out of range or not allowed).
    public let isWrongType: Bool

    public init(reason: String, isWrongType: Bool = false) {
        self.reason = reason
        self.isWrongType = isWrongType
    }
}

extension ParameterSpec.Kind {
    /// "an integer", "a number", "a string", "true or false": what a value of this kind is.
    public var noun: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .bool: "true or false"
        }
    }

    /// The type's name as `--describe` and the parameter tables show it.
    public var typeName: String {
        switch self {
        case .int: "int"
        case .double: "number"
        case .string: "string"
        case .bool: "bool"
        }
    }
}

extension ParameterValue {
    var typeName: String {
        switch self {
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .bool: "bool"
        }
    }
}

/// The validated parameters of one stage, every declared parameter present.
public struct Parameters: Equatable, Sendable {
    public let values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue]) { self.values = values }

    /// The value of one parameter, checked against nothing but its presence.
    public func value(_ name: String) throws(ParameterError) -> ParameterValue {
        guard let v = values[name] else { throw .missing(name: name) }
        return v
    }

    // Typed look-ups by name, for stages without a `StageSettings` type (test fixtures): a
    // missing parameter or one of another type is a thrown `ParameterError`, never a trap.
    public func int(_ name: String) throws(ParameterError) -> Int {
        let v = try value(name)
        guard case .int(let i) = v else { throw .wrongType(name: name, expected: "an integer", got: v) }
        return i
    }
    public func double(_ name: String) throws(ParameterError) -> Double {
        switch try value(name) {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case let v: throw .wrongType(name: name, expected: "a number", got: v)
        }
    }
    public func string(_ name: String) throws(ParameterError) -> String {
        let v = try value(name)
        guard case .string(let s) = v else { throw .wrongType(name: name, expected: "a string", got: v) }
        return s
    }
    public func bool(_ name: String) throws(ParameterError) -> Bool {
        let v = try value(name)
        guard case .bool(let b) = v else { throw .wrongType(name: name, expected: "true or false", got: v) }
        return b
    }

    /// Canonical JSON: sorted keys, no spaces, canonical numbers. Part of the cache key.
    public var canonicalJSON: String {
        "{" + values.keys.sorted().map { key in
            "\(CanonicalJSON.string(key)):\(CanonicalJSON.value(values[key]!))"
        }.joined(separator: ",") + "}"
    }
}

/// The JSON text that cache keys hash: strings escaped minimally, numbers as
/// `ParameterValue.description` writes them. Its bytes must never change.
public enum CanonicalJSON {
    /// A JSON string literal (the one quoting of minillm, `JSONText.quoted`).
    public static func string(_ s: String) -> String { JSONText.quoted(s) }

    public static func value(_ v: ParameterValue) -> String {
        switch v {
        case .string(let s): string(s)
        default: v.description
        }
    }
}
