import Foundation

/// The report's charts, built from its history and bias summary.
enum HTMLCharts {
    static func charts(_ r: EvaluationReport) -> [SVGChart] {
        let h = r.history
        func series(_ name: String, _ value: (HistoryPoint) -> Double?, dashed: Bool = false) -> SVGChart.Series {
            SVGChart.Series(name: name, points: h.compactMap { p in value(p).map { (Double(p.step), $0) } }, dashed: dashed)
        }
        var charts = [
            SVGChart(title: "Loss", xLabel: "step", yLabel: "cross-entropy (nats)",
                     series: [series("train", \.trainLoss), series("validation", \.validationLoss)]),
            SVGChart(title: "Perplexity", xLabel: "step", yLabel: "perplexity",
                     series: [series("train", { $0.trainLoss.map(exp) }),
                              series("validation", { $0.validationLoss.map(exp) })],
                     logY: true),
            SVGChart(title: "Learning rate", xLabel: "step", yLabel: "learning rate",
                     series: [series("learning rate", \.learningRate)]),
            SVGChart(title: "Validation top-1 accuracy", xLabel: "step", yLabel: "accuracy",
                     series: [series("validation top-1", \.validationAccuracy)]),
        ]
        // Baselines as flat reference lines on the loss chart make "did it learn?" visible.
        if let steps = h.map(\.step).min().flatMap({ lo in h.map(\.step).max().map { (lo, $0) } }), steps.0 < steps.1,
           let held = r.splits.first(where: { $0.name == "validation" }) ?? r.splits.last {
            for (name, s) in HTMLReport.orderedBaselines(held) {
                charts[0].series.append(SVGChart.Series(
                    name: "\(name.split(separator: " ").first ?? "") on \(held.name)",
                    points: [(Double(steps.0), s.meanLoss), (Double(steps.1), s.meanLoss)], dashed: true))
            }
        }
        let bins = r.bias?.summary.frequencyBins ?? []
        let center = { (b: FrequencyBin) in (Double(b.firstRank) * Double(b.lastRank)).squareRoot() }
        charts.append(SVGChart(
            title: "Token-frequency bias" + (r.bias.map { " (\($0.split))" } ?? ""),
            xLabel: "token rank by true frequency", yLabel: "probability per token",
            series: [SVGChart.Series(name: "true next-token frequency f", points: bins.map { (center($0), $0.observed) }),
                     SVGChart.Series(name: "mean predicted probability q", points: bins.map { (center($0), $0.predicted) },
                                     dashed: true)],
            logX: true, logY: true))
        return charts
    }
}
