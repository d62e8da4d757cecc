import Foundation
import Testing
@testable import MiniStore

@Suite struct StoreTests {
    @Test func writeThenReadRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(at: dir)
        let data = Data("hola mundo".utf8)
        let hash = try store.put(data, kind: "test", mediaType: "text/plain")
        #expect(hash == ArtifactHash.of(data))
        #expect(try store.data(hash) == data)
    }
}
