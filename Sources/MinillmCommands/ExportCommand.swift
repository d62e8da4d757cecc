import ArgumentParser
import MiniPipeline
import ModelFormats
import PipelineCommands

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model for transformers (hf), llama.cpp (gguf) or minillm's own loader.",
        discussion: """
            hf (default): config.json, generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json and \
            special_tokens_map.json of the standard architecture the model is (GPT-2, Llama or Qwen3). gguf: one GGUF v3 file (DIR/model.gguf, \
            or DIR itself when it ends in .gguf). minillm: model.safetensors, config.json and tokenizer.json as minillm stores \
            them. A model that fits no standard architecture is refused for hf and gguf, naming the option at fault.
            """)

    @OptionGroup var options: StoreOptions
    @Argument(help: "`train` (its current model) or a model artifact's hash or prefix.") var model: String
    @Argument(help: "Directory to write (created if missing); for gguf also a path ending in .gguf.") var destination: String
    @Option(help: "hf, gguf or minillm.") var format: ExportFormat = .hf

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let stored = try StoredModel(store: store, hash: try StoredModel.resolve(model, in: store))
            do {
                for path in try stored.export(format, to: destination, store: store) { print(path) }
            } catch let refusal as ExportRefusal {
                // The model is fine; the format asked for is not one it can take: a usage error.
                throw ParameterConflict(refusal.description)
            }
        }
    }
}
