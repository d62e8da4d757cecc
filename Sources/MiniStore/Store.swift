import Foundation

/// A content-addressed object store with its catalogue.
///
/// Layout: `objects/ab/abcdef…` (fan-out by the first two hex digits), `tmp/` (writes in
/// progress), `partial/` (resumable writes, `writeResumable`), `locks/`, `corrupt/` (objects that
/// failed verification, kept for inspection) and `catalogue.sqlite`. Objects are read-only files whose name is the SHA-256 of their bytes.
public final class Store {
    public let root: String
    public let catalogue: Catalogue
    private let storeLock: FileLock

    public enum Access { case shared, exclusive }

    /// Opens an existing store directory, creating its layout and catalogue on first use.
    /// Every process that writes holds the store lock shared; `gc` takes it exclusively.
    public init(at path: String, access mode: Access = .shared, wait: Bool = true) throws {
        let root = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw StoreError.storeMissing(path: path)
        }
        guard isDirectory.boolValue else { throw StoreError.storeNotADirectory(path: path) }
        guard Glibc.access(root, W_OK) == 0 else { throw StoreError.storeNotWritable(path: path) }
        for sub in ["objects", "tmp", "locks", "corrupt"] {
            let dir = root + "/" + sub
            if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw StoreError.io(path: dir, operation: "mkdir", errno: errno) }
        }
        guard let lock = try FileLock.acquire(root + "/locks/store.lock", mode: mode == .shared ? .shared : .exclusive,
                                              wait: wait) else {
            throw StoreError.lockBusy(path: root + "/locks/store.lock")
        }
        self.root = root
        self.storeLock = lock
        self.catalogue = try Catalogue(path: root + "/catalogue.sqlite")
    }

    public func objectPath(_ hash: ArtifactHash) -> String {
        "\(root)/objects/\(hash.hex.prefix(2))/\(hash.hex)"
    }

    public var locksDirectory: String { root + "/locks" }

    /// The lock a process holds while it builds the stage run with this cache key.
    public func lockPath(forKey key: String) -> String { "\(locksDirectory)/\(key).lock" }

    /// Runs left `running` by a process that no longer holds their key's lock died: marks them
    /// abandoned and returns how many, by cache key. Keys still locked are being built; left alone.
    public func reapAbandonedRuns() throws -> [(cacheKey: String, count: Int)] {
        var reaped: [(cacheKey: String, count: Int)] = []
        for key in try catalogue.runningCacheKeys().sorted() {
            guard let lock = try FileLock.acquire(lockPath(forKey: key), wait: false) else { continue }
            defer { lock.release() }
            let count = try catalogue.abandonRuns(cacheKey: key)
            if count > 0 { reaped.append((key, count)) }
        }
        return reaped
    }

    /// Brings the catalogue in line with the files, cheaply (one `stat` per object): an object
    /// whose file is gone is recorded removed, and checkpoints that point at an absent object are
    /// dropped, since resuming from them would fail. Returns what changed, for the log.
    public func forgetAbsentObjects() throws -> (objects: [ArtifactRecord], checkpoints: [KeyedCheckpoint]) {
        let gone = try catalogue.presentArtifacts().filter { (try? Self.stat(objectPath($0.hash))) == nil }
        for record in gone { try catalogue.markRemoved(record.hash) }
        return (gone, try catalogue.dropCheckpointsOfAbsentObjects())
    }

    /// Removes the temporary files of process `pid` (a writer interrupted by a signal).
    public static func removeTemporaryFiles(root: String, pid: Int32) {
        let tmp = root + "/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] where name.hasPrefix("\(pid)-") {
            unlink(tmp + "/" + name)
        }
    }

    // MARK: Writing

    /// Streams an artifact into the store: bytes go to a temporary file, hashed on the way,
    /// fsynced, renamed into place and only then recorded in the catalogue.
    @discardableResult
    public func write(kind: String, mediaType: String, _ body: (ArtifactWriter) throws -> Void) throws -> ArtifactHash {
        let tmp = "\(root)/tmp/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).partial"
        let writer = try ArtifactWriter(path: tmp)
        do {
            try body(writer)
            let (hash, size) = try writer.finish()
            return try commit(tmp: tmp, hash: hash, size: size, kind: kind, mediaType: mediaType)
        } catch {
            writer.abandon()
            unlink(tmp)
            throw error
        }
    }

    /// Writes an artifact that a killed run continues: its bytes accumulate in
    /// `partial/<name>` (name it `<cache key>-<checkpoint name>`: a file with no such checkpoint
    /// cannot be resumed, and `stalePartialFiles` lists it for `gc`), `writer.sync()` says what a checkpoint
    /// should record, and a later call given that `prefix` keeps those bytes (checked by their
    /// hash; otherwise it starts empty, and `writer.kept` is false). On success the file becomes
    /// the object; on an error it stays for the next run.
    @discardableResult
    public func writeResumable(name: String, keeping prefix: WrittenPrefix?, kind: String, mediaType: String,
                               _ body: (ArtifactWriter) throws -> Void) throws -> ArtifactHash {
        let directory = root + "/partial"
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw StoreError.io(path: directory, operation: "mkdir", errno: errno) }
        let writer = try ArtifactWriter(path: directory + "/" + name, keeping: prefix)
        do {
            try body(writer)
        } catch {
            writer.abandon()
            throw error
        }
        let (hash, size) = try writer.finish()
        return try commit(tmp: writer.filePath, hash: hash, size: size, kind: kind, mediaType: mediaType)
    }

    /// Files of `partial/` that no run can resume: no checkpoint `<name>` of cache key `<key>`
    /// matches `<key>-<name>` (the run finished, was forced, or its checkpoints were dropped).
    public func stalePartialFiles() throws -> [String] {
        let resumable = Set(try catalogue.allCheckpoints().map { "\($0.cacheKey)-\($0.checkpoint.name)" })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/partial")) ?? []
        return names.sorted().filter { !resumable.contains($0) }.map { root + "/partial/" + $0 }
    }

    @discardableResult
    public func put(_ data: Data, kind: String, mediaType: String) throws -> ArtifactHash {
        try write(kind: kind, mediaType: mediaType) { try $0.write(data) }
    }

    /// Copies a file from outside the store into it (hashing while copying). A file already
    /// imported with the same path, size and mtime is not read again.
    public func importFile(at path: String, kind: String, mediaType: String) throws -> ArtifactHash {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let info = try Self.stat(absolute, followingLinks: true)
        if let known = try catalogue.cachedFileHash(path: absolute, size: info.size, mtimeNs: info.mtimeNs),
           (try? ensureIntact(known)) != nil {
            return known
        }
        let hash = try write(kind: kind, mediaType: mediaType) { writer in
            try FileHashing.forEachChunk(ofFileAt: absolute) { try writer.write($0) }
        }
        let after = try Self.stat(absolute, followingLinks: true)
        guard after == info else {
            throw StoreError.io(path: absolute, operation: "import (file changed while being read)", errno: EAGAIN)
        }
        try catalogue.cacheFileHash(path: absolute, size: info.size, mtimeNs: info.mtimeNs, hash: hash)
        return hash
    }

    private func commit(tmp: String, hash: ArtifactHash, size: Int64, kind: String, mediaType: String) throws -> ArtifactHash {
        let final = objectPath(hash)
        let directory = String(final.dropLast(65))
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw StoreError.io(path: directory, operation: "mkdir", errno: errno)
        }
        if let existing = try? Self.stat(final), existing.size == size, (try? verifyFile(hash)) != nil {
            unlink(tmp)
        } else {
            chmod(tmp, 0o444)
            guard rename(tmp, final) == 0 else { throw StoreError.io(path: final, operation: "rename", errno: errno) }
            try Self.fsyncDirectory(directory)
        }
        try catalogue.recordArtifact(hash, kind: kind, mediaType: mediaType, size: size, mtimeNs: try Self.stat(final).mtimeNs)
        return hash
    }

    // MARK: Reading and verification

    /// The object's path after checking it is intact: cheaply (size and mtime as last verified),
    /// or by re-hashing when the file changed since or when `full` is set. A corrupt object is
    /// moved to `corrupt/` so that its producer rebuilds it.
    @discardableResult
    public func ensureIntact(_ hash: ArtifactHash, full: Bool = false) throws -> String {
        guard let record = try catalogue.artifact(hash), record.removedAt == nil else {
            throw StoreError.objectMissing(hash)
        }
        let path = objectPath(hash)
        guard let info = try? Self.stat(path) else { throw StoreError.objectMissing(hash) }
        if !full && info.size == record.size && info.mtimeNs == record.verifiedMtimeNs { return path }
        do {
            try verifyFile(hash)
        } catch StoreError.objectCorrupt(let expected, let actual) {
            quarantine(hash)
            throw StoreError.objectCorrupt(expected, actual: actual)
        }
        try catalogue.markVerified(hash, mtimeNs: info.mtimeNs)
        return path
    }

    public enum ObjectState: Equatable { case intact, missing, corrupt }

    /// Like `ensureIntact` but changes nothing: for `status` and `verify`.
    public func check(_ hash: ArtifactHash, full: Bool = false) -> ObjectState {
        guard let record = try? catalogue.artifact(hash), record.removedAt == nil,
              let info = try? Self.stat(objectPath(hash)) else { return .missing }
        if !full && info.size == record.size && info.mtimeNs == record.verifiedMtimeNs { return .intact }
        do {
            try verifyFile(hash)
            return .intact
        } catch StoreError.objectMissing {
            return .missing
        } catch {
            return .corrupt
        }
    }

    /// The object and, for a manifest, its members (recursively): each one that is not intact.
    public func damage(_ hash: ArtifactHash, full: Bool = false) -> [(hash: ArtifactHash, state: ObjectState)] {
        var seen: Set<ArtifactHash> = []
        var damaged: [(hash: ArtifactHash, state: ObjectState)] = []
        func visit(_ hash: ArtifactHash) {
            guard seen.insert(hash).inserted else { return }
            let state = check(hash, full: full)
            if state != .intact { damaged.append((hash, state)) }
            for member in (try? catalogue.members(of: hash)) ?? [] { visit(member.hash) }
        }
        visit(hash)
        return damaged
    }

    /// `ensureIntact` on the object and, for a manifest, on each member (recursively).
    public func ensureIntactWithMembers(_ hash: ArtifactHash, full: Bool = false) throws {
        var pending = [hash], seen: Set<ArtifactHash> = [hash]
        while let next = pending.popLast() {
            try ensureIntact(next, full: full)
            for member in try catalogue.members(of: next) where seen.insert(member.hash).inserted { pending.append(member.hash) }
        }
    }

    /// Records what `check` found: a missing object as removed, a corrupt one moved to `corrupt/`.
    public func recordDamage(_ hash: ArtifactHash, _ state: ObjectState) throws {
        switch state {
        case .intact: return
        case .missing: try catalogue.markRemoved(hash)
        case .corrupt: quarantine(hash)
        }
    }

    /// Re-hashes the object's bytes; throws `objectCorrupt` when they do not match its name.
    public func verifyFile(_ hash: ArtifactHash) throws {
        let path = objectPath(hash)
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.objectMissing(hash) }
        let (actual, _) = try FileHashing.hash(fileAt: path)
        guard actual == hash else { throw StoreError.objectCorrupt(hash, actual: actual) }
    }

    /// The bytes of a (small) artifact, verified before they are returned.
    public func data(_ hash: ArtifactHash) throws -> Data {
        let path = try ensureIntact(hash, full: true)
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError.objectMissing(hash) }
        guard ArtifactHash.of(data) == hash else { throw StoreError.objectChangedWhileReading(hash) }
        return data
    }

    func quarantine(_ hash: ArtifactHash) {
        let target = "\(root)/corrupt/\(hash.hex).\(Int(Date().timeIntervalSince1970))"
        rename(objectPath(hash), target)
        try? catalogue.markRemoved(hash)
    }

    /// Deletes an object file and marks it removed in the catalogue (for `gc`).
    public func remove(_ hash: ArtifactHash) throws {
        let path = objectPath(hash)
        chmod(path, 0o644)
        if unlink(path) != 0 && errno != ENOENT { throw StoreError.io(path: path, operation: "unlink", errno: errno) }
        try catalogue.markRemoved(hash)
    }

    // MARK: File system helpers

    public struct FileStat: Equatable { public let size: Int64; public let mtimeNs: Int64 }

    /// Size and mtime of the file itself (objects), or with `followingLinks` of what a symbolic
    /// link points at (external files: the target's changes must show).
    public static func stat(_ path: String, followingLinks: Bool = false) throws -> FileStat {
        var info = Glibc.stat()
        guard fstatat(AT_FDCWD, path, &info, followingLinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0 else { throw StoreError.io(path: path, operation: "stat", errno: errno) }
        return FileStat(size: Int64(info.st_size),
                        mtimeNs: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.io(path: path, operation: "fsync directory", errno: errno) }
    }
}
