/// One stage parameter, declared once: its name, type (the property's), range or allowed values,
/// default (the property's initial value) and help, in the spirit of swift-argument-parser's
/// `@Option`:
///
///     struct ModelSettings: StageSettings {
///         @Parameter("width", in: 8...4096, "model width d (embedding size)") var width = 256
///         @Parameter("gelu", allowed: ["erf", "tanh"], "GELU form") var gelu = "erf"
///         @Parameter("tie_weights", "share the token embedding with the LM head") var tieWeights = false
///         @Parameter("decay", "learning-rate decay after warmup") var decay = Decay.cosine
///         init() {}
///     }
///
/// Supported types: `Int` and `Double` (with a closed range), `Bool`, `String` (optionally with
/// allowed values) and `String`-valued `CaseIterable` enums (allowed: every case, in order).
/// `StageSettings` derives the `ParameterSpec`s and the decoding from these declarations.
@propertyWrapper
public struct Parameter<Value: Sendable & Equatable>: Sendable {
    public var wrappedValue: Value
    public let name: String
    public let kind: ParameterSpec.Kind
    public let help: String
    private let encode: @Sendable (Value) -> ParameterValue
    private let decode: @Sendable (ParameterValue) -> Value?

    private init(value: Value, name: String, kind: ParameterSpec.Kind, help: String,
                 encode: @escaping @Sendable (Value) -> ParameterValue, decode: @escaping @Sendable (ParameterValue) -> Value?) {
        self.name = name
        self.kind = kind
        self.help = help
        self.encode = encode
        self.decode = decode
        self.wrappedValue = value
        // Inside `StageSettings.init(_:)`, every declaration reads its own value.
        if let decoding = ParameterDecoding.current {
            wrappedValue = decoding.value(of: spec, default: value, decode)
        }
    }

    /// The spec of this declaration, with the current value as the default (on a fresh
    /// `Settings()`, the declared default).
    public var spec: ParameterSpec {
        ParameterSpec(name: name, kind: kind, defaultValue: encode(wrappedValue), help: help)
    }
}

extension Parameter where Value == Int {
    public init(wrappedValue: Int, _ name: String, in range: ClosedRange<Int>, _ help: String) {
        self.init(value: wrappedValue, name: name, kind: .int(range), help: help, encode: { .int($0) }) {
            if case .int(let v) = $0 { v } else { nil }
        }
    }
}

extension Parameter where Value == Double {
    public init(wrappedValue: Double, _ name: String, in range: ClosedRange<Double>, _ help: String) {
        self.init(value: wrappedValue, name: name, kind: .double(range), help: help, encode: { .double($0) }) {
            switch $0 {
            case .double(let v): v
            case .int(let v): Double(v)
            default: nil
            }
        }
    }
}

extension Parameter where Value == Bool {
    public init(wrappedValue: Bool, _ name: String, _ help: String) {
        self.init(value: wrappedValue, name: name, kind: .bool, help: help, encode: { .bool($0) }) {
            if case .bool(let v) = $0 { v } else { nil }
        }
    }
}

extension Parameter where Value == String {
    /// `allowed` nil: any string.
    public init(wrappedValue: String, _ name: String, allowed: [String]? = nil, _ help: String) {
        self.init(value: wrappedValue, name: name, kind: .string(allowed: allowed), help: help, encode: { .string($0) }) {
            if case .string(let v) = $0 { v } else { nil }
        }
    }
}

extension Parameter where Value: CaseIterable & RawRepresentable, Value.RawValue == String {
    /// A string parameter whose allowed values are the enum's cases, in declaration order.
    public init(wrappedValue: Value, _ name: String, _ help: String) {
        self.init(value: wrappedValue, name: name, kind: .string(allowed: Value.allCases.map(\.rawValue)), help: help,
                  encode: { .string($0.rawValue) }) {
            if case .string(let v) = $0 { Value(rawValue: v) } else { nil }
        }
    }
}

extension Parameter: Equatable {
    /// Two declarations are equal when they hold the same value (the rest is the declaration).
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.wrappedValue == b.wrappedValue }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "\(name) = \(encode(wrappedValue))" }
}

/// What `StageSettings` finds, by reflection, in a settings value: a `@Parameter` of any type.
public protocol ParameterDeclaration {
    var spec: ParameterSpec { get }
}

extension Parameter: ParameterDeclaration {}
