import Foundation

/// An advisory `flock` lock on a file. The kernel releases it when the holder dies, so a lock
/// left by a killed process is taken over by the next one without any cleanup.
public final class FileLock {
    public enum Mode { case shared, exclusive }

    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Acquires the lock; with `wait: false` returns nil when another process holds it.
    public static func acquire(_ path: String, mode: Mode = .exclusive, wait: Bool = true) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open lock", errno: errno) }
        var operation = mode == .exclusive ? LOCK_EX : LOCK_SH
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw StoreError.io(path: path, operation: "flock", errno: code)
        }
        return FileLock(path: path, fd: fd)
    }

    /// True when some live process holds the lock (checked by trying to take it, then letting go).
    public static func isHeld(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        guard let probe = try? acquire(path, mode: .exclusive, wait: false) else { return true }
        probe.release()
        return false
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
