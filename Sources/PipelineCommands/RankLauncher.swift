import ArgumentParser
import CoreSupport
import Foundation
import MiniPipeline
import MiniStore

/// `run --ranks N [--hosts FILE]`: a stage that runs on ranks (`Stage.runsOnRanks`) and is not
/// fresh is built by `mpirun -np N minillm-<stage> …` (the executable next to this one, with the
/// same store, pipeline file and preset), whose rank 0 records the run; the result is read from
/// its stdout. A signal this process gets is passed on to `mpirun`, which passes it to every rank.
struct RankLauncher {
    let ranks: Int
    let hostfile: String?
    let options: StoreOptions
    let wait: Bool

    /// The `mpirun` command line. On one host (no hostfile) ranks may outnumber cores
    /// (`--oversubscribe`); ranks are never bound to one core each (`--bind-to none`), so that
    /// each one's worker threads can spread. Every `MINILLM_*` variable set here reaches every
    /// rank (`-x`, for other hosts). As root, mpirun needs `--allow-run-as-root`.
    func arguments(stage: String, force: Bool, executableDirectory: String) -> [String] {
        var arguments: [String] = geteuid() == 0 ? ["--allow-run-as-root"] : []
        if let hostfile { arguments += ["--hostfile", Self.absolute(hostfile)] } else { arguments.append("--oversubscribe") }
        arguments += ["--bind-to", "none", "-np", String(ranks)]
        for name in ProcessInfo.processInfo.environment.keys.sorted() where name.hasPrefix("MINILLM_") {
            arguments += ["-x", name]
        }
        arguments += [executableDirectory + "/minillm-" + stage, "--store", Self.absolute(options.storePath),
                      "--pipeline", Self.absolute(options.pipeline)]
        if let preset = options.preset { arguments += ["--preset", preset] }
        if force { arguments.append("--force") }
        if !wait { arguments.append("--no-wait") }
        return arguments
    }

    func launch(_ stage: any Stage, force: Bool) throws -> StageResult {
        guard let mpirun = Self.onPath("mpirun") else {
            throw LaunchError("mpirun is not on PATH: install Open MPI (openmpi-bin; pipeline/scripts/install-deps.sh)")
        }
        let directory = Bundle.main.executableURL?.deletingLastPathComponent().path ?? "."
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = arguments(stage: stage.name, force: force, executableDirectory: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        Log(prefix: stage.name).info("on \(ranks) rank\(ranks == 1 ? "" : "s"): mpirun " + process.arguments!.joined(separator: " "))
        let started = Date()
        try process.run()
        let reader = OutputReader(output.fileHandleForReading)
        var forwarded = false
        while process.isRunning {
            if let signal = Interruption.signal, !forwarded {
                kill(process.processIdentifier, signal)
                forwarded = true
            }
            usleep(50_000)
        }
        let text = reader.text()
        if let signal = Interruption.signal { throw Interrupted(signal: signal) }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        guard status == 0 else {
            Log.write("minillm: stage \(stage.name) on \(ranks) ranks failed: mpirun exited with status \(status)\n")
            // mpirun exits with the first failed rank's status: a documented code passes through,
            // anything else (a rank killed by a signal) is a failed stage.
            let documented = MinillmExit(rawValue: status).map { $0 != .success } ?? false
            throw ExitCode(documented ? status : MinillmExit.stageFailed.rawValue)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let key = object["key"] as? String, let outcome = (object["status"] as? String).flatMap(StageResult.Outcome.init),
              let outputs = object["outputs"] as? [String: String] else {
            throw LaunchError("stage \(stage.name) on \(ranks) ranks: mpirun's output is not the stage's result: "
                              + MessageText.bounded(text))
        }
        var hashes: [String: ArtifactHash] = [:]
        for (role, hex) in outputs {
            guard let hash = ArtifactHash(hex) else { throw LaunchError("stage \(stage.name): output \(role) is not a hash: \(hex)") }
            hashes[role] = hash
        }
        return StageResult(stage: stage.name, cacheKey: key, outcome: outcome, outputs: hashes,
                           seconds: Date().timeIntervalSince(started))
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func onPath(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Reads a pipe to its end on a thread of its own, so that a child never blocks on a full pipe.
private final class OutputReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why a stage could not be launched on ranks, in one line.
struct LaunchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
