import CorpusFormat

/// Raw article text to clean text: wikitext is rendered first, then both formats go through
/// the same line-level cleaning and normalisation.
public enum Cleaner {
    public static func clean(_ text: String, format: RawArticle.Format) -> String {
        var text = text
        let bytes: [UInt8] = text.withUTF8 { utf8 in
            switch format {
            case .wikitext:
                var renderer = WikitextRenderer()
                renderer.render(utf8)
                return TextLayout.arrange(renderer.out[...], format: .wikitext)
            case .plain:
                return TextLayout.arrange(Array(utf8)[...], format: .plain)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
