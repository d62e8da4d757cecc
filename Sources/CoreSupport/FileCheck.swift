import Foundation

/// Why a path cannot be read as one regular file, in words: so that a directory, a FIFO (which
/// would block, and could be read only once) or a device is refused up front, by name.
public enum FileCheck {
    /// nil for a regular file (symbolic links followed), else what is wrong with it.
    public static func problem(withRegularFile path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? "does not exist" : "cannot be read: \(String(cString: strerror(errno)))"
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return access(path, R_OK) == 0 ? nil : "cannot be read: \(String(cString: strerror(errno)))"
        case S_IFDIR: return "is a directory, not a file"
        case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
        case S_IFCHR: return "is a character device, not a regular file"
        case S_IFBLK: return "is a block device, not a regular file"
        case S_IFSOCK: return "is a socket, not a regular file"
        default: return "is not a regular file"
        }
    }

    /// A Foundation file error in words ("already exists", "Permission denied"), not
    /// `Error Domain=NSCocoaErrorDomain Code=516 …`.
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileWriteFileExists: return "already exists"
        case .fileNoSuchFile, .fileReadNoSuchFile: return "does not exist"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        default: return ns.localizedDescription
        }
    }
}
