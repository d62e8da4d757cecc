import Foundation
import StageParameters
import Testing

/// The canonical JSON of parameters is part of every cache key: its bytes must be what the code
/// before `StageParameters` produced. Each expected text below was printed by that code
/// (Sources/MiniPipeline/Parameters.swift at commit ecc7868) for the same values.
@Suite struct CanonicalJSONTests {
    @Test func doubles() {
        let values: [String: ParameterValue] = [
            "a": .double(0.001), "b": .double(1e-3), "c": .double(2), "d": .double(-3), "e": .double(1e15), "f": .double(1e-7),
            "g": .double(123456789012345), "h": .double(0.1 + 0.2), "i": .double(3e-4), "j": .double(0), "k": .double(-0.0),
            "l": .double(1e16), "m": .double(2.5e-10), "n": .double(1_000_000),
        ]
        #expect(Parameters(values).canonicalJSON == #"{"a":0.001,"b":0.001,"c":2.0,"d":-3.0,"e":1000000000000000.0,"f":1e-07,"#
            + #""g":123456789012345.0,"h":0.30000000000000004,"i":0.0003,"j":0.0,"k":-0.0,"l":1e+16,"m":2.5e-10,"n":1000000.0}"#)
    }

    @Test func integers() {
        let values: [String: ParameterValue] = ["a": .int(0), "b": .int(-5), "c": .int(Int.max), "d": .int(134217728)]
        #expect(Parameters(values).canonicalJSON == #"{"a":0,"b":-5,"c":9223372036854775807,"d":134217728}"#)
    }

    @Test func stringsAreEscapedMinimally() {
        let values: [String: ParameterValue] = [
            "q": .string("say \"hi\""), "n": .string("two\nlines"), "t": .string("tab\there\r\n"), "b": .string("back\\slash"),
            "c": .string("\u{01}\u{1f}\u{7f}"), "u": .string("ñandú ¿qué? ¡sí! 🦙"), "e": .string(""), "s": .string("a/b"),
        ]
        #expect(Parameters(values).canonicalJSON == #"{"b":"back\\slash","c":"\u0001\u001f"# + "\u{7f}" + #"","e":"","#
            + #""n":"two\nlines","q":"say \"hi\"","s":"a/b","t":"tab\there\r\n","u":"ñandú ¿qué? ¡sí! 🦙"}"#)
    }

    @Test func booleansAndEmpty() {
        #expect(Parameters(["t": .bool(true), "f": .bool(false)]).canonicalJSON == #"{"f":false,"t":true}"#)
        #expect(Parameters([:]).canonicalJSON == "{}")
    }

    @Test func keysAreSortedAndEscaped() {
        let values: [String: ParameterValue] = ["b": .int(1), "a_b": .int(2), "A": .int(3), "a": .int(4), "é": .int(5),
                                                "key \"q\"\n": .int(6), "a-b": .int(7), "Z": .int(8)]
        #expect(Parameters(values).canonicalJSON == #"{"A":3,"Z":8,"a":4,"a-b":7,"a_b":2,"b":1,"key \"q\"\n":6,"é":5}"#)
    }

    /// Numbers as the pipeline file writes them: 1e-3 and 0.001 key the same, an integer given
    /// for a number is a double, a whole double given for an integer is an integer.
    @Test(arguments: [("1e-3", #"{"x":0.001}"#), ("0.001", #"{"x":0.001}"#), ("1", #"{"x":1.0}"#), ("1.0", #"{"x":1.0}"#),
                      ("2E2", #"{"x":200.0}"#), ("-0", #"{"x":0.0}"#), ("1e-7", #"{"x":1e-07}"#),
                      ("100000000000000000", #"{"x":1e+17}"#)])
    func numbersFromTheFile(text: String, canonical: String) throws {
        let spec = ParameterSpec.double("x", default: 0, in: -1e20...1e20, "")
        let value = try spec.validate(Self.parse(text)).get()
        #expect(Parameters(["x": value]).canonicalJSON == canonical)
    }

    @Test(arguments: [("3", #"{"x":3}"#), ("3.0", #"{"x":3}"#), ("-7", #"{"x":-7}"#), ("1e2", #"{"x":100}"#)])
    func integersFromTheFile(text: String, canonical: String) throws {
        let spec = ParameterSpec.int("x", default: 0, in: -1000...1000, "")
        let value = try spec.validate(Self.parse(text)).get()
        #expect(Parameters(["x": value]).canonicalJSON == canonical)
    }

    /// Declared settings give the same canonical JSON as the same values written by hand.
    @Test func declaredSettingsKeyLikeHandWrittenValues() throws {
        var settings = ExampleSettings()
        settings.rate = 1e-3
        settings.label = "line one\nline \"two\""
        #expect(settings.parameters.canonicalJSON
            == #"{"label":"line one\nline \"two\"","mode":"fast","rate":0.001,"shape":"square","verbose":false,"width":256}"#)
        let decoded = try ExampleSettings(Parameters(["width": .int(256), "rate": .int(0), "label": .string(""), "mode": .string("fast"),
                                                      "verbose": .bool(false), "shape": .string("square")]))
        #expect(decoded.parameters.canonicalJSON == #"{"label":"","mode":"fast","rate":0.0,"shape":"square","verbose":false,"width":256}"#)
    }

    static func parse(_ number: String) throws -> Any {
        let object = try JSONSerialization.jsonObject(with: Data("{\"x\":\(number)}".utf8)) as? [String: Any]
        return try #require(object?["x"])
    }
}
