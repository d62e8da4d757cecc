import CoreSupport
import Foundation

/// Resident memory of this process as the report records it: `VmRSS` (now) and `VmHWM` (the
/// peak), read by the backbone's `ProcessMemory` from /proc/self/status.
public struct MemoryUsage: Codable, Sendable, Equatable {
    public var residentBytes: Int
    public var peakResidentBytes: Int

    public init(residentBytes: Int, peakResidentBytes: Int) {
        self.residentBytes = residentBytes
        self.peakResidentBytes = peakResidentBytes
    }

    /// Resets the kernel's peak (`VmHWM`) to the current resident size by writing 5 to
    /// /proc/self/clear_refs (Linux 4.0 and later), so that a later `now()` reports the peak of
    /// what ran since. Returns false where that is not possible.
    @discardableResult
    public static func resetPeak() -> Bool {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1
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
