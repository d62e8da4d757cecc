import CoreSupport
import Foundation

/// Training metrics, three ways: the catalogue's `metrics` table (for `sqlite3`), a JSON Lines
/// log stored as an artifact, and a progress line on stderr with an ETA.
public final class MetricsLog {
    /// Where each step's metrics go as well (the train stage: the catalogue's `metrics` table).
    private let sink: ((Int64, [(String, Double)]) throws -> Void)?
    private let totalSteps: Int
    private var lastReport = Date.distantPast
    private let interval: TimeInterval = Log.stderrIsTTY ? 1 : 15
    private let started = Date()
    private let firstStep: Int
    /// The JSON Lines text so far (one object per step or evaluation).
    public private(set) var lines: [String]

    public init(totalSteps: Int, resumedLines: [String] = [], firstStep: Int = 0,
                sink: ((Int64, [(String, Double)]) throws -> Void)? = nil) {
        self.sink = sink
        self.totalSteps = totalSteps
        self.lines = resumedLines
        self.firstStep = firstStep
    }

    public func record(step: Int, kind: String, _ values: [(String, Double)]) throws {
        try sink?(Int64(step), values.map { ("\(kind)_\($0.0)", $0.1) })
        let fields = values.map { "\"\($0.0)\":\(Self.number($0.1))" }.joined(separator: ",")
        lines.append("{\"kind\":\"\(kind)\",\"step\":\(step),\(fields)}")
    }

    /// A one-line summary on stderr, throttled; evaluations are always shown.
    public func report(step: Int, _ text: String, force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastReport) >= interval || step + 1 == totalSteps else { return }
        lastReport = now
        let elapsed = now.timeIntervalSince(started)
        let done = step + 1 - firstStep
        let eta = done > 0 ? elapsed / Double(done) * Double(totalSteps - step - 1) : 0
        Log.write(String(format: "[train] step %d/%d  %@  elapsed %.0fs  ETA %.0fs\n", step + 1, totalSteps, text, elapsed, eta))
    }

    public var jsonl: Data { Data(lines.map { $0 + "\n" }.joined().utf8) }

    private static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }
}
