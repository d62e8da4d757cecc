// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the tensor kernels are compiled for the build machine's CPU: without it
// `SIMD16<Float>` lowers to scalar `fmaf` calls and the matmuls lose ~100x. Set
// MINILLM_PORTABLE=1 to build binaries that run on any x86-64 / arm64 CPU instead.
let portable = ProcessInfo.processInfo.environment["MINILLM_PORTABLE"] == "1"
// A portable build may run on AVX-512 without having been compiled for it, so it keeps to the
// 16-register tile (TensorKernels/GemmMicroKernel.swift).
let nativeCPU: [SwiftSetting] = portable ? [.define("MINILLM_PORTABLE")] : [
    .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
]
// The kernels and the model are optimised in debug builds too: unoptimised SIMD code is ~50x
// slower, and the tests train real (tiny) models.
let optimisedInDebug: [SwiftSetting] = [
    .unsafeFlags(["-O"] + (portable ? [] : ["-target-cpu", "native"]), .when(configuration: .debug)),
]

var targets: [Target] = []

// MARK: - System libraries
targets += [
    .systemLibrary(name: "CSQLite", path: "Sources/System/CSQLite", pkgConfig: "sqlite3",
                   providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CCurl", path: "Sources/System/CCurl", pkgConfig: "libcurl",
                   providers: [.apt(["libcurl4-openssl-dev"])]),
    .systemLibrary(name: "CBzip2", path: "Sources/System/CBzip2",
                   providers: [.apt(["libbz2-dev"])]),
    .systemLibrary(name: "CLibcrypto", path: "Sources/System/CLibcrypto", pkgConfig: "libcrypto",
                   providers: [.apt(["libssl-dev"])]),
    .systemLibrary(name: "CMPI", path: "Sources/System/CMPI", pkgConfig: "ompi-c",
                   providers: [.apt(["libopenmpi-dev"])]),
]

// MARK: - Support: logging, progress, process memory, JSON text (no dependencies)
targets += [
    .target(name: "CoreSupport"),
    .target(name: "Digests", dependencies: ["CLibcrypto"]),
    .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
    .target(name: "StageParameters", dependencies: ["CoreSupport"]),
]

// MARK: - Backbone: store and catalogue, the stage framework, the generic command line
targets += [
    .target(name: "MiniStore", dependencies: [
        "CSQLite", "Digests",
    ]),
    .target(name: "MiniPipeline", dependencies: ["StageParameters", "MiniStore", "CoreSupport"]),
    .target(name: "PipelineCommands", dependencies: [
        "StageParameters", "MiniPipeline", "MiniStore", "CoreSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "minillm-fixture-driver", dependencies: ["StageParameters", "PipelineCommands", "MiniPipeline", "MiniStore"],
                      path: "Tests/Fixtures/FixtureDriver"),
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .target(name: "StoreTestSupport", dependencies: ["MiniStore", "TestSupport"], path: "Tests/StoreTestSupport"),
    .target(name: "PipelineTestSupport", dependencies: ["StageParameters", "MiniPipeline", "MiniStore", "StoreTestSupport", "TestSupport"],
            path: "Tests/PipelineTestSupport"),
    .testTarget(name: "MiniStoreTests", dependencies: ["MiniStore", "TestSupport"]),
    .testTarget(name: "MiniPipelineTests", dependencies: ["StoreTestSupport", "TestSupport"]),
    // The mechanism, plus the real stages' declarations against the pipeline file and the README.
    .testTarget(name: "StageParametersTests", dependencies: ["TestSupport", "StageParameters", "MiniPipeline", "MinillmCommands"]),
]

// MARK: - Sources and text cleaning (extract, clean)
targets += [
    .target(name: "CorpusFormat", dependencies: ["CoreSupport"]),
    .target(name: "WikiSource", dependencies: [
        "CBzip2", "CCurl", "CorpusFormat", "CoreSupport", "MiniStore", "Digests",
    ]),
    .target(name: "TextCleaning", dependencies: [
        "CorpusFormat", "CoreSupport", "Digests",
    ]),
    .target(name: "WikiTestSupport", dependencies: ["WikiSource", "TestSupport"], path: "Tests/WikiTestSupport"),
    .testTarget(name: "WikiSourceTests", dependencies: [
        "StoreTestSupport", "WikiSource", "CorpusFormat", "CoreSupport", "MiniStore", "TestSupport", "WikiTestSupport",
        "Digests",
    ]),
    .testTarget(name: "TextCleaningTests", dependencies: ["TestSupport", "TextCleaning", "CorpusFormat", "WikiSource"]),
    .target(name: "TextStages", dependencies: [
        "CoreSupport", "StageParameters", "WikiSource", "CorpusFormat", "TextCleaning", "MiniPipeline", "MiniStore",
    ]),
    .testTarget(name: "TextStagesTests", dependencies: ["StoreTestSupport", "PipelineTestSupport", "TextStages", "WikiSource", "MiniPipeline", "MiniStore",
                                                        "TestSupport", "WikiTestSupport"]),
    .executableTarget(name: "minillm-bench-text", dependencies: ["CoreSupport", "WikiSource", "CorpusFormat", "TextCleaning"]),
]

// MARK: - Tokenizer and data shards (vocab, shard)
targets += [
    .target(name: "Tokenizer", dependencies: ["CoreSupport"]),
    .target(name: "DataShards", dependencies: [
        "CoreSupport", "Tokenizer", "MiniStore", "Digests",
    ]),
    .testTarget(name: "TokenizerTests", dependencies: ["TestSupport", "Tokenizer"]),
    .target(name: "VocabShardStages", dependencies: ["CoreSupport", "StageParameters", "Tokenizer", "DataShards", "MiniPipeline", "MiniStore"]),
    .testTarget(name: "DataShardsTests", dependencies: ["StoreTestSupport", "TestSupport", "DataShards", "MiniStore", "Tokenizer"]),
    .testTarget(name: "VocabShardStagesTests", dependencies: ["TestSupport", "PipelineTestSupport", "VocabShardStages", "DataShards", "Tokenizer", "MiniPipeline", "MiniStore"]),
    .executableTarget(name: "minillm-bench-tokenizer", dependencies: ["Tokenizer", "DataShards", "MiniStore"]),
]

// MARK: - Tensor kernels and the MiniGPT model
targets += [
    // Only the AVX512-BF16 micro-kernel is C (Swift cannot reach `vdpbf16ps`); optimised in
    // debug builds too, so that the tests' bf16 products take milliseconds.
    .target(name: "BF16MicroKernel", cSettings: [.unsafeFlags(["-O3"])]),
    .target(name: "TensorKernels", dependencies: ["BF16MicroKernel"], swiftSettings: nativeCPU + optimisedInDebug),
    .target(name: "MiniGPT", dependencies: ["TensorKernels", "CoreSupport"], swiftSettings: nativeCPU + optimisedInDebug),
    .executableTarget(name: "minillm-bench-kernels", dependencies: ["MiniGPT", "TensorKernels", "BF16MicroKernel"],
                      swiftSettings: nativeCPU),
    .testTarget(name: "TensorKernelsTests", dependencies: ["TensorKernels"]),
    .testTarget(name: "MiniGPTTests", dependencies: ["TestSupport", "MiniGPT", "TensorKernels"],
                resources: [.copy("Fixtures")]),
]

// MARK: - Training: ranks over Open MPI, the library (loop, schedule, checkpoints) and the train stage
targets += [
    .target(name: "Distributed", dependencies: ["CMPI", "CoreSupport"]),
    .testTarget(name: "DistributedTests", dependencies: ["Distributed"]),
    .target(name: "Training", dependencies: ["StageParameters", "MiniGPT", "TensorKernels", "DataShards", "MiniStore", "CoreSupport",
                                             "Distributed"]),
    .target(name: "TrainingStage", dependencies: [
        "StageParameters", "Training", "MiniGPT", "DataShards", "MiniPipeline", "MiniStore", "CoreSupport", "Distributed",
    ]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "MiniGPT", "TensorKernels", "DataShards", "Tokenizer", "MiniStore",
                                                      "TestSupport", "CorpusTestSupport"]),
]

// MARK: - Evaluation: the metrics library and the evaluate stage
targets += [
    .target(name: "Evaluation", dependencies: ["CoreSupport"], swiftSettings: nativeCPU),
    .executableTarget(name: "minillm-bench-evaluation", dependencies: ["Evaluation"], swiftSettings: nativeCPU),
    .target(name: "ReportTestSupport", path: "Tests/ReportTestSupport"),
    .testTarget(name: "EvaluationTests", dependencies: ["TestSupport", "Evaluation", "ReportTestSupport"], exclude: ["Fixtures"]),
    .target(name: "EvaluationStage", dependencies: [
        "StageParameters", "Evaluation", "MiniGPT", "DataShards", "Tokenizer", "MiniPipeline", "MiniStore", "CoreSupport",
    ]),
    .target(name: "CorpusTestSupport", dependencies: ["StoreTestSupport", "DataShards", "Tokenizer", "MiniStore", "TestSupport"],
            path: "Tests/CorpusTestSupport"),
    .testTarget(name: "EvaluationStageTests", dependencies: [
        "EvaluationStage", "Evaluation", "Training", "TrainingStage", "MiniGPT", "DataShards", "Tokenizer", "MiniPipeline",
        "MiniStore", "CoreSupport", "TestSupport", "StoreTestSupport", "PipelineTestSupport", "CorpusTestSupport",
        "ReportTestSupport",
    ]),
]

// MARK: - Model formats: a trained model as Hugging Face transformers and llama.cpp (GGUF) read it
targets += [
    .target(name: "ModelFormats", dependencies: ["MiniGPT", "Tokenizer", "CoreSupport"]),
    .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "MiniGPT", "TensorKernels", "Tokenizer", "TestSupport"]),
]

// MARK: - The minillm command line: the standard registry, model commands, executables
targets += [
    .target(name: "MinillmCommands", dependencies: [
        "PipelineCommands", "MiniPipeline", "MiniStore", "CoreSupport", "Training", "TrainingStage", "VocabShardStages", "TextStages",
        "EvaluationStage", "Evaluation", "MiniGPT", "ModelFormats", "Tokenizer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "minillm", dependencies: ["MinillmCommands"]),
    .testTarget(name: "MinillmTests", dependencies: ["StoreTestSupport", "TestSupport"]),
    .executableTarget(name: "minillm-extract", dependencies: ["PipelineCommands", "MinillmCommands"]),
    .executableTarget(name: "minillm-clean", dependencies: ["PipelineCommands", "MinillmCommands"]),
    .executableTarget(name: "minillm-vocab", dependencies: ["PipelineCommands", "MinillmCommands"]),
    .executableTarget(name: "minillm-shard", dependencies: ["PipelineCommands", "MinillmCommands"]),
    .executableTarget(name: "minillm-train", dependencies: ["PipelineCommands", "MinillmCommands"]),
    .executableTarget(name: "minillm-evaluate", dependencies: ["PipelineCommands", "MinillmCommands"]),
]

let package = Package(
    name: "minillm",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: targets
)
