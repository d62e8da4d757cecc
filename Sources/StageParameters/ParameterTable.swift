import Foundation

/// How the declarations read for people: `--describe` (JSON) and `--describe-markdown` (the
/// tables in the README, which a test compares with these).
extension ParameterSpec {
    /// The spec as `--describe` prints it: name, type, default, range or allowed values, help.
    public var describedJSON: [String: Any] {
        var object: [String: Any] = ["name": name, "type": kind.typeName, "default": defaultValue.json, "help": help]
        switch kind {
        case .int(let range): object["range"] = [range.lowerBound, range.upperBound]
        case .double(let range): object["range"] = [range.lowerBound, range.upperBound]
        case .string(let allowed?): object["allowed"] = allowed
        case .string(nil), .bool: break
        }
        return object
    }

    /// A Markdown table of these specs, one row each in declaration order: name, type, default,
    /// range or allowed values, meaning.
    public static func markdownTable(_ specs: [ParameterSpec]) -> String {
        guard !specs.isEmpty else { return "No parameters.\n" }
        var lines = ["| parameter | type | default | range or values | meaning |", "|---|---|---|---|---|"]
        for spec in specs {
            let cells = [code(spec.name), spec.kind.typeName, markdown(spec.defaultValue), markdownDomain(spec.kind), text(spec.help)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Strings as code (`""` when empty), numbers and booleans as written in the pipeline file.
    private static func markdown(_ value: ParameterValue) -> String {
        switch value {
        case .string(let s): code(s.isEmpty ? "\"\"" : s)
        default: value.description
        }
    }

    private static func markdownDomain(_ kind: Kind) -> String {
        switch kind {
        case .int(let range) where range.upperBound == .max: "≥ \(range.lowerBound)"
        case .int(let range): "\(range.lowerBound) … \(range.upperBound)"
        case .double(let range): "\(ParameterValue.double(range.lowerBound)) … \(ParameterValue.double(range.upperBound))"
        case .string(let allowed?): allowed.map { markdown(.string($0)) }.joined(separator: ", ")
        case .string(nil): "any"
        case .bool: "true, false"
        }
    }

    private static func code(_ s: String) -> String { "`" + s.replacingOccurrences(of: "|", with: "\\|") + "`" }

    private static func text(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "|", with: "\\|")
    }
}
