import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Evaluation

/// What an XML parser sees in the page: element counts, section ids, and every tagged number.
final class PageScan: NSObject, XMLParserDelegate {
    struct Tagged { var pointer: String; var previous: Bool; var format: String; var text: String }
    var counts: [String: Int] = [:]
    var ids: Set<String> = []
    var tagged: [Tagged] = []
    var text = ""
    private var open: [Tagged?] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        if let id = attributes["id"] { ids.insert(id) }
        let pointer = attributes["data-json"] ?? attributes["data-json-previous"]
        open.append(pointer.map { Tagged(pointer: $0, previous: attributes["data-json-previous"] != nil,
                                          format: attributes["data-format"] ?? attributes["data-unit"] ?? "number", text: "") })
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
        for i in open.indices where open[i] != nil { open[i]!.text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if let t = open.removeLast() { tagged.append(t) }
    }
}

private func scan(_ html: String) throws -> PageScan {
    let parser = XMLParser(data: Data(html.utf8))
    let scan = PageScan()
    parser.delegate = scan
    let ok = parser.parse()
    #expect(ok, "page is not well-formed XML: \(String(describing: parser.parserError)) at line \(parser.lineNumber)")
    return scan
}

/// Follows a JSON Pointer (RFC 6901) into decoded JSON.
private func resolve(_ pointer: String, in json: Any) -> Any? {
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
private func shown(_ t: PageScan.Tagged) -> (value: Double, tolerance: Double)? {
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

@Suite struct ReportTests {
    @Test func jsonIsStableAndRoundTrips() throws {
        let r = try ReportFixture.report()
        let data = try r.json()
        let back = try EvaluationReport.decode(data)
        #expect(back == r)
        #expect(try back.json() == data)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"bitsPerByte\"") && text.contains("\"signature\" : \"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:minillm-bleu-1\""))
        // Sorted keys: "bias" before "bleu" before "createdAt" at the top level.
        let top = text.components(separatedBy: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(top == top.sorted() && top.count == 14)
    }

    @Test func infiniteLossSurvivesJSON() throws {
        var r = try ReportFixture.report()
        r.splits[2].model.perplexity = .infinity
        #expect(try EvaluationReport.decode(r.json()).splits[2].model.perplexity == .infinity)
    }

    @Test func pageParsesHasChartsAndShowsTheJSONNumbers() throws {
        let r = try ReportFixture.report()
        let html = HTMLReport.render(report: r)
        let page = try scan(html)
        #expect(page.counts["svg"] == 5 && page.counts["polyline", default: 0] >= 8)
        #expect(page.counts["script"] == nil && !html.contains("http://") || !html.contains("<script"))
        #expect(page.ids.isSuperset(of: ["leakage-banner", "language-model", "charts", "bias", "bleu", "samples",
                                         "performance", "lineage", "leakage"]))
        #expect(!page.ids.contains("comparison"))
        #expect(page.text.contains("En el año 1492,") && page.text.contains("FIXTURE seed-v1"))

        let json = try JSONSerialization.jsonObject(with: r.json())
        #expect(page.tagged.count > 60)
        for cell in page.tagged {
            let value = resolve(cell.pointer, in: json)
            let expected = (value as? NSNumber)?.doubleValue
            guard let expected, let (seen, tolerance) = shown(cell) else {
                Issue.record("cell \(cell.pointer) shows \(cell.text.debugDescription); JSON has \(String(describing: value))")
                continue
            }
            #expect(abs(seen - expected) <= tolerance, "\(cell.pointer): page \(cell.text) vs JSON \(expected)")
        }
    }

    @Test func comparisonUsesThePreviousReportsNumbers() throws {
        let current = try ReportFixture.report(), previous = try ReportFixture.report(title: "previous FIXTURE", lossShift: 0.3)
        let html = HTMLReport.render(report: current, previous: previous)
        let page = try scan(html)
        #expect(page.ids.contains("comparison"))
        let previousJSON = try JSONSerialization.jsonObject(with: previous.json())
        let cells = page.tagged.filter(\.previous)
        #expect(cells.count == 12, "3 splits × 3 metrics + BLEU-4 + tokens/s + memory")
        for cell in cells {
            let expected = (resolve(cell.pointer, in: previousJSON) as? NSNumber)?.doubleValue
            let s = shown(cell)
            #expect(expected != nil && s != nil && abs(s!.value - expected!) <= s!.tolerance, "\(cell.pointer): \(cell.text)")
        }
        #expect(html.contains("(better)"), "a lower perplexity than the previous run is marked better")
    }

    @Test func escapesEverythingTheModelOrCallerWrites() throws {
        var r = try ReportFixture.report()
        r.samples[0].continuation = "</p><script>alert(\"x\")</script> & ' \u{7}\u{0}"
        r.lineage.corpus = "<b>corpus</b>"
        let html = HTMLReport.render(report: r)
        #expect(!html.contains("<script") && !html.contains("<b>corpus"))
        #expect(html.contains("&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39; \u{FFFD}\u{FFFD}"))
        let page = try scan(html)
        #expect(page.text.contains("<b>corpus</b>"), "the parser reads back the literal text")
    }

    @Test func leakAlarmIsLoud() throws {
        let html = HTMLReport.render(report: try ReportFixture.report(leaky: true))
        #expect(html.contains("<div id=\"leakage-banner\" class=\"alarm\"><strong>Suspected leak:"))
        #expect(html.contains("<tr class=\"fired\"><td>perplexity-near-one</td><td>validation</td>"))
        let calm = HTMLReport.render(report: try ReportFixture.report())
        #expect(calm.contains("<div id=\"leakage-banner\" class=\"ok\"><strong>No leak suspected.</strong> All 9 leakage checks passed."))
    }

    @Test func emptyChartSaysSo() throws {
        let svg = SVGChart(title: "empty", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [])]).render()
        #expect(svg.contains("no data recorded"))
        #expect(SVGChart.ticks((0, 3000), log: false) == [0, 1000, 2000, 3000])
        #expect(SVGChart.ticks((0.002, 0.5), log: true) == [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5])
    }

    /// Set MINILLM_REPORT_PREVIEW=/path/report.html to write the fixture page for a browser check.
    @Test func writesPreviewWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["MINILLM_REPORT_PREVIEW"] else { return }
        let current = try ReportFixture.report(), previous = try ReportFixture.report(title: "previous FIXTURE", lossShift: 0.3)
        try HTMLReport.render(report: current, previous: previous).write(toFile: path, atomically: true, encoding: .utf8)
        try current.json().write(to: URL(fileURLWithPath: path + ".json"))
    }
}
