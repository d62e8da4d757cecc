import MiniStore

/// Where a resumable download records its finished pieces (artifacts in the store), so that a
/// run killed at any moment starts again after the last one. The stage backs it with its
/// run's checkpoints.
public protocol CheckpointJournal: AnyObject {
    func checkpoint(_ name: String) throws -> ArtifactHash?
    func saveCheckpoint(_ name: String, hash: ArtifactHash, step: Int64) throws
}

/// A journal in the catalogue under a key of the caller's choosing.
public final class CatalogueJournal: CheckpointJournal {
    private let catalogue: Catalogue
    private let key: String

    public init(catalogue: Catalogue, key: String) {
        self.catalogue = catalogue
        self.key = key
    }

    public func checkpoint(_ name: String) throws -> ArtifactHash? {
        try catalogue.checkpoints(cacheKey: key).first { $0.name == name }?.hash
    }

    public func saveCheckpoint(_ name: String, hash: ArtifactHash, step: Int64) throws {
        try catalogue.putCheckpoint(cacheKey: key, name: name, hash: hash, step: step)
    }
}
