/// A stage's parameters as one typed value, each declared once with `@Parameter`. Conformers
/// get their specs (for the pipeline file, `--describe` and the cache key) and their decoding
/// from validated `Parameters`, both derived from the declarations:
///
///     public struct CleanSettings: StageSettings {
///         @Parameter("min_chars", in: 0...10_000_000, "drop shorter articles") public var minChars = 500
///         public init() {}
///     }
///     let specs = CleanSettings.specs                         // [min_chars: int 0…10000000, default 500]
///     let settings = try CleanSettings(context.parameters)    // minChars from the parameters
///
/// `init()` must give every parameter its default (the declared initial values) and do nothing
/// else with them.
public protocol StageSettings: Sendable {
    init()
}

extension StageSettings {
    /// One spec per `@Parameter`, in declaration order, with the declared defaults.
    public static var specs: [ParameterSpec] { Self().declarations }

    /// The settings these parameters give: every declared parameter must be present with its
    /// type (an integer is a valid number), in its range or among its allowed values, and no
    /// other parameter may be present. The first problem, in declaration order, is thrown.
    public init(_ parameters: Parameters) throws(ParameterError) {
        let decoding = ParameterDecoding(parameters)
        let settings = ParameterDecoding.$current.withValue(decoding) { Self() }
        if let error = decoding.errors.first { throw error }
        if let extra = parameters.values.keys.sorted().first(where: { !decoding.declared.contains($0) }) {
            throw .undeclared(name: extra)
        }
        self = settings
    }

    /// The parameters these settings hold (the specs' names, the current values), so that
    /// `Self(settings.parameters) == settings`.
    public var parameters: Parameters {
        Parameters(Dictionary(declarations.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { first, _ in first }))
    }

    private var declarations: [ParameterSpec] {
        Mirror(reflecting: self).children.compactMap { ($0.value as? any ParameterDeclaration)?.spec }
    }
}

/// A parameter that cannot be decoded, named.
public enum ParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Declared but absent from the parameters.
    case missing(name: String)
    /// Present with another type than declared.
    case wrongType(name: String, expected: String, got: ParameterValue)
    /// Out of range, or not among the allowed values.
    case invalid(name: String, reason: String)
    /// Present in the parameters but not declared.
    case undeclared(name: String)

    public var name: String {
        switch self {
        case .missing(let name), .wrongType(let name, _, _), .invalid(let name, _), .undeclared(let name): name
        }
    }

    public var description: String {
        switch self {
        case .missing(let name): "parameter \(name) is missing"
        case .wrongType(let name, let expected, let got): "parameter \(name): expected \(expected), got \(got)"
        case .invalid(let name, let reason): "parameter \(name): \(reason)"
        case .undeclared(let name): "parameter \(name) is not declared"
        }
    }
}

/// The parameters being decoded while `StageSettings.init(_:)` runs `Self()`: each `@Parameter`
/// initialiser takes its value from here (a task-local, so concurrent decodings never mix).
final class ParameterDecoding: @unchecked Sendable {
    @TaskLocal static var current: ParameterDecoding?

    let parameters: Parameters
    private(set) var errors: [ParameterError] = []
    private(set) var declared: Set<String> = []

    init(_ parameters: Parameters) { self.parameters = parameters }

    func value<Value>(of spec: ParameterSpec, default fallback: Value, _ decode: (ParameterValue) -> Value?) -> Value {
        declared.insert(spec.name)
        guard let raw = parameters.values[spec.name] else { return fail(.missing(name: spec.name), fallback) }
        switch spec.check(raw) {
        case .failure(let problem) where problem.isWrongType:
            return fail(.wrongType(name: spec.name, expected: spec.kind.noun, got: raw), fallback)
        case .failure(let problem):
            return fail(.invalid(name: spec.name, reason: problem.reason), fallback)
        case .success(let checked):
            guard let value = decode(checked) else {
                return fail(.wrongType(name: spec.name, expected: spec.kind.noun, got: raw), fallback)
            }
            return value
        }
    }

    private func fail<Value>(_ error: ParameterError, _ fallback: Value) -> Value {
        errors.append(error)
        return fallback
    }
}
