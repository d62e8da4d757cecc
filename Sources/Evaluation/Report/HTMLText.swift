import Foundation

/// Escaping and number formatting shared by the HTML page and its SVG charts. The output is
/// XHTML-compatible, so an XML parser can check it as strictly as a browser reads it.
enum HTMLText {
    /// Escapes text for element content and quoted attribute values; characters XML forbids
    /// (control characters a model may emit) become U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default:
                let v = c.value
                let allowed = (v >= 0x20 && v < 0x7F) || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                out.unicodeScalars.append(allowed ? c : "\u{FFFD}")
            }
        }
        return out
    }

    /// Metric display: 4 significant digits in plain notation, scientific outside 1e-4…1e6.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e6 || a < 1e-4 { return String(format: "%.3e", x) }
        let decimals = max(0, 3 - Int(log10(a).rounded(.down)))
        return String(format: "%.\(decimals)f", x)
    }

    /// Thousands separated by commas: 4,150,000.
    static func integer(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func percent(_ x: Double) -> String { String(format: "%.2f %%", x * 100) }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var v = Double(n.magnitude), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        let sign = n < 0 ? "-" : ""
        return u == 0 ? "\(n) B" : sign + String(format: "%.1f", v) + " " + units[u]
    }

    static func milliseconds(_ seconds: Double) -> String { number(seconds * 1000) + " ms" }
}
