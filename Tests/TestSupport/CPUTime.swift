import Foundation

/// CPU seconds the calling thread spends in `body`, with its result. Unlike wall-clock time it
/// does not grow while other processes hold the cores, so ratios of it survive a busy machine.
public func threadCPUTime<T>(_ body: () throws -> T) rethrows -> (seconds: Double, result: T) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    let start = now()
    let result = try body()
    return (now() - start, result)
}

/// The least of `runs` CPU-time measurements of `body`: the others carry first-touch costs.
public func minimumThreadCPUTime(runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<runs { best = min(best, try threadCPUTime(body).seconds) }
    return best
}
