/// A line of a JSON Lines corpus that is not a valid record: the file, the line and why.
public struct BadRecord: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String

    public init(_ file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file): line \(line): \(reason)" }
}
