import Foundation

/// A small line chart rendered as inline SVG: axes with round-number ticks, optional log
/// scales, one polyline per series and a legend. Points that cannot be drawn (not finite, or
/// ≤ 0 on a log axis) are left out; with nothing left it says "no data recorded".
struct SVGChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var logX = false
    var logY = false
    var width = 540.0
    var height = 300.0

    private static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    private let left = 70.0, right = 16.0, top = 46.0, bottom = 46.0

    func render() -> String {
        let drawable = series.map { s in
            s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) && (!logY || $0.y > 0) }
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(f(width))\" height=\"\(f(height))\""
            + " viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        svg += "<title>\(HTMLText.escape(title))</title>"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"#ffffff\"/>"
        svg += text(title, x: left, y: 18, attributes: "font-size=\"14\" font-weight=\"bold\"")
        let plotW = width - left - right, plotH = height - top - bottom
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#999999\"/>"
        let all = drawable.flatMap { $0 }
        guard let xr = Self.range(all.map(\.x), log: logX), let yr = Self.range(all.map(\.y), log: logY) else {
            svg += text("no data recorded", x: left + plotW / 2, y: top + plotH / 2, attributes: "text-anchor=\"middle\" fill=\"#777777\"")
            return svg + "</svg>"
        }
        let sx = Scale(lo: xr.0, hi: xr.1, log: logX, from: left, to: left + plotW)
        let sy = Scale(lo: yr.0, hi: yr.1, log: logY, from: top + plotH, to: top)

        for t in Self.ticks(xr, log: logX) {
            let x = sx(t)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"#eeeeee\"/>"
            svg += text(Self.label(t), x: x, y: top + plotH + 16, attributes: "text-anchor=\"middle\" font-size=\"11\"")
        }
        for t in Self.ticks(yr, log: logY) {
            let y = sy(t)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#eeeeee\"/>"
            svg += text(Self.label(t), x: left - 6, y: y + 4, attributes: "text-anchor=\"end\" font-size=\"11\"")
        }
        svg += text(xLabel + (logX ? " (log)" : ""), x: left + plotW / 2, y: height - 8, attributes: "text-anchor=\"middle\" font-size=\"12\"")
        svg += text(yLabel + (logY ? " (log)" : ""), x: 14, y: top + plotH / 2,
                    attributes: "text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 \(f(top + plotH / 2)))\"")

        var legendX = left
        for (i, points) in drawable.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let dash = series[i].dashed ? " stroke-dasharray=\"6 4\"" : ""
            let coordinates = points.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }
            if coordinates.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(coordinates.joined(separator: " "))\"/>"
            }
            if coordinates.count <= 40 {
                for p in points { svg += "<circle cx=\"\(f(sx(p.x)))\" cy=\"\(f(sy(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>" }
            }
            svg += "<line x1=\"\(f(legendX))\" y1=\"34\" x2=\"\(f(legendX + 18))\" y2=\"34\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>"
            svg += text(series[i].name, x: legendX + 22, y: 38, attributes: "font-size=\"11\"")
            legendX += 34 + Double(series[i].name.count) * 6.2
        }
        return svg + "</svg>"
    }

    private func text(_ s: String, x: Double, y: Double, attributes: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" \(attributes)>\(HTMLText.escape(s))</text>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private struct Scale {
        let lo: Double, hi: Double, log: Bool, from: Double, to: Double
        func callAsFunction(_ v: Double) -> Double {
            let (a, b, x) = log ? (log10(lo), log10(hi), log10(v)) : (lo, hi, v)
            return from + (x - a) / (b - a) * (to - from)
        }
    }

    /// Data range, widened when flat, padded by 5 % on a linear axis; an axis of data that is
    /// never negative (losses, rates, accuracies) does not extend below 0.
    static func range(_ values: [Double], log: Bool) -> (Double, Double)? {
        guard var lo = values.min(), var hi = values.max() else { return nil }
        if log {
            if lo == hi { lo /= 10; hi *= 10 }
            return (lo, hi)
        }
        let nonNegative = lo >= 0
        if lo == hi { lo -= max(abs(lo) * 0.1, 1); hi += max(abs(hi) * 0.1, 1) }
        let pad = (hi - lo) * 0.05
        return (nonNegative ? max(lo - pad, 0) : lo - pad, hi + pad)
    }

    /// Steps of 1, 2 or 5 × 10ⁿ giving about five ticks; decades (with 2× and 5× between
    /// when the range spans three decades or fewer) on a log axis.
    static func ticks(_ r: (Double, Double), log: Bool) -> [Double] {
        if log {
            let a = Int(log10(r.0).rounded(.down)), b = Int(log10(r.1).rounded(.up))
            let multipliers: [Double] = b - a <= 3 ? [1, 2, 5] : [1]
            let stride = max(1, (b - a) / 8)
            return Swift.stride(from: a, through: b, by: stride).flatMap { e in multipliers.map { $0 * pow(10, Double(e)) } }
                .filter { $0 >= r.0 && $0 <= r.1 }
        }
        let raw = (r.1 - r.0) / 5
        let magnitude = pow(10, log10(raw).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var t = (r.0 / step).rounded(.up) * step
        var out: [Double] = []
        while t <= r.1 + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.0e", v) }
        if v == v.rounded() { return String(format: "%.0f", v) }
        return String(format: "%g", v)
    }
}
