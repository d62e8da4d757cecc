import Foundation

/// minillm-bench-kernels train|generate|gemm|export-sample [--dir D] [--config NAME] [--threads N] [--steps N] [--repeats N] [--tokens N]
/// Prints one `RESULT ...` line per measurement; pipeline/scripts/bench-kernels.sh tabulates them.
var options: [String: String] = [:]
let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "train"
var index = 1
while index + 1 < arguments.count {
    options[String(arguments[index].drop(while: { $0 == "-" }))] = arguments[index + 1]
    index += 2
}
let threads = Int(options["threads"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
let repeats = Int(options["repeats"] ?? "") ?? 3
let configs = (options["config"] ?? "seed-v1,seed-v2,deep").split(separator: ",").map(String.init)

do {
    switch mode {
    case "export-sample":
        try exportSample(directory: options["dir"] ?? "export-sample", threads: threads)
    case "gemm":
        let sizes = (options["sizes"] ?? "512,1024,2048").split(separator: ",").compactMap { Int($0) }
        benchGemm(threads: threads, sizes: sizes, repeats: repeats)
    case "train", "generate":
        for name in configs {
            guard let bench = BenchConfig.named(name) else {
                FileHandle.standardError.write(Data("unknown config \(name); known: \(BenchConfig.all.map(\.name).joined(separator: ", "))\n".utf8))
                exit(2)
            }
            if mode == "train" {
                try benchTrain(bench, threads: threads, steps: Int(options["steps"] ?? "") ?? 3, repeats: repeats)
            } else {
                try benchGenerate(bench, threads: threads, tokens: Int(options["tokens"] ?? "") ?? 64, repeats: repeats)
            }
        }
    default:
        FileHandle.standardError.write(Data("usage: minillm-bench-kernels train|generate|gemm [--config a,b] [--threads N] [--steps N] [--repeats N]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("minillm-bench-kernels: \(error)\n".utf8))
    exit(1)
}
