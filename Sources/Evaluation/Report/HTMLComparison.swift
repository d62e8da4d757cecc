/// The "compared with the previous evaluation" table.
enum HTMLComparison {
    private struct Row {
        var name: String
        var format: Page.Format
        var lowerIsBetter: Bool
        /// The value in a report and its JSON Pointer there.
        var locate: (EvaluationReport) -> (pointer: String, value: Double)?
    }

    static func section(_ page: inout Page, current: EvaluationReport, previous: EvaluationReport) {
        page.raw("<section id=\"comparison\"><h2>Compared with the previous evaluation</h2>\n")
        page.element("p", "Previous: \(previous.title), code \(previous.lineage.codeVersion), config \(previous.lineage.config)"
            + (previous.createdAt.map { ", created \($0)" } ?? "") + ".", class: "muted")
        page.raw("<table class=\"compact\">")
        page.headerRow(["metric", "previous", "current", "change"])
        for row in rows(current) {
            guard let (pointer, now) = row.locate(current) else { continue }
            page.raw("<tr>")
            page.element("td", row.name)
            if let (previousPointer, before) = row.locate(previous) {
                page.cell(before, previousPointer, row.format, attribute: "data-json-previous")
                page.cell(now, pointer, row.format)
                let delta = now - before
                let better = row.lowerIsBetter ? delta < 0 : delta > 0
                let sign = delta > 0 ? "+" : ""
                let shown = sign + Page.display(delta, row.format == .integer ? .number : row.format)
                page.element("td", delta == 0 ? "no change" : shown + (better ? " (better)" : " (worse)"),
                             class: delta == 0 ? "num" : (better ? "num down" : "num up"))
            } else {
                page.element("td", "—", class: "num")
                page.cell(now, pointer, row.format)
                page.element("td", "new", class: "num")
            }
            page.raw("</tr>\n")
        }
        page.raw("</table>\n</section>\n")
    }

    /// Split rows are matched by split name.
    private static func rows(_ current: EvaluationReport) -> [Row] {
        var rows: [Row] = []
        for split in current.splits {
            let name = split.name
            func metric(_ label: String, _ key: String, _ format: Page.Format, lowerIsBetter: Bool,
                        _ value: @escaping (LanguageModelScores) -> Double) -> Row {
                Row(name: "\(name) \(label)", format: format, lowerIsBetter: lowerIsBetter) { r in
                    r.splits.firstIndex { $0.name == name }.map { ("/splits/\($0)/model/\(key)", value(r.splits[$0].model)) }
                }
            }
            rows += [
                metric("perplexity", "perplexity", .number, lowerIsBetter: true) { $0.perplexity },
                metric("bits / byte", "bitsPerByte", .number, lowerIsBetter: true) { $0.bitsPerByte },
                metric("top-1 accuracy", "top1Accuracy", .percent, lowerIsBetter: false) { $0.top1Accuracy },
            ]
        }
        rows.append(Row(name: "BLEU-4", format: .number, lowerIsBetter: false) { r in
            r.bleu.flatMap { $0.result.scores.count == 4 ? ("/bleu/result/scores/3/score", $0.result.scores[3].score) : nil }
        })
        rows.append(Row(name: "generation tokens/s (decode)", format: .number, lowerIsBetter: false) { r in
            r.performance.generation.map { ("/performance/generation/decodeTokensPerSecond", $0.decodeTokensPerSecond) }
        })
        rows.append(Row(name: "peak resident memory", format: .bytes, lowerIsBetter: true) { r in
            r.performance.memory.map { ("/performance/memory/peakResidentBytes", Double($0.peakResidentBytes)) }
        })
        return rows
    }
}
