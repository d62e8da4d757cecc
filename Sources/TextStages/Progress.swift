import Foundation
import MiniPipeline
import MiniStore

/// The checkpointed progress of a stage that streams a large input into one output artifact
/// (`extract` from a dump, `clean`): every `intervalBytes` of input the output written so far is
/// made durable and a small JSON artifact recording it, with the stage's own `State`, becomes the
/// run's checkpoint `name`. A run killed at any moment (kill -9 included) starts again after the
/// last checkpoint and ends with the same bytes.
struct Progress<State: Codable> {
    struct Saved: Codable {
        var output: WrittenPrefix
        var state: State
    }

    let context: StageContext
    let name: String

    /// Bytes of input between checkpoints: `MINILLM_CHECKPOINT_BYTES`, default 64 MiB. Not a
    /// parameter: the output does not depend on it.
    static var intervalBytes: Int64 {
        ProcessInfo.processInfo.environment["MINILLM_CHECKPOINT_BYTES"].flatMap { Int64($0) }.map { max(1, $0) } ?? 64 << 20
    }

    /// The last checkpoint, or nil for a fresh start (an unreadable one is said and ignored).
    func load() throws -> Saved? {
        guard let record = try context.checkpoint(name) else { return nil }
        do {
            return try JSONDecoder().decode(Saved.self, from: try context.store.data(record.hash))
        } catch let error as DecodingError {
            context.log.warning("checkpoint \(name) is not readable (\(error)); starting from the beginning")
            return nil
        }
    }

    func save(_ state: State, writer: ArtifactWriter, step: Int64) throws {
        let saved = Saved(output: try writer.sync(), state: state)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let hash = try context.store.put(try encoder.encode(saved), kind: "progress", mediaType: "application/json")
        try context.saveCheckpoint(name, hash: hash, step: step)
    }

    /// Streams the output artifact, resuming after `saved` when its bytes are still there.
    /// `body` gets the writer and the state to go on from (nil: from the beginning). Once the
    /// artifact is in the store the checkpoint is dropped (so `gc` may take its artifact, and a
    /// forced run starts afresh).
    func write(kind: String, mediaType: String, from saved: Saved?, _ body: (ArtifactWriter, State?) throws -> Void) throws -> ArtifactHash {
        let hash = try context.store.writeResumable(name: "\(context.cacheKey)-\(name)", keeping: saved?.output, kind: kind,
                                                    mediaType: mediaType) { writer in
            if saved != nil && !writer.kept {
                context.log.warning("the output of checkpoint \(name) is gone or differs; starting from the beginning")
            }
            try body(writer, writer.kept ? saved?.state : nil)
        }
        try context.deleteCheckpoint(name)
        return hash
    }
}
