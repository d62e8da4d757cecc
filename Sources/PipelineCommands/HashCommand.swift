import ArgumentParser
import Foundation
import MiniStore

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the artifact name (SHA-256) files would have, like sha256sum.")

    /// Accepted like every command's common options; hashing itself needs no store.
    @OptionGroup var options: StoreOptions
    @Argument(help: "Files to hash.") var files: [String]

    func run() throws {
        try reportingErrors("minillm") {
            for file in files {
                let (hash, _) = try FileHashing.hash(fileAt: file)
                print("\(hash.hex)  \(file)")
            }
        }
    }
}
