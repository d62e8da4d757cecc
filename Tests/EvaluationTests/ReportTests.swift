import Foundation
import ReportTestSupport
import Testing
import TestSupport
@testable import Evaluation

private func scan(_ html: String) throws -> PageScan {
    let page = PageScan(html)
    #expect(page.error == nil, "\(page.error ?? "")")
    return page
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
        #expect(text.contains("\"bitsPerByteIntervals\"") && text.contains("\"margins\"") && back.schema == 2)
    }

    /// A report of schema 1 has no intervals: it still decodes (the comparison reads old
    /// evaluations), and its page shows "—" for them and no margin sentence.
    @Test func schemaOneReportStillDecodesAndRenders() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: ReportFixture.report().json()) as? [String: Any])
        object["schema"] = 1
        object["splits"] = (object["splits"] as! [[String: Any]]).map { $0.filter { $0.key != "bitsPerByteIntervals" } }
        let old = try EvaluationReport.decode(try JSONSerialization.data(withJSONObject: object))
        #expect(old.schema == 1 && old.splits.allSatisfy { $0.bitsPerByteIntervals == nil })
        let page = try scan(HTMLReport.render(report: old, previous: try ReportFixture.report()))
        #expect(!page.ids.contains("margin-test") && page.text.contains("—"))
        #expect(page.mismatches(json: try JSONSerialization.jsonObject(with: old.json())) == [])
    }

    /// The sentence on the margin over the bigram: "beats" or "loses" only when the interval
    /// excludes 0; every number in it is the JSON's.
    @Test(arguments: [(0.29, 0.26, 0.32, "test: minillm beats the Kneser–Ney bigram by 0.2900 bits/byte (95 % CI 0.2600–0.3200; "),
                      (-0.64, -0.68, -0.6, "test: minillm loses to the Kneser–Ney bigram: its margin is -0.6400 bits/byte (95 % CI -0.6800 to -0.6000; "),
                      (0.01, -0.02, 0.04, "test: minillm and the Kneser–Ney bigram cannot be told apart: the margin is 0.01000 bits/byte (95 % CI -0.02000 to 0.04000; ")])
    func marginSentenceSaysWhoWins(estimate: Double, low: Double, high: Double, sentence: String) throws {
        var r = try ReportFixture.report()
        r.splits[2].bitsPerByteIntervals!.margins[NGramBaseline.Kind.bigram.rawValue] = ConfidenceInterval(estimate: estimate, low: low, high: high)
        let page = try scan(HTMLReport.render(report: r))
        #expect(page.text.contains(sentence + "margin = bigram − model over 12 articles)."), "\(page.text)")
        #expect(page.mismatches(json: try JSONSerialization.jsonObject(with: r.json())) == [])
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
        #expect(page.mismatches(json: json) == [])
        // Intervals: 3 numbers per margin sentence (validation, test), 2 per interval cell (train: the model's only).
        let intervalCells = page.tagged.filter { $0.pointer.contains("/bitsPerByteIntervals/") }
        #expect(intervalCells.count == 2 * 3 + 2 * (1 + 3 + 3))
        #expect(page.ids.isSuperset(of: ["margin-validation", "margin-test"]) && !page.ids.contains("margin-train"))
        #expect(page.text.contains("test: minillm loses to the Kneser–Ney bigram: its margin is -"), "the fixture's model is the bigram plus 0.05 nats")
    }

    @Test func comparisonUsesThePreviousReportsNumbers() throws {
        let current = try ReportFixture.report(), previous = try ReportFixture.report(title: "previous FIXTURE", lossShift: 0.3)
        let html = HTMLReport.render(report: current, previous: previous)
        let page = try scan(html)
        #expect(page.ids.contains("comparison"))
        let previousJSON = try JSONSerialization.jsonObject(with: previous.json())
        let cells = page.tagged.filter(\.previous)
        #expect(cells.count == 12, "3 splits × 3 metrics + BLEU-4 + tokens/s + memory")
        #expect(page.mismatches(json: previousJSON, previous: true) == [])
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
        let flat = SVGChart.range([0.05, 0.05], log: false)!, signed = SVGChart.range([-1, 1], log: false)!
        #expect(flat.0 == 0 && abs(flat.1 - 1.15) < 1e-12, "a flat accuracy keeps a non-negative axis")
        #expect(abs(signed.0 + 1.1) < 1e-12 && abs(signed.1 - 1.1) < 1e-12)
        #expect(SVGChart.ticks((0.002, 0.5), log: true) == [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5])
    }

    /// The fixture page (against a previous run) and its JSON, written where
    /// MINILLM_REPORT_PREVIEW=/path/report.html says for a browser check, or to a scratch file,
    /// then read back: the files are what a reader of the preview gets.
    @Test func writesPreviewPageAndJSON() throws {
        let scratch = TemporaryDirectory("minillm-preview")
        defer { withExtendedLifetime(scratch) {} }
        let path = ProcessInfo.processInfo.environment["MINILLM_REPORT_PREVIEW"] ?? scratch.file("report.html")
        let current = try ReportFixture.report(), previous = try ReportFixture.report(title: "previous FIXTURE", lossShift: 0.3)
        try HTMLReport.render(report: current, previous: previous).write(toFile: path, atomically: true, encoding: .utf8)
        try current.json().write(to: URL(fileURLWithPath: path + ".json"))

        let json = try Data(contentsOf: URL(fileURLWithPath: path + ".json"))
        #expect(try EvaluationReport.decode(json) == current)
        let page = try scan(try String(contentsOfFile: path, encoding: .utf8))
        #expect(page.ids.isSuperset(of: ["comparison", "leakage-banner", "charts", "lineage"]))
        #expect(page.text.contains(current.title) && page.counts["svg"] == 5)
        #expect(page.mismatches(json: try JSONSerialization.jsonObject(with: json)) == [])
        #expect(page.mismatches(json: try JSONSerialization.jsonObject(with: previous.json()), previous: true) == [])
    }
}
