import Foundation

/// The outcome of a finished child process.
public struct ProcessResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout parsed as one JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
    }

    private var stages: [[String: Any]] { json?["stages"] as? [[String: Any]] ?? [] }

    /// Stage name → "built" or "fresh", from `run`'s JSON.
    public var stageOutcomes: [String: String] {
        Dictionary(uniqueKeysWithValues: stages.map { ($0["stage"] as! String, $0["status"] as! String) })
    }

    /// Role → hash over every stage run; `qualified` names them "stage.role".
    public func stageOutputs(qualified: Bool = false) -> [String: String] {
        var all: [String: String] = [:]
        for stage in stages {
            for (role, hash) in stage["outputs"] as? [String: String] ?? [:] {
                all[qualified ? "\(stage["stage"]!).\(role)" : role] = hash
            }
        }
        return all
    }
}

/// Finds executables built by SwiftPM next to the test bundle.
public enum BuiltProducts {
    public static var directory: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
            Bundle.main.bundleURL.deletingLastPathComponent().path,
            Bundle.main.bundlePath,
        ]
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/minillm-fixture-driver") {
            return dir
        }
        return candidates[0]
    }

    public static func path(_ name: String) -> String { directory + "/" + name }
}

/// Starts a child process with captured output.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let group = DispatchGroup()

    public init(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isOut) in [(stdoutPipe, true), (stderrPipe, false)] {
            group.enter()
            DispatchQueue.global().async { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                if isOut { stdoutData = data } else { stderrData = data }
                group.leave()
            }
        }
    }

    public var pid: Int32 { process.processIdentifier }

    public func kill(_ signal: Int32 = SIGKILL) { Glibc.kill(process.processIdentifier, signal) }

    public func wait() -> ProcessResult {
        process.waitUntilExit()
        group.wait()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                             stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs to completion.
    public static func run(_ executable: String, _ arguments: [String], cwd: String? = nil,
                           environment: [String: String] = [:]) throws -> ProcessResult {
        try ChildProcess(executable, arguments, cwd: cwd, environment: environment).wait()
    }
}
