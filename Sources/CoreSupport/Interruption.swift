import Foundation
import Synchronization

/// SIGTERM (cron, CI, systemd, `docker stop`) and SIGINT (Ctrl-C) stop a command in order
/// instead of killing it mid-run:
///
/// - The first signal sets a flag. Long work that can stop cleanly (the runner between stages,
///   the training loop between steps) checks it and throws `Interrupted`; the runner records the
///   run `abandoned` ("interrupted by SIGTERM") and the command exits 128 + the signal number.
/// - Work that never looks at the flag gets a grace period (`MINILLM_STOP_GRACE_SECONDS`,
///   default 5). Then the registered hard stop runs (it records the run the same way and removes
///   this process's temporary files) and the process exits with the same code. Exiting at any
///   instant is safe: the store survives `kill -9` by construction.
/// - A second signal exits at once, like a kill; the next command reaps the run.
public enum Interruption {
    /// The first signal received, 0 while none.
    private static let received = Atomic<Int32>(0)
    /// The write end of the pipe that wakes the watcher thread, -1 before `install`.
    private static let wakeFD = Atomic<Int32>(-1)
    private static let hardStop = Mutex<(@Sendable () -> Void)?>(nil)

    /// The signal that asked this process to stop, if one did.
    public static var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Throws `Interrupted` once a stop was asked for: call it where work can stop cleanly.
    public static func check() throws(Interrupted) {
        if let signal { throw Interrupted(signal: signal) }
    }

    /// What the watcher does after the grace period, before it exits (nil: only exit).
    public static func setHardStop(_ action: (@Sendable () -> Void)?) {
        hardStop.withLock { $0 = action }
    }

    /// Handles SIGTERM and SIGINT from now on (idempotent).
    public static func install() {
        var fds: [Int32] = [0, 0]
        guard wakeFD.load(ordering: .acquiring) < 0, pipe(&fds) == 0 else { return }
        wakeFD.store(fds[1], ordering: .releasing)
        let readFD = fds[0]
        let grace = ProcessInfo.processInfo.environment["MINILLM_STOP_GRACE_SECONDS"].flatMap(Double.init) ?? 5
        Thread.detachNewThread { watch(readFD, grace: max(0, grace)) }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            // Only async-signal-safe calls here: an atomic exchange, write(2) and _exit(2).
            let saved = errno
            if Interruption.received.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged {
                var byte: UInt8 = 1
                _ = write(Interruption.wakeFD.load(ordering: .acquiring), &byte, 1)
            } else {
                _exit(128 + number)
            }
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        // A blocked mask is inherited across exec (some launchers block these): unblock them here.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGTERM, SIGINT] {
            sigaction(number, &action, nil)
            sigaddset(&unblock, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    private static func watch(_ readFD: Int32, grace: Double) {
        var byte: UInt8 = 0
        while read(readFD, &byte, 1) < 0 && errno == EINTR {}
        guard let signal else { return }
        Log.write("minillm: \(Interrupted.name(of: signal)) received: stopping (a second signal stops at once)\n")
        usleep(useconds_t(min(grace, 3600) * 1_000_000))
        hardStop.withLock { $0 }?()
        Log.write("minillm: stopped by \(Interrupted.name(of: signal)) after the \(grace) s grace period\n")
        _exit(128 + signal)
    }
}

/// A command stopped by SIGTERM or SIGINT; it exits 128 + the signal number (143, 130).
public struct Interrupted: Error, CustomStringConvertible, Equatable {
    public let signal: Int32

    public init(signal: Int32) { self.signal = signal }

    public var description: String { "interrupted by \(Self.name(of: signal))" }

    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(signal)"
        }
    }
}
