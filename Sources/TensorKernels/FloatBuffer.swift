/// An owned, 64-byte aligned, zero-initialised block of `Float`s.
///
/// Reference semantics on purpose: views into it are plain pointers, and kernels never allocate.
public final class FloatBuffer: @unchecked Sendable {
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var count: Int

    public init(count: Int) {
        self.count = count
        pointer = Self.allocate(count)
    }

    deinit { pointer.deallocate() }

    /// Grows (never shrinks) to hold at least `count` floats; contents are zeroed when it grows.
    public func reserve(_ count: Int) {
        guard count > self.count else { return }
        pointer.deallocate()
        pointer = Self.allocate(count)
        self.count = count
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }

    public func zero() { pointer.update(repeating: 0, count: count) }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        return raw.assumingMemoryBound(to: Float.self)
    }
}

/// Per-worker scratch memory: `perWorker` floats for each worker of a pool, reserved up front.
public final class WorkerScratch: @unchecked Sendable {
    private let storage = FloatBuffer(count: 0)
    public private(set) var perWorker = 0
    public let workers: Int

    public init(workers: Int) { self.workers = workers }

    public func reserve(perWorker floats: Int) {
        // Rounded to a cache line so that workers never share one.
        let rounded = (floats + 15) / 16 * 16
        guard rounded > perWorker else { return }
        storage.reserve(rounded * workers)
        perWorker = rounded
    }

    public func pointer(worker: Int) -> UnsafeMutablePointer<Float> {
        storage.pointer + worker * perWorker
    }
}
