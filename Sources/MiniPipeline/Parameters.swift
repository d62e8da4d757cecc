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
    func validate(_ raw: Any) -> Result<ParameterValue, ParameterProblem> {
        switch kind {
        case .int(let range):
            guard let number = raw as? NSNumber, !Self.isBool(number), let v = Int(exactly: number.doubleValue) else {
                return .failure(ParameterProblem(reason: "expected an integer, got \(Self.show(raw))"))
            }
            guard range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.int(v))
        case .double(let range):
            guard let number = raw as? NSNumber, !Self.isBool(number) else {
                return .failure(ParameterProblem(reason: "expected a number, got \(Self.show(raw))"))
            }
            let v = number.doubleValue
            guard v.isFinite, range.contains(v) else { return .failure(ParameterProblem(reason: "\(v) is outside \(range.lowerBound)…\(range.upperBound)")) }
            return .success(.double(v))
        case .string(let allowed):
            guard let v = raw as? String else { return .failure(ParameterProblem(reason: "expected a string, got \(Self.show(raw))")) }
            if let allowed, !allowed.contains(v) {
                return .failure(ParameterProblem(reason: "\"\(v)\" is not one of \(allowed.joined(separator: ", "))"))
            }
            return .success(.string(v))
        case .bool:
            guard let number = raw as? NSNumber, Self.isBool(number) else {
                return .failure(ParameterProblem(reason: "expected true or false, got \(Self.show(raw))"))
            }
            return .success(.bool(number.boolValue))
        }
    }

    private static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c" || type(of: number) == type(of: NSNumber(value: true))
    }

    private static func show(_ raw: Any) -> String {
        if let s = raw as? String { return "\"\(s)\"" }
        if raw is [Any] { return "a list" }
        if raw is [String: Any] { return "an object" }
        return "\(raw)"
    }
}

struct ParameterProblem: Error { let reason: String }

/// The validated parameters of one stage, every declared parameter present.
public struct Parameters: Equatable, Sendable {
    public let values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue]) { self.values = values }

    public func int(_ name: String) -> Int {
        guard case .int(let v) = values[name] else { preconditionFailure("parameter \(name) is not an int") }
        return v
    }
    public func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: preconditionFailure("parameter \(name) is not a number")
        }
    }
    public func string(_ name: String) -> String {
        guard case .string(let v) = values[name] else { preconditionFailure("parameter \(name) is not a string") }
        return v
    }
    public func bool(_ name: String) -> Bool {
        guard case .bool(let v) = values[name] else { preconditionFailure("parameter \(name) is not a bool") }
        return v
    }

    /// Canonical JSON: sorted keys, no spaces, canonical numbers. Part of the cache key.
    public var canonicalJSON: String {
        "{" + values.keys.sorted().map { key in
            "\(CanonicalJSON.string(key)):\(CanonicalJSON.value(values[key]!))"
        }.joined(separator: ",") + "}"
    }
}

enum CanonicalJSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func value(_ v: ParameterValue) -> String {
        switch v {
        case .string(let s): string(s)
        default: v.description
        }
    }
}
