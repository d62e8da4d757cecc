/// Builds the XHTML text; every string that is not markup goes through `HTMLText.escape`.
struct Page {
    enum Format: String {
        case number, percent, integer, milliseconds, bytes
    }

    private(set) var html = ""

    mutating func raw(_ markup: String) { html += markup }

    mutating func text(_ s: String) { html += HTMLText.escape(s) }

    mutating func element(_ tag: String, _ content: String, class cls: String? = nil) {
        let attribute = cls.map { " class=\"\($0)\"" } ?? ""
        html += "<\(tag)\(attribute)>\(HTMLText.escape(content))</\(tag)>"
    }

    mutating func headerRow(_ names: [String]) {
        html += "<tr>" + names.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr>\n"
    }

    /// A numeric cell tagged with the JSON Pointer of its value and its display format.
    mutating func cell(_ value: Double, _ pointer: String, _ format: Format = .number, attribute: String = "data-json") {
        html += "<td class=\"num\" \(attribute)=\"\(HTMLText.escape(pointer))\" data-format=\"\(format.rawValue)\">"
            + HTMLText.escape(Self.display(value, format)) + "</td>"
    }

    /// A number inside running text or a cell, tagged like `cell`.
    mutating func span(_ value: Double, _ pointer: String, _ format: Format = .number) {
        html += "<span data-json=\"\(HTMLText.escape(pointer))\" data-format=\"\(format.rawValue)\">"
            + HTMLText.escape(Self.display(value, format)) + "</span>"
    }

    static func display(_ v: Double, _ format: Format) -> String {
        switch format {
        case .number: HTMLText.number(v)
        case .percent: HTMLText.percent(v)
        case .integer: v.isFinite ? HTMLText.integer(Int(v)) : HTMLText.number(v)
        case .milliseconds: HTMLText.milliseconds(v)
        case .bytes: v.isFinite ? HTMLText.bytes(Int(v)) : HTMLText.number(v)
        }
    }
}
