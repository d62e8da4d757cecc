import Foundation

/// Resident memory of this process from the kernel's accounting in /proc/self/status:
/// `VmRSS` (now) and `VmHWM` (the peak, "high water mark"), reported there in KiB.
public struct ProcessMemory: Codable, Sendable, Equatable {
    public var residentBytes: Int
    public var peakResidentBytes: Int

    public static func current(statusPath: String = "/proc/self/status") throws -> ProcessMemory {
        let text: String
        do { text = try String(contentsOfFile: statusPath, encoding: .utf8) } catch {
            throw ProcessMemoryError.unreadable(path: statusPath, reason: "\(error)")
        }
        func kibibytes(_ field: String) throws -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
                let parts = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count == 2, parts[1] == "kB", let value = Int(parts[0]) { return value }
                throw ProcessMemoryError.malformed(path: statusPath, line: String(line))
            }
            throw ProcessMemoryError.missingField(path: statusPath, field: field)
        }
        return ProcessMemory(residentBytes: try kibibytes("VmRSS") * 1024,
                             peakResidentBytes: try kibibytes("VmHWM") * 1024)
    }
}

public enum ProcessMemoryError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case missingField(path: String, field: String)
    case malformed(path: String, line: String)

    public var description: String {
        switch self {
        case let .unreadable(p, r): "cannot read process memory from \(p) (Linux /proc needed): \(r)"
        case let .missingField(p, f): "\(p) has no \(f) line"
        case let .malformed(p, l): "\(p): cannot parse '\(l)' as '<field>: <number> kB'"
        }
    }
}
