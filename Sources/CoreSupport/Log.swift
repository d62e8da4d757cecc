import Foundation

/// Human-facing messages on stderr; stdout is kept for machine-readable results.
public struct Log: Sendable {
    public let prefix: String
    public let quiet: Bool

    public init(prefix: String, quiet: Bool = false) {
        self.prefix = prefix
        self.quiet = quiet
    }

    public func info(_ message: String) {
        guard !quiet else { return }
        Self.write("[\(prefix)] \(message)\n")
    }

    public func warning(_ message: String) {
        Self.write("[\(prefix)] warning: \(message)\n")
    }

    public static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    public static var stderrIsTTY: Bool { isatty(2) == 1 }
}

/// Progress of long work: a redrawn line on a terminal, a plain log line every few seconds
/// otherwise (cron, CI).
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int64?
    private let unit: Unit
    private let start = Date()
    private var lastReport = Date.distantPast
    private let interval: TimeInterval
    private let tty = Log.stderrIsTTY
    private let lock = NSLock()
    private(set) var done: Int64 = 0

    public enum Unit: Sendable { case items(String), bytes }

    public init(_ label: String, total: Int64? = nil, unit: Unit = .items("items")) {
        self.label = label
        self.total = total
        self.unit = unit
        interval = tty ? 0.2 : 10
    }

    public func advance(by count: Int64 = 1) { update(to: lock.withLock { done + count }) }

    public func update(to value: Int64) {
        lock.withLock {
            done = value
            let now = Date()
            guard now.timeIntervalSince(lastReport) >= interval else { return }
            lastReport = now
            Log.write(tty ? "\r\u{1B}[K" + line(now) : line(now) + "\n")
        }
    }

    public func finish() {
        lock.withLock { Log.write((tty ? "\r\u{1B}[K" : "") + line(Date()) + "\n") }
    }

    private func line(_ now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        var text = "[\(label)] \(format(Double(done)))"
        if let total { text += " / \(format(Double(total)))" }
        text += String(format: ", %@/s, %.0fs elapsed", format(rate), elapsed)
        if let total, rate > 0, done < total {
            text += String(format: ", ETA %.0fs", Double(total - done) / rate)
        }
        return text
    }

    private func format(_ value: Double) -> String {
        switch unit {
        case .items(let name): return String(format: "%.0f %@", value, name)
        case .bytes:
            let units = ["B", "KiB", "MiB", "GiB", "TiB"]
            var v = value, i = 0
            while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
            return String(format: i == 0 ? "%.0f %@" : "%.1f %@", v, units[i])
        }
    }
}
