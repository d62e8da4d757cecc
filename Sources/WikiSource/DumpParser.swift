import CorpusFormat
import Digests
import Foundation

/// Streams the articles out of a MediaWiki `pages-articles` XML dump (export schema 0.4 to
/// 0.11): namespace 0 only, redirects skipped, the last revision of each page. Memory is one
/// page at a time, however large the dump.
public final class DumpParser {
    public struct Counts: Equatable, Sendable, Codable {
        public var pages = 0
        public var articles = 0
        public var redirects = 0
        public var otherNamespaces = 0
        public var withoutText = 0
        public init() {}
    }

    private let scanner: XMLScanner
    private let name: String
    private let maxPageBytes: Int
    private let verifySHA1: Bool
    private let source: String
    public private(set) var counts = Counts()
    private var started = false
    private var finished = false
    private var path: [String] = []
    /// Namespace names by number, from `<siteinfo>`: schema 0.4 has no `<ns>` element.
    private var namespaces: [String: Int] = [:]
    private var page = PageFields()
    private var namespaceKey: Int?

    private struct PageFields {
        var title: String?
        var ns: Int?
        var pageID: Int?
        var revisionID: Int?
        var timestamp: String?
        var sha1: String?
        var text: [UInt8]?
        var redirect = false
    }

    /// Where the parser stands right after a page: enough to go on from there in another process
    /// (`offset` is the byte after `</page>` in the decompressed XML).
    public struct Resume: Equatable, Sendable, Codable {
        public var offset: Int64
        public var namespaces: [String: Int]
        public var counts: Counts
    }

    /// `source` labels the records (`dump`, or `sample` for a bundled dump). With `resume`, the
    /// input starts at `resume.offset` of the dump (see `Input.openResumable`).
    public init(_ input: ByteSource, maxPageBytes: Int = 128 << 20, verifySHA1: Bool = true, source: String = "dump",
                resume: Resume? = nil) {
        scanner = XMLScanner(input, startOffset: resume?.offset ?? 0)
        name = input.name
        self.source = source
        self.maxPageBytes = maxPageBytes
        self.verifySHA1 = verifySHA1
        if let resume {
            started = true
            path = ["mediawiki"]
            namespaces = resume.namespaces
            counts = resume.counts
        }
    }

    /// Where the parser stands; meaningful right after `next()` returned an article.
    public var resumePoint: Resume { Resume(offset: scanner.offset, namespaces: namespaces, counts: counts) }

    /// The next article, or nil at the end of the dump.
    public func next() throws -> RawArticle? {
        while true {
            let event = try scanner.next()
            switch event {
            case .eof:
                try checkEnd()
                return nil
            case .start(let tag, let attributes, let selfClosing):
                try start(tag, attributes, selfClosing: selfClosing)
            case .end(let tag):
                if let article = try end(tag) { return article }
            }
        }
    }

    private func checkEnd() throws {
        if !started {
            if scanner.offset == 0 { throw SourceError.emptyInput(name) }
            throw SourceError.notADump(name, reason: "no <mediawiki> element")
        }
        guard finished else {
            let inside = path.last.map { " inside <\($0)>" } ?? ""
            let title = page.title.map { " (page \"\($0)\")" } ?? ""
            throw SourceError.malformedDump(name, offset: scanner.offset, reason: "the file ends\(inside)\(title) before </mediawiki>: truncated?")
        }
    }

    private func start(_ tag: String, _ attributes: [String: String], selfClosing: Bool) throws {
        if !started {
            guard tag == "mediawiki" else { throw SourceError.notADump(name, reason: "the first element is <\(tag)>, not <mediawiki>") }
            try checkSchema(attributes)
            started = true
        }
        let parent = path.last ?? ""
        switch (parent, tag) {
        case ("mediawiki", "page"): page = PageFields()
        case ("page", "redirect"): page.redirect = true
        case ("revision", "text") where attributes["deleted"] != nil: page.text = nil
        case ("namespaces", "namespace"), ("page", "title"), ("page", "ns"), ("page", "id"),
             ("revision", "id"), ("revision", "timestamp"), ("revision", "sha1"), ("revision", "text"):
            if tag == "text" { page.text = [] }
            if tag == "namespace" { namespaceKey = attributes["key"].flatMap { Int($0) } }
            if !selfClosing { scanner.beginCapture(limit: tag == "text" ? maxPageBytes : 4096) }
        default: break
        }
        guard !selfClosing else { return }
        guard path.count < 64 else { throw SourceError.malformedDump(name, offset: scanner.offset, reason: "elements nested deeper than 64") }
        path.append(tag)
    }

    /// Export schemas 0.4 to 0.11 in MediaWiki's namespace: another version or namespace may
    /// mean other element names, which would silently give no articles or wrong ones.
    private func checkSchema(_ attributes: [String: String]) throws {
        let exportNamespace = "http://www.mediawiki.org/xml/export-"
        if let namespace = attributes["xmlns"], !namespace.hasPrefix(exportNamespace) {
            throw SourceError.notADump(name, reason: "its namespace is \(namespace.prefix(200)), not MediaWiki's \(exportNamespace)…")
        }
        if let version = attributes["version"] {
            let parts = version.split(separator: ".")
            guard parts.count == 2, parts[0] == "0", let minor = Int(parts[1]), (4...11).contains(minor) else {
                throw SourceError.notADump(name, reason: "export schema version \(version.prefix(40)) is not one this reader knows (0.4–0.11)")
            }
        }
    }

    private func end(_ tag: String) throws -> RawArticle? {
        guard path.last == tag else {
            throw SourceError.malformedDump(name, offset: scanner.offset,
                                            reason: "</\(tag)> closes <\(path.last ?? "nothing")>")
        }
        path.removeLast()
        let parent = path.last ?? ""
        if scanner.capturing {
            guard let raw = scanner.endCapture() else {
                if tag == "text" { throw SourceError.pageTooLarge(name, title: page.title ?? "?", limit: maxPageBytes) }
                throw SourceError.malformedDump(name, offset: scanner.offset, reason: "<\(tag)> longer than 4096 bytes")
            }
            store(raw.withUnsafeBufferPointer { CharacterReferences.decode($0, html: false) }, tag: tag, parent: parent)
        }
        switch tag {
        case "page": return try finishPage()
        case "mediawiki": finished = true
        default: break
        }
        return nil
    }

    private func store(_ value: [UInt8], tag: String, parent: String) {
        let text = { String(decoding: value, as: UTF8.self) }
        switch (parent, tag) {
        case ("namespaces", "namespace"):
            if let key = namespaceKey, !value.isEmpty { namespaces[text().lowercased()] = key }
        case ("page", "title"): page.title = text()
        case ("page", "ns"): page.ns = Int(text().trimmingCharacters(in: .whitespaces))
        case ("page", "id"): page.pageID = Int(text().trimmingCharacters(in: .whitespaces))
        case ("revision", "id"): page.revisionID = Int(text().trimmingCharacters(in: .whitespaces))
        case ("revision", "timestamp"): page.timestamp = text()
        case ("revision", "sha1"): page.sha1 = text().isEmpty ? nil : text()
        case ("revision", "text"): page.text = value
        default: break
        }
    }

    private func finishPage() throws -> RawArticle? {
        counts.pages += 1
        guard let title = page.title else {
            throw SourceError.malformedDump(name, offset: scanner.offset, reason: "a <page> without <title>")
        }
        guard (page.ns ?? namespace(of: title)) == 0 else { counts.otherNamespaces += 1; return nil }
        guard let text = page.text, !text.isEmpty else { counts.withoutText += 1; return nil }
        if page.redirect || Redirects.isRedirect(text) { counts.redirects += 1; return nil }
        if verifySHA1, let expected = page.sha1 {
            let actual = Self.base36SHA1(text)
            guard actual == expected.lowercased() else {
                throw SourceError.pageChecksumMismatch(name, title: title, expected: expected, actual: actual)
            }
        }
        counts.articles += 1
        return RawArticle(pageID: page.pageID, title: title, revisionID: page.revisionID, timestamp: page.timestamp,
                          source: source, format: .wikitext, text: String(decoding: text, as: UTF8.self))
    }

    /// Schema 0.4 names the namespace only in the title prefix (`Wikipedia:…`).
    private func namespace(of title: String) -> Int {
        guard let colon = title.firstIndex(of: ":") else { return 0 }
        return namespaces[title[..<colon].lowercased()] ?? 0
    }

    /// The dumps' `<sha1>`: SHA-1 of the text in base 36, 31 digits.
    static func base36SHA1(_ bytes: [UInt8]) -> String {
        let digest = Array(Digester.sha1(bytes))
        var words = (0..<5).map { i in digest[(i * 4)..<(i * 4 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        var out = [UInt8]()
        while words.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for i in words.indices {
                let value = remainder << 32 | UInt64(words[i])
                words[i] = UInt32(value / 36)
                remainder = value % 36
            }
            out.append(digits[Int(remainder)])
        }
        while out.count < 31 { out.append(UInt8(ascii: "0")) }
        return String(decoding: out.reversed(), as: UTF8.self)
    }
}

/// `#REDIRECT [[…]]` and its Spanish forms, for dumps without a `<redirect>` element.
public enum Redirects {
    public static func isRedirect(_ text: [UInt8]) -> Bool {
        var i = 0
        while i < text.count, text[i] <= 0x20 { i += 1 }
        guard i < text.count, text[i] == UInt8(ascii: "#") else { return false }
        let head = String(decoding: text[(i + 1)..<min(text.count, i + 16)], as: UTF8.self).lowercased()
        return ["redirect", "redirección", "redireccion"].contains { head.hasPrefix($0) }
    }
}
