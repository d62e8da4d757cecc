import Foundation

/// A directory under /tmp removed when the value is released.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "minillm") {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A fresh directory for the duration of `body`, which gets its path.
    public static func with<T>(_ label: String = "minillm", _ body: (String) throws -> T) rethrows -> T {
        let directory = TemporaryDirectory(label)
        return try withExtendedLifetime(directory) { try body(directory.path) }
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Creates `name` (and its parents) if missing; returns its path.
    @discardableResult
    public func directory(_ name: String) -> String {
        try! FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
        return file(name)
    }

    public func write(_ name: String, _ text: String) {
        let target = file(name)
        directory((name as NSString).deletingLastPathComponent)
        try! text.write(toFile: target, atomically: true, encoding: .utf8)
    }

    deinit {
        // Tests make parts read-only; restore write bits so removal succeeds.
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", path]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }
}
