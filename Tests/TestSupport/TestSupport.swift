import Foundation

/// A directory under /tmp removed when the value is released.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "minillm") {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ text: String) {
        let target = file(name)
        try! FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try! text.write(toFile: target, atomically: true, encoding: .utf8)
    }

    deinit {
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", path]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The outcome of a finished child process.
public struct ProcessResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout parsed as one JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
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

    /// The package root (for bundled data such as `pipeline/`).
    public static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }
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
