import CorpusFormat
import Foundation
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

/// Files that are not what their name or source says: refused by name, with what they are.
@Suite struct WikiSourceHostileInputTests {
    func parse(_ xml: String) throws -> Int {
        let parser = DumpParser(BytesSource(Array(xml.utf8), name: "inline.xml"))
        var count = 0
        while try parser.next() != nil { count += 1 }
        return count
    }

    static let page = "<page><title>A</title><ns>0</ns><id>1</id><revision><id>2</id><text>texto</text></revision></page>"

    @Test func knownSchemaVersionsAndTheExportNamespaceAreRead() throws {
        for version in ["0.4", "0.10", "0.11"] {
            let head = #"<mediawiki xmlns="http://www.mediawiki.org/xml/export-\#(version)/" version="\#(version)">"#
            #expect(try parse(head + Self.page + "</mediawiki>") == 1)
        }
        #expect(try parse("<mediawiki>" + Self.page + "</mediawiki>") == 1)
    }

    @Test func unknownSchemaVersionsAndForeignNamespacesAreRefused() throws {
        let cases = [(#"<mediawiki version="0.99">"#, "export schema version 0.99"), (#"<mediawiki version="1.0">"#, "version 1.0"),
                     (#"<mediawiki xmlns="http://example.org/other">"#, "namespace is http://example.org/other")]
        for (head, reason) in cases {
            #expect { try parse(head + Self.page + "</mediawiki>") } throws: { error in
                "\(error)".hasPrefix("inline.xml: not a MediaWiki XML dump") && "\(error)".contains(reason)
            }
        }
    }

    @Test func otherCompressionsAndFalseBzip2NamesAreRefusedByName() throws {
        let dir = TemporaryDirectory("minillm-compression")
        let text = Array(#"{"title": "t", "text": "x"}"#.utf8)
        let formats: [(String, [UInt8], String)] = [
            ("a.jsonl.bz2", [0x1F, 0x8B, 8, 0] + text, "a.jsonl.bz2: gzip-compressed"),
            ("b.jsonl", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0] + text, "b.jsonl: xz-compressed"),
            ("c.jsonl", [0x28, 0xB5, 0x2F, 0xFD] + text, "c.jsonl: zstd-compressed"),
            ("d.jsonl.bz2", text, "d.jsonl.bz2: named .bz2 but not bzip2 data"),
        ]
        for (name, bytes, message) in formats {
            try Data(bytes).write(to: URL(fileURLWithPath: dir.file(name)))
            #expect { _ = try Input.open(dir.file(name), name: name) } throws: { "\($0)".hasPrefix(message) }
        }
        try Data(try bzip2(text)).write(to: URL(fileURLWithPath: dir.file("e.jsonl.bz2")))
        #expect(throws: Never.self) { _ = try Input.open(dir.file("e.jsonl.bz2"), name: "e.jsonl.bz2") }
    }
}
