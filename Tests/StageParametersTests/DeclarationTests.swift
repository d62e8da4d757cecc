import Foundation
import StageParameters
import Testing

enum Shape: String, Sendable, CaseIterable { case circle, square, triangle }

/// Every kind of declaration once, and a property that is not a parameter.
struct ExampleSettings: StageSettings, Equatable {
    @Parameter("width", in: 8...4096, "model width d")
    var width = 256
    var notAParameter = 7
    @Parameter("rate", in: 0...1, "a rate")
    var rate = 0.25
    @Parameter("label", "any text")
    var label = "plain"
    @Parameter("mode", allowed: ["fast", "slow"], "how fast")
    var mode = "fast"
    @Parameter("verbose", "say more")
    var verbose = false
    @Parameter("shape", "which shape")
    var shape = Shape.square

    init() {}
}

@Suite struct DeclarationTests {
    static var defaults: [String: ParameterValue] {
        ["width": .int(256), "rate": .double(0.25), "label": .string("plain"), "mode": .string("fast"),
         "verbose": .bool(false), "shape": .string("square")]
    }

    static func decode(_ changes: [String: ParameterValue], removing removed: String? = nil) throws -> ExampleSettings {
        var values = defaults.merging(changes) { $1 }
        if let removed { values[removed] = nil }
        return try ExampleSettings(Parameters(values))
    }

    @Test func specsFollowTheDeclarationOrder() {
        #expect(ExampleSettings.specs.map(\.name) == ["width", "rate", "label", "mode", "verbose", "shape"])
        #expect(ExampleSettings.specs.map(\.help) == ["model width d", "a rate", "any text", "how fast", "say more", "which shape"])
    }

    @Test func specsCarryTypeRangeAndDefault() throws {
        let specs = Dictionary(uniqueKeysWithValues: ExampleSettings.specs.map { ($0.name, $0) })
        #expect(specs.mapValues(\.defaultValue) == Self.defaults)
        guard case .int(let widths) = specs["width"]?.kind else { Issue.record("width is not an int"); return }
        #expect(widths == 8...4096)
        guard case .double(let rates) = specs["rate"]?.kind else { Issue.record("rate is not a number"); return }
        #expect(rates == 0...1)
        guard case .string(let labels) = specs["label"]?.kind else { Issue.record("label is not a string"); return }
        #expect(labels == nil)
        guard case .string(let modes) = specs["mode"]?.kind else { Issue.record("mode is not a string"); return }
        #expect(modes == ["fast", "slow"])
        guard case .bool = specs["verbose"]?.kind else { Issue.record("verbose is not a bool"); return }
    }

    @Test func defaultsDecodeToTheDefaultValue() throws {
        #expect(try Self.decode([:]) == ExampleSettings())
        #expect(ExampleSettings().parameters == Parameters(Self.defaults))
    }

    @Test func valuesDecodeIntoTheirProperties() throws {
        let settings = try Self.decode(["width": .int(512), "rate": .double(0.5), "label": .string("say \"hi\"\n"),
                                        "mode": .string("slow"), "verbose": .bool(true), "shape": .string("triangle")])
        #expect(settings.width == 512 && settings.rate == 0.5 && settings.label == "say \"hi\"\n")
        #expect(settings.mode == "slow" && settings.verbose && settings.shape == .triangle)
        #expect(settings.notAParameter == 7)
        #expect(try ExampleSettings(settings.parameters) == settings)
    }

    @Test func anIntegerIsANumber() throws {
        #expect(try Self.decode(["rate": .int(1)]).rate == 1.0)
    }

    @Test func wrongTypesThrowNamingTheParameter() {
        #expect(throws: ParameterError.wrongType(name: "width", expected: "an integer", got: .string("wide"))) {
            try Self.decode(["width": .string("wide")])
        }
        #expect(throws: ParameterError.wrongType(name: "width", expected: "an integer", got: .double(256))) {
            try Self.decode(["width": .double(256)])
        }
        #expect(throws: ParameterError.wrongType(name: "verbose", expected: "true or false", got: .int(1))) {
            try Self.decode(["verbose": .int(1)])
        }
        #expect(throws: ParameterError.wrongType(name: "rate", expected: "a number", got: .bool(true))) {
            try Self.decode(["rate": .bool(true)])
        }
        #expect(throws: ParameterError.wrongType(name: "shape", expected: "a string", got: .int(2))) {
            try Self.decode(["shape": .int(2)])
        }
        let error = ParameterError.wrongType(name: "width", expected: "an integer", got: .string("wide"))
        #expect(error.name == "width")
        #expect(error.description == #"parameter width: expected an integer, got "wide""#)
    }

    @Test func valuesOutsideTheRangeOrAllowedListThrowNamingTheParameter() {
        #expect(throws: ParameterError.invalid(name: "width", reason: "4 is outside 8…4096")) { try Self.decode(["width": .int(4)]) }
        #expect(throws: ParameterError.invalid(name: "rate", reason: "1.5 is outside 0.0…1.0")) { try Self.decode(["rate": .double(1.5)]) }
        #expect(throws: ParameterError.invalid(name: "rate", reason: "nan is outside 0.0…1.0")) { try Self.decode(["rate": .double(.nan)]) }
        #expect(throws: ParameterError.invalid(name: "mode", reason: #""medium" is not one of fast, slow"#)) {
            try Self.decode(["mode": .string("medium")])
        }
        #expect(throws: ParameterError.invalid(name: "shape", reason: #""hexagon" is not one of circle, square, triangle"#)) {
            try Self.decode(["shape": .string("hexagon")])
        }
        #expect(ParameterError.invalid(name: "width", reason: "4 is outside 8…4096").description == "parameter width: 4 is outside 8…4096")
    }

    @Test func missingAndUndeclaredParametersThrow() {
        #expect(throws: ParameterError.missing(name: "label")) { try Self.decode([:], removing: "label") }
        #expect(throws: ParameterError.undeclared(name: "height")) { try Self.decode(["height": .int(3)]) }
    }

    @Test func theFirstProblemInDeclarationOrderIsThrown() {
        #expect(throws: ParameterError.invalid(name: "width", reason: "1 is outside 8…4096")) {
            try Self.decode(["shape": .string("hexagon"), "verbose": .int(0), "width": .int(1)])
        }
    }

    @Test func enumParametersAllowEveryCaseInOrder() throws {
        let spec = try #require(ExampleSettings.specs.first { $0.name == "shape" })
        guard case .string(let allowed) = spec.kind else { Issue.record("shape is not a string"); return }
        #expect(allowed == Shape.allCases.map(\.rawValue))
        #expect(spec.defaultValue == .string("square"))
        for shape in Shape.allCases { #expect(try Self.decode(["shape": .string(shape.rawValue)]).shape == shape) }
    }

    @Test func concurrentDecodingsDoNotMix() {
        let results = UnsafeResults(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            results.set(i, (try? Self.decode(["width": .int(8 + i)]))?.width)
        }
        #expect(results.values == (0..<64).map { Optional(8 + $0) })
    }

    @Test func typedLookUpsThrowInsteadOfTrapping() throws {
        let parameters = Parameters(["n": .int(3), "x": .double(0.5), "s": .string("a"), "b": .bool(true)])
        #expect(try parameters.int("n") == 3 && parameters.double("n") == 3 && parameters.double("x") == 0.5)
        #expect(try parameters.string("s") == "a" && parameters.bool("b"))
        #expect(throws: ParameterError.wrongType(name: "x", expected: "an integer", got: .double(0.5))) { try parameters.int("x") }
        #expect(throws: ParameterError.wrongType(name: "s", expected: "a number", got: .string("a"))) { try parameters.double("s") }
        #expect(throws: ParameterError.wrongType(name: "n", expected: "a string", got: .int(3))) { try parameters.string("n") }
        #expect(throws: ParameterError.wrongType(name: "s", expected: "true or false", got: .string("a"))) { try parameters.bool("s") }
        #expect(throws: ParameterError.missing(name: "q")) { try parameters.int("q") }
    }

    @Test func checkMatchesValidateOfTheSameJSON() {
        let spec = ParameterSpec.double("x", default: 0, in: 0...10, "")
        #expect(spec.check(.int(2)) == .success(.double(2)))
        #expect(spec.validate(2) == .success(.double(2)))
        #expect(spec.check(.double(11)) == spec.validate(11.0))
        let int = ParameterSpec.int("n", default: 0, in: 0...10, "")
        #expect(int.check(.int(11)) == int.validate(11))
        #expect(int.check(.string("1")).isWrongType && int.validate("1").isWrongType)
    }
}

extension Result where Failure == ParameterProblem {
    var isWrongType: Bool { if case .failure(let p) = self { p.isWrongType } else { false } }
}

/// Slots written by distinct threads, read after they all finished.
final class UnsafeResults: @unchecked Sendable {
    private var slots: [Int?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Int?) { lock.withLock { slots[i] = value } }
    var values: [Int?] { lock.withLock { slots } }
}
