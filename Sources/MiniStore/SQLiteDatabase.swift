import CSQLite
import Foundation

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A value bound to or read from a SQLite statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int: Int64? { if case .integer(let v) = self { v } else { nil } }
    public var double: Double? {
        switch self { case .real(let v): v; case .integer(let v): Double(v); default: nil }
    }
    public var string: String? { if case .text(let v) = self { v } else { nil } }
}

public typealias SQLRow = [String: SQLValue]

/// A thin, synchronous handle on one SQLite connection.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?
    public let path: String

    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            handle = nil
            throw StoreError.sqlite(code: rc, message: message, sql: "open \(path)")
        }
        sqlite3_busy_timeout(handle, 30_000)
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(errorMessage)
            throw StoreError.sqlite(code: rc, message: message, sql: sql)
        }
    }

    /// Runs one statement with parameters and returns every row.
    @discardableResult
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [SQLRow] {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql) }
        defer { sqlite3_finalize(statement) }
        for (index, value) in arguments.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: rc = sqlite3_bind_null(statement, position)
            case .integer(let v): rc = sqlite3_bind_int64(statement, position, v)
            case .real(let v): rc = sqlite3_bind_double(statement, position, v)
            case .text(let v): rc = sqlite3_bind_text(statement, position, v, -1, SQLITE_TRANSIENT)
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        var rows: [SQLRow] = []
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql) }
            var row: SQLRow = [:]
            for column in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, column))
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row[name] = .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: row[name] = .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: row[name] = .null
                default: row[name] = .text(String(cString: sqlite3_column_text(statement, column)))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `sql`, retrying for up to `seconds` while another connection holds a lock.
    ///
    /// SQLite answers `SQLITE_BUSY` at once, without the busy handler, where waiting could deadlock —
    /// as when two processes open a new catalogue together and both ask for write-ahead logging.
    /// Statements here must be safe to repeat.
    public func executeRetryingWhileBusy(_ sql: String, seconds: Double = 30) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do { return try execute(sql) } catch StoreError.sqlite(let code, _, _)
                where code & 0xff == SQLITE_BUSY && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func error(_ rc: Int32, _ sql: String) -> StoreError {
        StoreError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
