// A driver over three small test stages, so the backbone's tests exercise the real runner,
// catalogue and CLI without depending on the real (slow) stages.
import Foundation
import MiniPipeline
import MiniStore
import PipelineCommands
import StageParameters

/// Writes `count` lines of seeded pseudo-random numbers, pausing between chunks so that tests
/// can kill it in the middle of a write.
struct NumbersStage: Stage {
    let name = "numbers"
    let version = Int(ProcessInfo.processInfo.environment["FIXTURE_NUMBERS_VERSION"] ?? "1") ?? 1
    let summary = "test stage: seeded numbers"
    let inputs: [StageInput] = []
    let parameters: [ParameterSpec] = [
        .int("count", default: 1000, in: 1...10_000_000, "how many numbers"),
        .int("seed", default: 1, in: 0...Int(Int32.max), "generator seed"),
        .int("chunk_delay_ms", default: 0, in: 0...1000, "pause after every 10,000 numbers"),
        .string("salt_file", default: "", "optional file outside the store whose bytes salt the seed"),
    ]

    func externalFiles(_ parameters: Parameters) throws -> [String: String] {
        try parameters.string("salt_file").isEmpty ? [:] : ["salt": parameters.string("salt_file")]
    }

    func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        var state = UInt64(try context.parameters.int("seed")) &+ 0x9E37_79B9_7F4A_7C15
        if context.inputs["salt"] != nil {
            state = try context.inputData("salt").reduce(state) { $0 &* 31 &+ UInt64($1) }
        }
        let count = try context.parameters.int("count")
        let delay = try context.parameters.int("chunk_delay_ms")
        let hash = try context.store.write(kind: "test-numbers", mediaType: "text/plain") { writer in
            var line = version > 1 ? "# version \(version)\n" : ""
            for i in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                line += "\(state >> 33)\n"
                if i % 10_000 == 9_999 {
                    try writer.write(line)
                    line = ""
                    if delay > 0 { usleep(UInt32(delay * 1000)) }
                }
            }
            try writer.write(line)
        }
        return ["numbers": hash]
    }
}

struct SumStage: Stage {
    let name = "sum"
    let version = 1
    let summary = "test stage: sum of the numbers modulo a parameter"
    let inputs = [StageInput("numbers", from: "numbers")]
    let parameters: [ParameterSpec] = [.int("modulus", default: 1_000_003, in: 2...Int(Int32.max), "modulus")]

    func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        let text = String(decoding: try context.inputData("numbers"), as: UTF8.self)
        let modulus = UInt64(try context.parameters.int("modulus"))
        let sum = text.split(separator: "\n").reduce(UInt64(0)) { ($0 + (UInt64($1) ?? 0)) % modulus }
        try context.recordMetrics(step: 0, [("sum", Double(sum))])
        return ["sum": try context.store.put(Data("\(sum)\n".utf8), kind: "test-sum", mediaType: "text/plain")]
    }
}

struct ReportStage: Stage {
    let name = "report"
    let version = 1
    let summary = "test stage: a titled report of the sum"
    let inputs = [StageInput("sum", from: "sum")]
    let parameters: [ParameterSpec] = [
        .string("title", default: "Report", "report title"),
        .bool("shout", default: false, "upper-case the title"),
        .double("scale", default: 1.0, in: 0...1000, "multiplies the sum"),
        .bool("fail", default: false, "fail instead of writing the report (a stage failure, exit 1)"),
    ]

    /// A relation between parameters, so that tests see it refused before any stage runs.
    func validate(_ parameters: Parameters) throws {
        if try parameters.bool("shout") && parameters.string("title").isEmpty {
            throw ParameterConflict("shout needs a title")
        }
    }

    func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        if try context.parameters.bool("fail") { throw PipelineError.stageFailed(stage: name, reason: "asked to fail") }
        let sum = Double(String(decoding: try context.inputData("sum"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let title = try context.parameters.bool("shout") ? context.parameters.string("title").uppercased()
            : context.parameters.string("title")
        let text = try "\(title): \(sum * context.parameters.double("scale"))\n"
        return ["report": try context.store.put(Data(text.utf8), kind: "test-report", mediaType: "text/plain")]
    }
}

/// The fixture pipeline; run as its driver, or as the stage named by FIXTURE_STAGE.
enum FixturePipeline: StageProgram {
    static let registry = StageRegistry([NumbersStage(), SumStage(), ReportStage()])
    static var stageName: String { ProcessInfo.processInfo.environment["FIXTURE_STAGE"] ?? "" }
}

if FixturePipeline.stageName.isEmpty {
    DriverCommand<FixturePipeline>.main()
} else {
    StageCommand<FixturePipeline>.main()
}
