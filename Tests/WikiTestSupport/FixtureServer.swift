import Foundation
import TestSupport
import WikiSource

/// The fault-injecting MediaWiki look-alike (`Tests/Fixtures/wikifixture.py`), one process per
/// test on a free port of 127.0.0.1, stopped when the value goes away.
public final class FixtureServer {
    public let port: Int
    public let logPath: String
    private let process: Process
    private let directory: TemporaryDirectory

    /// `port` 0 picks a free one; a fixed port lets a second server stand in for a stopped one.
    /// `pages` > 0 makes a wiki of that many pages; `maxResultBytes` > 0 plays `$wgAPIMaxResultSize`;
    /// `randomStart` is where the random generator starts (the server's own choice on a real wiki).
    public init(faults: [String] = [], files: String? = nil, contentPageLimit: Int = 1000, port: Int = 0,
                pages: Int = 0, mainPage: String? = nil, maxResultBytes: Int = 0, randomStart: Int = 0) throws {
        directory = TemporaryDirectory("wikifixture")
        logPath = directory.file("requests.jsonl")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Repo.fixtures + "/wikifixture.py", "--log", logPath,
                         "--api-data", Repo.data("eswiki-api-query-revisions-50pages-20191014.json.bz2"),
                         "--content-page-limit", String(contentPageLimit), "--port", String(port),
                         "--pages", String(pages), "--max-result-bytes", String(maxResultBytes),
                         "--random-start", String(randomStart)]
        if let files { arguments += ["--files", files] }
        if let mainPage { arguments += ["--main-page", mainPage] }
        arguments += faults.flatMap { ["--fault", $0] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = [UInt8]()
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        guard let port = String(decoding: line, as: UTF8.self).split(separator: " ").last.flatMap({ Int($0) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    /// SIGKILL: the test runner's threads block SIGTERM, and children inherit that mask.
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public var endpoint: String { "http://127.0.0.1:\(port)/w/api.php" }
    public func fileURL(_ name: String) -> String { "http://127.0.0.1:\(port)/files/\(name)" }

    /// The requests served so far, oldest first.
    public func requests(_ kind: String? = nil) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { kind == nil || $0["kind"] as? String == kind }
    }
}

/// Retry settings that keep tests fast, with every requested wait recorded instead of slept
/// when `record` is set.
public final class WaitLog: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var list: [Double] = []
    public var waits: [Double] { lock.withLock { list } }

    public func policy(attempts: Int = 4, record: Bool = true) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.maxAttempts = attempts
        policy.baseDelay = 0.01
        policy.maxDelay = 0.05
        policy.maxRetryAfter = 30
        policy.sleep = { [self] seconds in
            lock.withLock { list.append(seconds) }
            if !record { Thread.sleep(forTimeInterval: seconds) }
        }
        return policy
    }
}
