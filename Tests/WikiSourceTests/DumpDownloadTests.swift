import Digests
import Foundation
import MiniStore
import StoreTestSupport
import TestSupport
import Testing
import WikiTestSupport
@testable import WikiSource

@Suite struct DumpDownloadTests {
    static let dumpName = "eswiki-sample-60pages-pages-articles.xml.bz2"
    static let dumpBytes = FileManager.default.contents(atPath: Repo.data(dumpName))!
    static let sha256 = Digester.sha256(dumpBytes).map { String(format: "%02x", $0) }.joined()
    static let sha1 = Digester.sha1(dumpBytes).map { String(format: "%02x", $0) }.joined()

    func download(_ server: FixtureServer, store: Store, name: String = dumpName, checksum: String? = nil,
                  attempts: Int = 4, key: String = "k", waits: WaitLog = WaitLog()) throws -> ArtifactHash {
        var settings = DumpDownloader.Settings(url: server.fileURL(name), checksum: checksum,
                                               partialDirectory: store.root + "/downloads")
        settings.retry = waits.policy(attempts: attempts)
        settings.stallTimeout = 1
        return try DumpDownloader(settings).run(store: store, journal: CatalogueJournal(catalogue: store.catalogue, key: key))
    }

    func files() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: Repo.data(Self.dumpName), toPath: dir.file(Self.dumpName))
        return dir
    }

    @Test(arguments: [nil, "file:1=drop", "file:1=longlength", "file:1=stall:5", "file:1=status:503/0",
                      "file:1=drop,file:2=drop"])
    func downloadsTheExactFileDespiteFaults(fault: String?) throws {
        let dir = try files()
        let faults = fault.map { $0.split(separator: ",").map(String.init) } ?? []
        let server = try FixtureServer(faults: faults, files: dir.path)
        let store = try dir.makeStore()
        let hash = try download(server, store: store, checksum: Self.sha256)
        #expect(try store.data(hash) == Self.dumpBytes)
        let requests = server.requests("file")
        if let fault, fault.contains("drop") || fault.contains("length") || fault.contains("stall") {
            let resumed = try #require(requests.last?["range"] as? String)
            let offset = try #require(Int(resumed.dropFirst("bytes=".count).dropLast()))
            #expect(offset > 0 && offset <= Self.dumpBytes.count)
            #expect(requests.last?["if_range"] as? String != nil)
        }
        // The parse of the downloaded artifact is the parse of the bundled file.
        let parser = DumpParser(try Input.open(try store.ensureIntact(hash)))
        var count = 0
        while try parser.next() != nil { count += 1 }
        #expect(count == 59)
        #expect(!FileManager.default.fileExists(atPath: store.root + "/downloads/" + "x"))
    }

    @Test func aCheckpointedDownloadIsNotFetchedAgain() throws {
        let dir = try files()
        let server = try FixtureServer(files: dir.path)
        let store = try dir.makeStore()
        let first = try download(server, store: store, checksum: Self.sha1)
        let second = try download(server, store: store, checksum: Self.sha1)
        #expect(first == second)
        #expect(server.requests("file").count == 1)
    }

    /// A download whose connection drops once, then the server gone; returns the port to serve on again.
    func interruptedDownload(_ dir: TemporaryDirectory, store: Store) throws -> Int {
        var broken: FixtureServer? = try FixtureServer(faults: ["file:1=drop"], files: dir.path)
        let port = broken!.port
        #expect(throws: SourceError.self) { try download(broken!, store: store, attempts: 1) }
        broken = nil
        return port
    }

    @Test func anInterruptedRunResumesWhereItStopped() throws {
        let dir = try files()
        let store = try dir.makeStore()
        let port = try interruptedDownload(dir, store: store)
        let partial = try #require(try FileManager.default.contentsOfDirectory(atPath: store.root + "/downloads").first { $0.hasSuffix(".part") })
        let kept = try Store.stat(store.root + "/downloads/" + partial).size
        #expect(kept > 0)
        let server = try FixtureServer(files: dir.path, port: port)
        let hash = try download(server, store: store, checksum: Self.sha256)
        #expect(try store.data(hash) == Self.dumpBytes)
        #expect(server.requests("file").map { $0["range"] as? String } == ["bytes=\(kept)-"])
    }

    @Test func aChangedFileRestartsFromTheBeginning() throws {
        let dir = try files()
        let store = try dir.makeStore()
        let port = try interruptedDownload(dir, store: store)
        let other = Data(try bzip2(Array("<mediawiki></mediawiki>".utf8)))
        try other.write(to: URL(fileURLWithPath: dir.file(Self.dumpName)))
        let server = try FixtureServer(files: dir.path, port: port)
        let hash = try download(server, store: store)
        #expect(try store.data(hash) == other)
        let request = try #require(server.requests("file").first)
        #expect(request["range"] as? String != nil && request["if_range"] as? String != nil)
    }

    @Test func truncatedDumpIsCaughtByChecksumOrByTheParser() throws {
        let dir = try files()
        let store = try dir.makeStore()
        let server = try FixtureServer(faults: ["file:*=truncate"], files: dir.path)
        #expect { try download(server, store: store, checksum: Self.sha256) } throws: { error in
            guard case SourceError.checksumMismatch(_, "SHA-256", _, _) = error else { return false }
            return true
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/downloads").isEmpty)
        let hash = try download(server, store: store, key: "unchecked")
        #expect {
            let parser = DumpParser(try Input.open(try store.ensureIntact(hash)))
            while try parser.next() != nil {}
        } throws: { error in
            guard case SourceError.truncatedBzip2 = error else { return false }
            return true
        }
    }

    @Test func permanentFailuresAreNamed() throws {
        let dir = try files()
        let store = try dir.makeStore()
        let server = try FixtureServer(files: dir.path)
        #expect { try download(server, store: store, name: "missing.xml.bz2") } throws: { error in
            guard case SourceError.http(_, 404, _) = error else { return false }
            return true
        }
        #expect(throws: SourceError.badChecksumParameter("abc")) { try download(server, store: store, checksum: "abc") }
    }
}
