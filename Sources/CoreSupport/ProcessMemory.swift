import Foundation

/// Resident memory of this process, read from `/proc/self/status` (real RSS, in bytes).
public enum ProcessMemory {
    /// Current resident set size (`VmRSS`).
    public static var residentBytes: Int64 { field("VmRSS:") }
    /// Peak resident set size since the process started (`VmHWM`).
    public static var peakResidentBytes: Int64 { field("VmHWM:") }

    private static func field(_ name: String) -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        let kib = line.split(separator: " ").compactMap { Int64($0) }.first ?? 0
        return kib * 1024
    }
}
