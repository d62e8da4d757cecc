import ArgumentParser
import MiniPipeline
import MiniStore
import PipelineCommands
import Training
import TrainingStage

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write model.safetensors, config.json and tokenizer.json of a trained model to a directory.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "`train` (its current model) or a model artifact's hash or prefix.") var model: String
    @Argument(help: "Directory to write (created if missing).") var directory: String

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let hash: ArtifactHash
            if model == "train" {
                guard let run = try store.catalogue.latestSucceededRun(stage: "train"), let output = run.outputs["model"] else {
                    throw TrainingError.refused("stage train has no succeeded run yet; run `minillm run` first")
                }
                hash = output
            } else {
                hash = try store.catalogue.resolve(prefix: model)
            }
            for path in try ModelExport.export(store: store, model: hash, to: directory) { print(path) }
        }
    }
}
