import Foundation

/// Every way the store and catalogue can fail, each with a message that names what and where.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case storeMissing(path: String)
    case storeNotWritable(path: String)
    case storeNotADirectory(path: String)
    case io(path: String, operation: String, errno: Int32)
    case unknownHash(String)
    case badHashPrefix(String, reason: String)
    case objectMissing(ArtifactHash)
    case objectCorrupt(ArtifactHash, actual: ArtifactHash)
    case objectChangedWhileReading(ArtifactHash)
    case ambiguousPrefix(String, matches: Int)
    case sqlite(code: Int32, message: String, sql: String)
    case schemaTooNew(found: Int, supported: Int)
    case lockBusy(path: String)

    public var description: String {
        switch self {
        case .storeMissing(let path):
            return "store directory \(path) does not exist (create it, or pass --store DIR)"
        case .storeNotWritable(let path):
            return "store directory \(path) is not writable"
        case .storeNotADirectory(let path):
            return "store \(path) is not a directory (pass --store DIR with the store's directory)"
        case .io(let path, let operation, let code):
            return "\(operation) failed for \(path): \(String(cString: strerror(code)))"
        case .unknownHash(let text):
            return "no artifact \(text) in the catalogue"
        case .badHashPrefix(let text, let reason):
            return "\"\(text)\" is not a usable hash prefix: \(reason)"
        case .objectMissing(let hash):
            return "object \(hash) is recorded in the catalogue but missing from store/objects"
        case .objectCorrupt(let hash, let actual):
            return "object \(hash) is corrupt: its bytes hash to \(actual)"
        case .objectChangedWhileReading(let hash):
            return "object \(hash) changed while it was being read"
        case .ambiguousPrefix(let prefix, let matches):
            return "hash prefix \(prefix) matches \(matches) artifacts; give more digits"
        case .sqlite(let code, let message, let sql):
            return "catalogue error \(code): \(message) (in: \(sql.prefix(120)))"
        case .schemaTooNew(let found, let supported):
            return "catalogue schema version \(found) is newer than this minillm supports (\(supported)); upgrade minillm"
        case .lockBusy(let path):
            return "another minillm process holds \(path)"
        }
    }
}
