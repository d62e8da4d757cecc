import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an XML parser sees in a report page: element counts, section ids, and every number
/// tagged with the JSON Pointer it came from (`data-json`, or `data-json-previous`).
public final class PageScan: NSObject, XMLParserDelegate {
    public struct Tagged { public var pointer: String; public var previous: Bool; public var format: String; public var text: String }
    public var counts: [String: Int] = [:]
    public var ids: Set<String> = []
    public var tagged: [Tagged] = []
    public var text = ""
    /// Set when the page is not well-formed XML.
    public private(set) var error: String?
    private var open: [Tagged?] = []

    public init(_ html: String) {
        super.init()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = self
        if !parser.parse() {
            error = "page is not well-formed XML: \(String(describing: parser.parserError)) at line \(parser.lineNumber)"
        }
    }

    public func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                       attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        if let id = attributes["id"] { ids.insert(id) }
        let pointer = attributes["data-json"] ?? attributes["data-json-previous"]
        open.append(pointer.map { Tagged(pointer: $0, previous: attributes["data-json-previous"] != nil,
                                          format: attributes["data-format"] ?? attributes["data-unit"] ?? "number", text: "") })
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
        for i in open.indices where open[i] != nil { open[i]!.text += string }
    }

    public func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if let t = open.removeLast() { tagged.append(t) }
    }

    /// Follows a JSON Pointer (RFC 6901) into decoded JSON.
    public static func resolve(_ pointer: String, in json: Any) -> Any? {
        var node: Any? = json
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let dict = node as? [String: Any] { node = dict[key] } else if let array = node as? [Any], let i = Int(key), i < array.count {
                node = array[i]
            } else { return nil }
        }
        return node
    }

    /// The number a cell shows, back in the JSON's unit, and how far display rounding may move it.
    public static func shown(_ t: Tagged) -> (value: Double, tolerance: Double)? {
        var s = t.text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        var scale = 1.0
        switch t.format {
        case "percent": s = String(s.dropLast(2)); scale = 0.01
        case "milliseconds", "ms": s = String(s.dropLast(3)); scale = 0.001
        case "bytes":
            let parts = s.split(separator: " ")
            guard parts.count == 2, let v = Double(parts[0]),
                  let u = ["B", "KiB", "MiB", "GiB"].firstIndex(of: String(parts[1])) else { return nil }
            let unit = pow(1024, Double(u))
            return (v * unit, u == 0 ? 0 : 0.05 * unit * 1.0001)
        default: break
        }
        guard let v = Double(s) else { return nil }
        // Half a unit in the last shown digit.
        let digits = s.split(separator: "e")[0].split(separator: ".").dropFirst().first?.count ?? 0
        let exponent = s.contains("e") ? Double(s.split(separator: "e")[1])! : 0
        return (v * scale, 0.5 * pow(10, exponent - Double(digits)) * scale * 1.0001)
    }

    /// Every tagged cell (current or previous) whose number differs from `json` beyond display
    /// rounding, described; empty when the page shows the JSON faithfully.
    public func mismatches(json: Any, previous: Bool = false) -> [String] {
        tagged.filter { $0.previous == previous }.compactMap { cell in
            let expected = (Self.resolve(cell.pointer, in: json) as? NSNumber)?.doubleValue
            guard let expected, let (seen, tolerance) = Self.shown(cell) else {
                return "cell \(cell.pointer) shows \(cell.text.debugDescription); JSON has \(String(describing: expected))"
            }
            return abs(seen - expected) <= tolerance ? nil : "\(cell.pointer): page \(cell.text) vs JSON \(expected)"
        }
    }
}
