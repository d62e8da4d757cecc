import MiniPipeline

/// Resident memory of this process as the report records it: `VmRSS` (now) and `VmHWM` (the
/// peak), read by the backbone's `ProcessMemory` from /proc/self/status.
public struct MemoryUsage: Codable, Sendable, Equatable {
    public var residentBytes: Int
    public var peakResidentBytes: Int

    public init(residentBytes: Int, peakResidentBytes: Int) {
        self.residentBytes = residentBytes
        self.peakResidentBytes = peakResidentBytes
    }

    /// Throws where /proc/self/status gives no figures, rather than report "0 MB".
    public static func now() throws -> MemoryUsage {
        let usage = MemoryUsage(residentBytes: Int(ProcessMemory.residentBytes),
                                peakResidentBytes: Int(ProcessMemory.peakResidentBytes))
        guard usage.residentBytes > 0, usage.peakResidentBytes > 0 else { throw MemoryUsageError.unavailable }
        return usage
    }
}

public enum MemoryUsageError: Error, CustomStringConvertible, Equatable {
    case unavailable

    public var description: String {
        "resident memory unavailable: /proc/self/status has no VmRSS/VmHWM (Linux /proc is needed)"
    }
}
