import Foundation

/// The worker-thread count a user asked for with `MINILLM_THREADS`. It is read here only:
/// results are bitwise identical for any thread count, so it is an environment setting, not a
/// stage parameter (and not part of any cache key).
public enum ThreadCount {
    /// The requested count, or nil (not set, or not a number) for the kernels' default: every core.
    public static var requested: Int? {
        ProcessInfo.processInfo.environment["MINILLM_THREADS"].flatMap(Int.init)
    }
}
