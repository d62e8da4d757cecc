import CorpusFormat
import Foundation
import Testing
import TestSupport
@testable import TextCleaning

/// Input built to hurt: every case must finish in time linear in its size, without deep
/// recursion, and give sensible text.
@Suite struct HostileInputTests {
    func clean(_ text: String) -> String { Cleaner.clean(text, format: .wikitext) }

    /// Cleaning 8× the input costs well under the 64× of quadratic work: at most 40× the CPU time
    /// of this thread (best of `runs`; CPU time, unlike wall-clock time, does not stretch while
    /// other processes hold the cores). Returns the large input's output.
    @discardableResult
    func expectLinear(_ unit: String, bytes: Int = 40_000, runs: Int = 3) -> String {
        let small = String(repeating: unit, count: bytes / unit.utf8.count + 1)
        let large = String(repeating: small, count: 8)
        var out8 = ""
        let t1 = minimumThreadCPUTime(runs: runs) { _ = clean(small) }
        let t8 = minimumThreadCPUTime(runs: runs) { out8 = clean(large) }
        #expect(t8 < t1 * 40, "\(t8) s of CPU for 8× the input vs \(t1) s: not linear")
        return out8
    }

    @Test(arguments: ["{{", "}}", "[[", "]]", "{{{", "[[a|", "{|\n", "<ref>", "<ref name=x>{{", "<!--", "''''", "__",
                      "[http://a ", "&#", "{{a|[[b|{{c|", "<nowiki>", "|}\n"])
    func unbalancedMarkupIsLinear(_ unit: String) {
        expectLinear(unit + "texto ")
    }

    @Test func tenThousandDeepNesting() {
        let depth = 10_000
        let templates = String(repeating: "{{a|", count: depth) + "x" + String(repeating: "}}", count: depth)
        #expect(clean("Antes " + templates + " después.") == "Antes después.")
        let links = String(repeating: "[[a|", count: depth) + "enlace" + String(repeating: "]]", count: depth)
        #expect(clean(links) == "enlace")
        let unclosed = String(repeating: "{{", count: depth) + "resto del texto"
        #expect(clean(unclosed) == "resto del texto")
        let mixed = String(repeating: "{{a|[[b|", count: depth) + "x"
        #expect(!clean(mixed).contains("{{"))
    }

    @Test func depthBeyondTheLimitIsText() {
        let depth = WikitextRenderer.maxDepth + 5
        let out = clean(String(repeating: "[[", count: depth) + "z")
        #expect(out.hasSuffix("z"))
    }

    @Test func aLargePageIsCleanedInLinearTime() {
        let paragraph = "El [[río]] {{lang|es|Ebro}} pasa por ''Zaragoza''.<ref>{{cita web|url=http://x}}</ref> &nbsp; [[Archivo:x.jpg|thumb|pie [[a]]]]\n"
        // 512 KiB against 4 MiB, once each: more runs of the large page would dominate the suite.
        let out = expectLinear(paragraph, bytes: 512 << 10, runs: 1)
        #expect(out.hasPrefix("El río Ebro pasa por Zaragoza. El río Ebro"))
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        let bytes: [UInt8] = Array("Año ".utf8) + [0xFF, 0xC3, 0x28, 0xE2, 0x82] + Array(" fin {{x".utf8) + [0xF0, 0x9F]
        let text = String(decoding: bytes, as: UTF8.self)
        let out = Cleaner.clean(text, format: .wikitext)
        #expect(out.hasPrefix("Año"))
        #expect(!out.contains("\u{FFFD}"))
        let plain = String(decoding: bytes + Array(" y una frase que termina.".utf8), as: UTF8.self)
        #expect(Cleaner.clean(plain, format: .plain).hasPrefix("Año"))
    }

    @Test func entitiesDecodeAndBadOnesStayText() {
        #expect(Cleaner.clean("Caf&eacute; &amp; t&eacute; &#8212; &#x00F1;u &bogus; &#99999999; &#0;.", format: .wikitext)
                == "Café & té — ñu &bogus;.")
    }

    @Test func emptyAndWhitespaceOnly() {
        #expect(Cleaner.clean("", format: .wikitext) == "")
        #expect(Cleaner.clean(" \n\n\t \u{200B}\n", format: .plain) == "")
        #expect(Cleaner.clean("{{a}}\n[[Categoría:X]]\n", format: .wikitext) == "")
    }
}
