import CorpusFormat
import Foundation
import Testing
@testable import TextCleaning

/// Input built to hurt: every case must finish in time linear in its size, without deep
/// recursion, and give sensible text.
@Suite struct HostileInputTests {
    /// Seconds to clean `text`.
    func time(_ text: String) -> (Double, String) {
        let start = Date()
        let out = Cleaner.clean(text, format: .wikitext)
        return (Date().timeIntervalSince(start), out)
    }

    /// Cleaning 8× the input takes well under the 64× of quadratic work (best of three runs,
    /// since other tests share the cores; the floor absorbs scheduler noise on tiny timings).
    func expectLinear(_ unit: String) {
        let small = String(repeating: unit, count: 40_000 / unit.utf8.count + 1)
        let large = String(repeating: unit, count: 320_000 / unit.utf8.count + 1)
        let t1 = (0..<3).map { _ in time(small).0 }.min()!
        let t8 = (0..<3).map { _ in time(large).0 }.min()!
        #expect(t8 < max(t1 * 40, 0.5), "\(t8) s for 8× the input vs \(t1) s: not linear")
    }

    @Test(arguments: ["{{", "}}", "[[", "]]", "{{{", "[[a|", "{|\n", "<ref>", "<ref name=x>{{", "<!--", "''''", "__",
                      "[http://a ", "&#", "{{a|[[b|{{c|", "<nowiki>", "|}\n"])
    func unbalancedMarkupIsLinear(_ unit: String) {
        expectLinear(unit + "texto ")
    }

    @Test func tenThousandDeepNesting() {
        let depth = 10_000
        let templates = String(repeating: "{{a|", count: depth) + "x" + String(repeating: "}}", count: depth)
        #expect(time("Antes " + templates + " después.").1 == "Antes después.")
        let links = String(repeating: "[[a|", count: depth) + "enlace" + String(repeating: "]]", count: depth)
        #expect(time(links).1 == "enlace")
        let unclosed = String(repeating: "{{", count: depth) + "resto del texto"
        #expect(time(unclosed).1 == "resto del texto")
        let mixed = String(repeating: "{{a|[[b|", count: depth) + "x"
        #expect(!time(mixed).1.contains("{{"))
    }

    @Test func depthBeyondTheLimitIsText() {
        let depth = WikitextRenderer.maxDepth + 5
        let out = time(String(repeating: "[[", count: depth) + "z").1
        #expect(out.hasSuffix("z"))
    }

    @Test func aLargePageIsCleanedInLinearTime() {
        let paragraph = "El [[río]] {{lang|es|Ebro}} pasa por ''Zaragoza''.<ref>{{cita web|url=http://x}}</ref> &nbsp; [[Archivo:x.jpg|thumb|pie [[a]]]]\n"
        let page = String(repeating: paragraph, count: 4 << 20 / paragraph.utf8.count)
        let (seconds, out) = time(page)
        #expect(seconds < 30)
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
