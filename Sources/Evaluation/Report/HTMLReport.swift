import Foundation

/// Renders an `EvaluationReport` as one self-contained XHTML page: inline CSS, inline SVG
/// charts, no scripts, no external requests. Every metric cell carries a `data-json` attribute
/// with the JSON Pointer of the number it shows (`data-json-previous` for the previous report),
/// so a test can check the page against the JSON.
public enum HTMLReport {
    public static func render(report r: EvaluationReport, previous: EvaluationReport? = nil) -> String {
        var page = Page()
        page.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        page.raw("<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        page.element("title", r.title)
        page.raw("\n<style>\(style)</style>\n</head>\n<body>\n")
        page.element("h1", r.title)
        if let created = r.createdAt { page.element("p", "Created " + created, class: "muted") }
        leakageBanner(&page, r.leakage)
        languageModelSection(&page, r)
        if let previous { HTMLComparison.section(&page, current: r, previous: previous) }
        page.raw("<section id=\"charts\"><h2>Training curves and bias</h2><div class=\"charts\">\n")
        for chart in HTMLCharts.charts(r) { page.raw(chart.render() + "\n") }
        page.raw("</div></section>\n")
        if let bias = r.bias { biasSection(&page, bias) }
        if let bleu = r.bleu { bleuSection(&page, bleu) }
        samplesSection(&page, r.samples)
        performanceSection(&page, r)
        lineageSection(&page, r)
        leakageSection(&page, r.leakage)
        if !r.notes.isEmpty {
            page.raw("<section id=\"notes\"><h2>Notes</h2><ul>")
            for note in r.notes { page.element("li", note) }
            page.raw("</ul></section>\n")
        }
        page.element("p", "Metric definitions: docs/evaluation.md. Schema \(r.schema).", class: "muted")
        page.raw("</body>\n</html>\n")
        return page.html
    }

    private static func leakageBanner(_ page: inout Page, _ leakage: LeakageReport) {
        let fired = leakage.checks.filter(\.fired).count
        page.raw("<div id=\"leakage-banner\" class=\"\(leakage.suspected ? "alarm" : "ok")\">")
        if leakage.suspected {
            page.element("strong", "Suspected leak: \(fired) of \(leakage.checks.count) checks fired.")
            page.text(" " + leakage.checks.filter(\.fired).map { "\($0.rule) on \($0.split)" }.joined(separator: ", ")
                + ". Held-out numbers this good usually mean the model saw what it predicts; see the leakage checks below.")
        } else {
            page.element("strong", "No leak suspected.")
            page.text(" All \(leakage.checks.count) leakage checks passed.")
        }
        page.raw("</div>\n")
    }

    private static func languageModelSection(_ page: inout Page, _ r: EvaluationReport) {
        page.raw("<section id=\"language-model\"><h2>Language-model metrics</h2>\n")
        marginStatements(&page, r)
        let level = r.splits.lazy.compactMap(\.bitsPerByteIntervals).first.map { Self.percentLabel($0.level) } ?? "95 %"
        page.raw("<table>")
        page.headerRow(["split", "model", "tokens", "mean loss (nats)", "perplexity", "bits / byte", "bits / byte, \(level) CI",
                        "top-1", "top-5"])
        for (i, split) in r.splits.enumerated() {
            let intervals = split.bitsPerByteIntervals, at = "/splits/\(i)/bitsPerByteIntervals"
            let rows = [("model", split.model, "/splits/\(i)/model", intervals.map { ($0.model, "\(at)/model") })]
                + orderedBaselines(split).map { baseline in
                    let key = pointerEscape(baseline.key)
                    return ("baseline: " + baseline.key, baseline.value, "/splits/\(i)/baselines/\(key)",
                            intervals?.baselines[baseline.key].map { ($0, "\(at)/baselines/\(key)") })
                }
            for (name, s, pointer, interval) in rows {
                page.raw(name == "model" ? "<tr class=\"model\">" : "<tr>")
                page.element("td", split.name)
                page.element("td", name)
                page.cell(Double(s.tokens), "\(pointer)/tokens", .integer)
                page.cell(s.meanLoss, "\(pointer)/meanLoss")
                page.cell(s.perplexity, "\(pointer)/perplexity")
                page.cell(s.bitsPerByte, "\(pointer)/bitsPerByte")
                if let (ci, ciPointer) = interval {
                    page.raw("<td class=\"num\">")
                    page.span(ci.low, "\(ciPointer)/low")
                    page.raw("–")
                    page.span(ci.high, "\(ciPointer)/high")
                    page.raw("</td>")
                } else {
                    page.element("td", "—", class: "num")
                }
                page.cell(s.top1Accuracy, "\(pointer)/top1Accuracy", .percent)
                page.cell(s.top5Accuracy, "\(pointer)/top5Accuracy", .percent)
                page.raw("</tr>\n")
            }
        }
        page.raw("</table>\n")
        if let g = r.generalization {
            page.raw("<table class=\"compact\">")
            page.headerRow(["train loss", "validation loss", "overfitting ratio (val / train)", "generalization gap (val − train)"])
            page.raw("<tr>")
            page.cell(g.trainLoss, "/generalization/trainLoss")
            page.cell(g.validationLoss, "/generalization/validationLoss")
            page.cell(g.overfittingRatio, "/generalization/overfittingRatio")
            page.cell(g.generalizationGap, "/generalization/generalizationGap")
            page.raw("</tr></table>\n")
        }
        page.element("p", "Bits per byte = total NLL in nats / UTF-8 bytes scored / ln 2. Baselines are trained on the training split and scored on the same positions as the model.", class: "muted")
        if let b = r.splits.lazy.compactMap(\.bitsPerByteIntervals).first {
            page.element("p", "CI: \(Self.percentLabel(b.level)) percentile interval of a bootstrap over the split's articles "
                + "(\(b.resamples) resamples with replacement, seed \(b.seed)); the margin is baseline − model bits per byte on "
                + "the same resampled articles, positive when the model is better.", class: "muted")
        }
        page.raw("</section>\n")
    }

    /// One sentence per held-out split: does the model beat the Kneser–Ney bigram, by how much,
    /// and with what interval. "Beats" or "loses" only when the interval excludes 0.
    private static func marginStatements(_ page: inout Page, _ r: EvaluationReport) {
        let bigram = NGramBaseline.Kind.bigram.rawValue
        for (i, split) in r.splits.enumerated() {
            guard let intervals = split.bitsPerByteIntervals, let m = intervals.margins[bigram] else { continue }
            let pointer = "/splits/\(i)/bitsPerByteIntervals/margins/\(pointerEscape(bigram))"
            let level = percentLabel(intervals.level)
            page.raw("<p class=\"margin\" id=\"margin-\(HTMLText.escape(split.name))\">")
            page.element("strong", split.name + ": ")
            let verdict = m.low > 0 ? "minillm beats the Kneser–Ney bigram by "
                : m.high < 0 ? "minillm loses to the Kneser–Ney bigram: its margin is "
                : "minillm and the Kneser–Ney bigram cannot be told apart: the margin is "
            page.text(verdict)
            page.span(m.estimate, "\(pointer)/estimate")
            page.text(" bits/byte (\(level) CI ")
            page.span(m.low, "\(pointer)/low")
            page.text(m.low < 0 || m.high < 0 ? " to " : "–")
            page.span(m.high, "\(pointer)/high")
            page.text("; margin = bigram − model over \(intervals.articles) articles).")
            page.raw("</p>\n")
        }
    }

    /// 0.95 → "95 %".
    static func percentLabel(_ level: Double) -> String {
        let percent = level * 100
        return (percent == percent.rounded() ? String(Int(percent)) : HTMLText.number(percent)) + " %"
    }

    /// Unigram then bigram, then any other baseline by name.
    static func orderedBaselines(_ split: SplitReport) -> [(key: String, value: LanguageModelScores)] {
        let known = NGramBaseline.Kind.allCases.map(\.rawValue)
        return split.baselines.sorted {
            let a = known.firstIndex(of: $0.key) ?? known.count, b = known.firstIndex(of: $1.key) ?? known.count
            return a != b ? a < b : $0.key < $1.key
        }
    }

    private static func biasSection(_ page: inout Page, _ bias: BiasReport) {
        let s = bias.summary
        page.raw("<section id=\"bias\"><h2>Prediction bias (\(HTMLText.escape(bias.split)) split)</h2>\n<table class=\"compact\">")
        page.headerRow(["positions", "signed mean d", "signed mean d on observed", "absolute mean |d|", "variance of d",
                        "total variation", "KL(true ‖ predicted), nats", "mass on unobserved"])
        page.raw("<tr>")
        page.cell(Double(s.positions), "/bias/summary/positions", .integer)
        for key in ["signedMean", "signedMeanOnObserved", "absoluteMean", "variance", "totalVariation",
                    "klTrueToPredicted", "massOnUnobserved"] {
            page.cell(biasValue(s, key), "/bias/summary/\(key)")
        }
        page.raw("</tr></table>\n")
        page.element("p", "d(t) = mean predicted probability of token t − its frequency as the true next token, over all \(s.vocabSize) tokens; \(s.observedTokens) tokens occur as a true next token.", class: "muted")
        for (title, list, key) in [("Most over-predicted", s.overPredicted, "overPredicted"),
                                   ("Most under-predicted", s.underPredicted, "underPredicted")] {
            page.element("h3", title)
            page.raw("<table class=\"compact\">")
            page.headerRow(["token", "id", "predicted q", "observed f", "d = q − f"])
            for (i, t) in list.enumerated() {
                page.raw("<tr>")
                page.element("td", t.text, class: "token")
                page.element("td", "\(t.token)", class: "num")
                page.cell(t.predicted, "/bias/summary/\(key)/\(i)/predicted")
                page.cell(t.observed, "/bias/summary/\(key)/\(i)/observed")
                page.cell(t.difference, "/bias/summary/\(key)/\(i)/difference")
                page.raw("</tr>\n")
            }
            page.raw("</table>\n")
        }
        page.raw("</section>\n")
    }

    private static func biasValue(_ s: BiasSummary, _ key: String) -> Double {
        switch key {
        case "signedMean": s.signedMean
        case "signedMeanOnObserved": s.signedMeanOnObserved
        case "absoluteMean": s.absoluteMean
        case "variance": s.variance
        case "totalVariation": s.totalVariation
        case "klTrueToPredicted": s.klTrueToPredicted
        default: s.massOnUnobserved
        }
    }

    private static func bleuSection(_ page: inout Page, _ bleu: BLEUReport) {
        page.raw("<section id=\"bleu\"><h2>BLEU of continuations</h2>\n")
        page.element("p", bleu.method + " Sampling: " + bleu.settings.label + ".")
        page.raw("<table class=\"compact\">")
        page.headerRow(["", "BLEU", "precisions (%)", "brevity penalty", "hyp / ref length"])
        for (i, s) in bleu.result.scores.enumerated() {
            page.raw("<tr>")
            page.element("td", "BLEU-\(s.order)")
            page.cell(s.score, "/bleu/result/scores/\(i)/score")
            page.element("td", s.precisions.map { String(format: "%.1f", $0) }.joined(separator: " / "), class: "num")
            page.cell(s.brevityPenalty, "/bleu/result/scores/\(i)/brevityPenalty")
            page.element("td", "\(s.hypothesisLength) / \(s.referenceLength)", class: "num")
            page.raw("</tr>\n")
        }
        page.raw("</table>\n")
        page.raw("<p>Signature: <code>\(HTMLText.escape(bleu.result.signature))</code> over \(bleu.result.segments) segments. Scores 0–100 as sacrebleu prints them.</p>\n</section>\n")
    }

    private static func samplesSection(_ page: inout Page, _ samples: [GenerationSample]) {
        page.raw("<section id=\"samples\"><h2>Generation samples</h2>\n")
        if samples.isEmpty { page.element("p", "No samples were generated.", class: "muted") }
        for (i, s) in samples.enumerated() {
            page.raw("<div class=\"sample\">")
            page.element("div", s.settings.label, class: "muted")
            page.raw("<p class=\"text\"><span class=\"prompt\">\(HTMLText.escape(s.prompt))</span>\(HTMLText.escape(s.continuation))</p>")
            page.raw("<div class=\"muted\">\(s.generatedTokens) tokens · first token after ")
            page.raw("<span data-json=\"/samples/\(i)/timeToFirstToken\" data-unit=\"ms\">\(HTMLText.milliseconds(s.timeToFirstToken))</span> · ")
            page.raw("<span data-json=\"/samples/\(i)/decodeTokensPerSecond\">\(HTMLText.number(s.decodeTokensPerSecond))</span> tokens/s</div>")
            page.raw("</div>\n")
        }
        page.raw("</section>\n")
    }

    private static func performanceSection(_ page: inout Page, _ r: EvaluationReport) {
        page.raw("<section id=\"performance\"><h2>Performance</h2>\n<table class=\"compact\">")
        page.headerRow(["measure", "value"])
        func row(_ name: String, _ value: Double, _ pointer: String, _ format: Page.Format = .number) {
            page.raw("<tr>")
            page.element("td", name)
            page.cell(value, pointer, format)
            page.raw("</tr>\n")
        }
        if let g = r.performance.generation {
            for (name, stats, key) in [("time to first token", g.timeToFirstToken, "timeToFirstToken"),
                                       ("per-token latency", g.perTokenLatency, "perTokenLatency")] {
                for (label, value, field) in [("mean", stats.mean, "mean"), ("std", stats.std, "std"),
                                              ("p50", stats.p50, "p50"), ("p95", stats.p95, "p95")] {
                    row("\(name), \(label)", value, "/performance/generation/\(key)/\(field)", .milliseconds)
                }
            }
            row("generation tokens/s (decode)", g.decodeTokensPerSecond, "/performance/generation/decodeTokensPerSecond")
            row("generation tokens/s (end to end)", g.tokensPerSecond, "/performance/generation/tokensPerSecond")
        }
        if let t = r.performance.evaluationTokensPerSecond {
            row("evaluation throughput, tokens/s", t, "/performance/evaluationTokensPerSecond")
        }
        if let m = r.performance.memory {
            row("peak resident memory (VmHWM)", Double(m.peakResidentBytes), "/performance/memory/peakResidentBytes", .bytes)
            row("resident memory at the end (VmRSS)", Double(m.residentBytes), "/performance/memory/residentBytes", .bytes)
        }
        if let model = r.model {
            row("model parameters", Double(model.parameters), "/model/parameters", .integer)
            row("model size on disk", Double(model.sizeBytes), "/model/sizeBytes", .bytes)
        }
        page.raw("</table>\n</section>\n")
    }

    private static func lineageSection(_ page: inout Page, _ r: EvaluationReport) {
        page.raw("<section id=\"lineage\"><h2>Lineage</h2>\n<table class=\"compact\">")
        var rows = [("corpus", r.lineage.corpus), ("tokenizer", r.lineage.tokenizer),
                    ("config", r.lineage.config), ("code version", r.lineage.codeVersion)]
        if let m = r.model { rows.append(("model", m.description)) }
        rows += r.lineage.extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (k, v) in rows {
            page.raw("<tr>")
            page.element("th", k)
            page.element("td", v, class: "lineage")
            page.raw("</tr>\n")
        }
        page.raw("</table>\n</section>\n")
    }

    private static func leakageSection(_ page: inout Page, _ leakage: LeakageReport) {
        page.raw("<section id=\"leakage\"><h2>Leakage checks</h2>\n<table class=\"compact\">")
        page.headerRow(["rule", "split", "what it means", "value", "threshold", "result"])
        for (i, c) in leakage.checks.enumerated() {
            page.raw(c.fired ? "<tr class=\"fired\">" : "<tr>")
            page.element("td", c.rule)
            page.element("td", c.split)
            page.element("td", c.description)
            page.cell(c.value, "/leakage/checks/\(i)/value")
            page.cell(c.threshold, "/leakage/checks/\(i)/threshold")
            page.element("td", c.fired ? "FIRED" : "pass")
            page.raw("</tr>\n")
        }
        page.raw("</table>\n</section>\n")
    }

    static func pointerEscape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static let style = """
    body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1140px;margin:24px auto;padding:0 16px;color:#222;line-height:1.4}
    h1{margin-bottom:4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
    table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
    th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    tr.model td{font-weight:600}tr.fired td{background:#fde2e2}
    .muted{color:#666;font-size:13px}.alarm{background:#fde2e2;border:2px solid #c00;padding:12px;margin:16px 0}
    .ok{background:#e6f4e6;border:1px solid #4a4;padding:12px;margin:16px 0}
    .charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #ddd}
    .margin{font-size:15px;margin:8px 0}.sample{border-left:3px solid #1f77b4;padding:4px 12px;margin:12px 0}.text{white-space:pre-wrap;margin:4px 0}
    .prompt{font-weight:bold;background:#eef4fb}.token{font-family:ui-monospace,monospace;white-space:pre}
    .lineage{font-family:ui-monospace,monospace;font-size:13px;word-break:break-all}.up{color:#a00}.down{color:#070}
    """
}
