import Foundation
import Testing
import WikiSource
@testable import TextCleaning

@Test func probe() throws {
    guard let out = ProcessInfo.processInfo.environment["PROBE_OUT"] else { return }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var ratios: [(Double, Bool, String, Int)] = []
    var t = Date()
    var n = 0
    try PlainSample.read(path: root + "/pipeline/data/eswiki-plaintext-2000.jsonl.bz2", limit: 2000) { a in
        let c = Cleaner.clean(a.text, format: .plain)
        let s = LanguageCheck.score(c)
        ratios.append((s.ratio, s.leads, a.title, c.count))
        n += a.text.utf8.count
    }
    print("PROBE plain \(n) bytes in \(Date().timeIntervalSince(t)) s")
    ratios.sort { $0.0 < $1.0 }
    for r in ratios.prefix(15) { print("PROBE \(r)") }
    print("PROBE median \(ratios[ratios.count/2])")
    t = Date()
    let parser = DumpParser(try Input.open(root + "/pipeline/data/eswiki-sample-60pages-pages-articles.xml.bz2"))
    while let a = try parser.next() { _ = Cleaner.clean(a.text, format: .wikitext) }
    print("PROBE wiki in \(Date().timeIntervalSince(t)) s")
    _ = out
}
