import CorpusFormat
import Foundation
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

@Suite struct DumpParserTests {
    func articles(_ path: String, verify: Bool = true) throws -> ([RawArticle], DumpParser.Counts) {
        let parser = DumpParser(try Input.open(path), verifySHA1: verify)
        var result: [RawArticle] = []
        while let article = try parser.next() { result.append(article) }
        return (result, parser.counts)
    }

    func articles(xml: String) throws -> [RawArticle] {
        let parser = DumpParser(BytesSource(Array(xml.utf8), name: "inline.xml"))
        var result: [RawArticle] = []
        while let article = try parser.next() { result.append(article) }
        return result
    }

    @Test func sixtyPageDumpGivesItsArticlesInOrder() throws {
        let (pages, counts) = try articles(Repo.data("eswiki-sample-60pages-pages-articles.xml.bz2"))
        #expect(counts.pages == 60)
        #expect(counts.otherNamespaces == 1)
        #expect(pages.count == counts.articles && pages.count + counts.redirects == 59)
        #expect(pages.map(\.pageID!) == pages.map(\.pageID!).sorted())
        let andorra = try #require(pages.first { $0.title == "Andorra" })
        #expect(andorra.revisionID != nil)
        #expect(andorra.format == .wikitext && andorra.source == "dump")
        let api = try #require(pages.first { $0.title == "Alchenstorf" })
        #expect(api.revisionID == nil && api.pageID == 186344 && api.timestamp != nil)
        #expect(api.text.hasPrefix("{{Ficha de localidad de Suiza"))
    }

    @Test func schema04TakesTheNamespaceFromTheTitle() throws {
        let (pages, counts) = try articles(Repo.data("eswiki-2010-head-10pages.xml.bz2"))
        #expect(counts.pages == 10)
        #expect(counts.otherNamespaces == 1)
        #expect(pages.count == 9)
        #expect(!pages.contains { $0.title.hasPrefix("Wikipedia:") })
        #expect(pages.first?.title == "Andorra")
        #expect(pages.allSatisfy { $0.revisionID != nil && $0.timestamp?.hasPrefix("20") == true })
    }

    @Test func edgeCasesSkipRedirectsAndOtherNamespaces() throws {
        let (pages, counts) = try articles(Repo.data("eswiki-2018-edgecases-4pages.xml.bz2"), verify: false)
        #expect(pages.map(\.title) == ["Andorra"])
        #expect(counts.redirects == 1 && counts.otherNamespaces == 2)
    }

    @Test func editedTextFailsItsChecksum() throws {
        #expect {
            _ = try articles(Repo.data("eswiki-2018-edgecases-4pages.xml.bz2"), verify: true)
        } throws: { error in
            guard case SourceError.pageChecksumMismatch(_, let title, _, _) = error else { return false }
            return title == "Andorra"
        }
    }

    @Test func base36SHA1MatchesTheDumps() {
        // The empty text's sha1 as it appears in real dumps.
        #expect(DumpParser.base36SHA1([]) == "phoiac9h4m842xq45sp7s6u21eteeq1")
    }

    @Test func entitiesAndCDATAAreDecoded() throws {
        let xml = """
        <mediawiki><page><title>A &amp; B</title><ns>0</ns><id>7</id><revision><id>9</id>\
        <text>x &lt;ref&gt;y&lt;/ref&gt; &#241;&#xF1; &bogus; <![CDATA[<b>&]]></text></revision></page></mediawiki>
        """
        let pages = try articles(xml: xml)
        #expect(pages.map(\.title) == ["A & B"])
        #expect(pages.first?.text == "x <ref>y</ref> ññ &bogus; <b>&")
        #expect(pages.first?.revisionID == 9 && pages.first?.pageID == 7)
    }

    @Test func contributorIdIsNotTheRevisionId() throws {
        let xml = "<mediawiki><page><title>T</title><ns>0</ns><id>1</id><revision><id>5</id>"
            + "<contributor><username>u</username><id>77</id></contributor><text>hola</text></revision></page></mediawiki>"
        #expect(try articles(xml: xml).first?.revisionID == 5)
    }

    @Test func unusableInputsGiveClearErrors() throws {
        #expect(throws: SourceError.emptyInput("inline.xml")) { try articles(xml: "") }
        #expect { try articles(xml: "<html><body>502 Bad Gateway</body></html>") } throws: { error in
            guard case SourceError.notADump = error else { return false }
            return "\(error)".contains("<html>")
        }
        #expect { try articles(xml: "<mediawiki><page><title>Cut</title><ns>0</ns><revision><text>abc") } throws: { error in
            guard case SourceError.malformedDump = error else { return false }
            return "\(error)".contains("truncated") && "\(error)".contains("Cut")
        }
        #expect(try articles(xml: "<mediawiki><siteinfo></siteinfo></mediawiki>").isEmpty)
    }

    @Test func aPageOverTheLimitIsRefusedNotLoaded() throws {
        let text = String(repeating: "a", count: 5000)
        let xml = "<mediawiki><page><title>Big</title><ns>0</ns><revision><text>\(text)</text></revision></page></mediawiki>"
        let parser = DumpParser(BytesSource(Array(xml.utf8), name: "big.xml"), maxPageBytes: 4096)
        #expect(throws: SourceError.pageTooLarge("big.xml", title: "Big", limit: 4096)) { _ = try parser.next() }
    }

    /// A 50 MiB page is read in bounded chunks, and costs well under the 64× of quadratic work
    /// against a page 8× smaller: at most 40× the CPU time of this thread, which unlike
    /// wall-clock time does not stretch while other processes hold the cores.
    @Test func fiftyMegabytePageStreamsInLinearTime() throws {
        func parse(megabytes: Int) throws -> (seconds: Double, textBytes: Int, source: CountingSource) {
            var xml = Array("<mediawiki><page><title>Huge</title><ns>0</ns><revision><text>".utf8)
            let chunk = Array("Texto {{plantilla}} &amp; más [[enlace]]. ".utf8)
            while xml.count < megabytes << 20 { xml += chunk }
            xml += Array("</text></revision></page></mediawiki>".utf8)
            let source = CountingSource(xml, name: "huge.xml")
            let (seconds, page) = try threadCPUTime { try DumpParser(source).next() }
            return (seconds, try #require(page).text.utf8.count, source)
        }
        let small = try parse(megabytes: 50 / 8), large = try parse(megabytes: 50)
        #expect(large.textBytes > 45 << 20)
        #expect(large.source.largestRequest <= 4 << 20 && large.source.reads >= large.source.bytes / (4 << 20),
                "\(large.source.reads) reads of at most \(large.source.largestRequest) bytes")
        #expect(large.seconds < small.seconds * 40, "\(large.seconds) s of CPU for 8× the page vs \(small.seconds) s")
    }
}

/// Records what the parser asks of its source.
final class CountingSource: ByteSource {
    private let inner: BytesSource
    private(set) var reads = 0, bytes = 0, largestRequest = 0
    var name: String { inner.name }

    init(_ bytes: [UInt8], name: String) { inner = BytesSource(bytes, name: name) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        reads += 1
        largestRequest = max(largestRequest, buffer.count)
        let n = try inner.read(into: buffer)
        bytes += n
        return n
    }
}
