import Foundation
import TensorKernels

/// minillm-bench-kernels train|generate|gemm|peak|export-sample [--dir D] [--config NAME] [--threads N] [--steps N]
///     [--repeats N] [--tokens N] [--precision fp32,bf16]
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
let precisions = (options["precision"] ?? "fp32").split(separator: ",").map { name -> Precision in
    guard let precision = Precision(rawValue: String(name)) else {
        FileHandle.standardError.write(Data("unknown precision \(name); known: fp32, bf16\n".utf8))
        exit(2)
    }
    return precision
}

do {
    switch mode {
    case "export-sample":
        try exportSample(directory: options["dir"] ?? "export-sample", threads: threads)
    case "gemm":
        let sizes = (options["sizes"] ?? "512,1024,2048").split(separator: ",").compactMap { Int($0) }
        for precision in precisions { benchGemm(threads: threads, sizes: sizes, repeats: repeats, precision: precision) }
    case "peak":
        benchPeak(threads: threads, repeats: repeats)
    case "train", "generate":
        for name in configs {
            guard let bench = BenchConfig.named(name) else {
                FileHandle.standardError.write(Data("unknown config \(name); known: \(BenchConfig.all.map(\.name).joined(separator: ", "))\n".utf8))
                exit(2)
            }
            if mode == "train" {
                for precision in precisions {
                    try benchTrain(bench, threads: threads, steps: Int(options["steps"] ?? "") ?? 3, repeats: repeats,
                                   precision: precision)
                }
            } else {
                try benchGenerate(bench, threads: threads, tokens: Int(options["tokens"] ?? "") ?? 64, repeats: repeats)
            }
        }
    default:
        FileHandle.standardError.write(Data("usage: minillm-bench-kernels train|generate|gemm|peak [--config a,b] [--threads N] [--steps N] [--repeats N] [--precision fp32,bf16]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("minillm-bench-kernels: \(error)\n".utf8))
    exit(1)
}
