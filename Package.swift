// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the tensor kernels are compiled for the build machine's CPU: without it
// `SIMD16<Float>` lowers to scalar `fmaf` calls and the matmuls lose ~100x. Set
// MINILLM_PORTABLE=1 to build binaries that run on any x86-64 / arm64 CPU instead.
let portable = ProcessInfo.processInfo.environment["MINILLM_PORTABLE"] == "1"
let nativeCPU: [SwiftSetting] = portable ? [] : [
    .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
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
]

// MARK: - Backbone: store, catalogue, stage runner, driver
targets += [
    .target(name: "MiniStore", dependencies: [
        "CSQLite", .product(name: "Crypto", package: "swift-crypto"),
    ]),
    .target(name: "MiniPipeline", dependencies: [
        "MiniStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "minillm-fixture-driver", dependencies: ["MiniPipeline"],
                      path: "Tests/Fixtures/FixtureDriver"),
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .target(name: "StoreTestSupport", dependencies: ["MiniStore", "TestSupport"], path: "Tests/StoreTestSupport"),
    .target(name: "PipelineTestSupport", dependencies: ["MiniPipeline", "MiniStore", "StoreTestSupport", "TestSupport"],
            path: "Tests/PipelineTestSupport"),
    .testTarget(name: "MiniStoreTests", dependencies: ["MiniStore", "TestSupport"]),
    .testTarget(name: "MiniPipelineTests", dependencies: ["MiniPipeline", "MiniStore", "StoreTestSupport", "TestSupport"]),
]

// MARK: - Sources and text cleaning (extract, clean)
targets += [
    .target(name: "WikiSource", dependencies: [
        "CBzip2", "CCurl", "MiniStore", .product(name: "Crypto", package: "swift-crypto"),
    ]),
    .target(name: "TextCleaning", dependencies: ["WikiSource", .product(name: "Crypto", package: "swift-crypto")]),
    .target(name: "WikiTestSupport", dependencies: ["WikiSource", "TestSupport"], path: "Tests/WikiTestSupport"),
    .testTarget(name: "WikiSourceTests", dependencies: ["WikiSource", "MiniStore", "StoreTestSupport", "TestSupport",
                                                        "WikiTestSupport"]),
    .testTarget(name: "TextCleaningTests", dependencies: ["TextCleaning", "WikiSource", "TestSupport"]),
    .target(name: "TextStages", dependencies: ["WikiSource", "TextCleaning", "MiniPipeline", "MiniStore"]),
    .testTarget(name: "TextStagesTests", dependencies: ["TextStages", "WikiSource", "TextCleaning", "MiniPipeline", "MiniStore",
                                                        "PipelineTestSupport", "StoreTestSupport", "TestSupport",
                                                        "WikiTestSupport"]),
    .executableTarget(name: "minillm-bench-text", dependencies: ["WikiSource", "TextCleaning"]),
]

// MARK: - Tokenizer and data shards (vocab, shard)
targets += [
    .target(name: "Tokenizer"),
    .target(name: "DataShards", dependencies: [
        "Tokenizer", "MiniStore", .product(name: "Crypto", package: "swift-crypto"),
    ]),
    .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "TestSupport"]),
    .target(name: "VocabShardStages", dependencies: ["Tokenizer", "DataShards", "MiniPipeline", "MiniStore"]),
    .testTarget(name: "DataShardsTests", dependencies: ["DataShards", "TestSupport"]),
    .testTarget(name: "VocabShardStagesTests", dependencies: ["VocabShardStages", "DataShards", "Tokenizer", "MiniPipeline", "MiniStore",
                                                              "PipelineTestSupport", "TestSupport"]),
    .executableTarget(name: "minillm-bench-tokenizer", dependencies: ["Tokenizer", "DataShards", "MiniStore"]),
]

// MARK: - Tensor kernels and the MiniGPT model
targets += [
    .target(name: "TensorKernels", swiftSettings: nativeCPU),
    .target(name: "MiniGPT", dependencies: ["TensorKernels"], swiftSettings: nativeCPU),
    .executableTarget(name: "minillm-bench-kernels", dependencies: ["MiniGPT", "TensorKernels"],
                      swiftSettings: nativeCPU),
    .testTarget(name: "TensorKernelsTests", dependencies: ["TensorKernels"]),
    .testTarget(name: "MiniGPTTests", dependencies: ["MiniGPT", "TensorKernels", "TestSupport"],
                resources: [.copy("Fixtures")]),
]

// MARK: - Training
targets += [
    .target(name: "Training", dependencies: ["MiniPipeline", "MiniStore", "MiniGPT", "DataShards", "Tokenizer"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "MiniGPT", "DataShards", "Tokenizer", "MiniStore",
                                                      "TestSupport", "CorpusTestSupport"]),
]

// MARK: - Evaluation and report
targets += [
    .target(name: "Evaluation", dependencies: ["MiniPipeline"], swiftSettings: nativeCPU),
    .target(name: "ReportTestSupport", path: "Tests/ReportTestSupport"),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "ReportTestSupport", "TestSupport"], exclude: ["Fixtures"]),
    .target(name: "EvaluationStage", dependencies: [
        "Evaluation", "MiniGPT", "TensorKernels", "DataShards", "Tokenizer", "MiniPipeline", "MiniStore",
    ]),
    .target(name: "CorpusTestSupport", dependencies: ["DataShards", "Tokenizer", "MiniStore", "StoreTestSupport", "TestSupport"],
            path: "Tests/CorpusTestSupport"),
    .testTarget(name: "EvaluationStageTests", dependencies: [
        "EvaluationStage", "Evaluation", "Training", "MiniGPT", "DataShards", "Tokenizer", "MiniPipeline", "MiniStore",
        "TestSupport", "StoreTestSupport", "PipelineTestSupport", "CorpusTestSupport", "ReportTestSupport",
    ]),
]

// MARK: - Stage registry and executables
targets += [
    .target(name: "MiniStages", dependencies: [
        "MiniPipeline", "MiniStore", "Training", "VocabShardStages", "TextStages", "EvaluationStage",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "minillm", dependencies: ["MiniPipeline", "MiniStages"]),
    .testTarget(name: "MinillmTests", dependencies: ["MiniStore", "StoreTestSupport", "TestSupport"]),
    .executableTarget(name: "minillm-extract", dependencies: ["MiniPipeline", "MiniStages"]),
    .executableTarget(name: "minillm-clean", dependencies: ["MiniPipeline", "MiniStages"]),
    .executableTarget(name: "minillm-vocab", dependencies: ["MiniPipeline", "MiniStages"]),
    .executableTarget(name: "minillm-shard", dependencies: ["MiniPipeline", "MiniStages"]),
    .executableTarget(name: "minillm-train", dependencies: ["MiniPipeline", "MiniStages"]),
    .executableTarget(name: "minillm-evaluate", dependencies: ["MiniPipeline", "MiniStages"]),
]

let package = Package(
    name: "minillm",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: targets
)
