import CorpusFormat
import Testing
@testable import TextCleaning

/// Scraped plain text, as in the bundled sample (real excerpts), and the normalisation rules.
@Suite struct PlainTextTests {
    @Test func infoboxResidueCitationMarkersAndTrailingSections() {
        let scraped = " \n \nLouis De La Salle\nUniversidad de Reims\nUniversidad de París \"Sorbonne\"\n \n"
            + "Dentro del Instituto: 15 de mayo\n \n"
            + "San Juan Bautista De La Salle (en francés, Jean-Baptiste de La Salle; Reims , 30 de abril de 1651-Ruan, "
            + "7 de abril de 1719) fue un sacerdote.\n"
            + "Fue declarado patrono especial de la juventud[1]\u{200B} y patrono universal de los educadores[2]\u{200B} por el "
            + "papa Pío XII.[cita\u{A0}requerida] Hubo críticas[nota 1] y elogios[a].\n\n"
            + "== Vida y obra ==\nNació en Reims.\n\n== Referencias ==\n↑ «Magnitude 5.8». USGS.\n\n"
            + "== Enlaces externos ==\nSitio oficial\n"
        #expect(Cleaner.clean(scraped, format: .plain) == """
            San Juan Bautista De La Salle (en francés, Jean-Baptiste de La Salle; Reims, 30 de abril de 1651-Ruan, 7 de abril de 1719) fue un sacerdote.
            Fue declarado patrono especial de la juventud y patrono universal de los educadores por el papa Pío XII. Hubo críticas y elogios.
            Vida y obra
            Nació en Reims.
            """)
    }

    @Test func aSectionAfterATrailingOneIsKept() {
        let text = "Texto.\n\n== Véase también ==\nOtra cosa\n\n=== Sub ===\nmás\n\n== Filmografía ==\nPelícula de 1990.\n"
        #expect(Cleaner.clean(text, format: .plain) == "Texto.\nFilmografía\nPelícula de 1990.")
    }

    @Test func bracketsThatAreNotMarkersStay() {
        #expect(Cleaner.clean("Dijo que \"[...] es así\" y [sic] lo repitió.", format: .plain)
                == "Dijo que \"[...] es así\" y [sic] lo repitió.")
    }

    @Test func normalisationKeepsSpanishAndUnifiesTypography() {
        let text = "¿Qué\u{A0}es?\t¡Sí!  «Comillas» “curvas” ‘simples’ — raya – guion … fin.\u{FEFF}"
        #expect(Cleaner.clean(text, format: .plain) == "¿Qué es? ¡Sí! \"Comillas\" \"curvas\" 'simples' — raya - guion... fin.")
    }

    @Test func decomposedAccentsAreComposed() {
        let decomposed = "Camio\u{0301}n y an\u{0303}o, cigu\u{0308}en\u{0303}a."
        #expect(Cleaner.clean(decomposed, format: .plain) == "Camión y año, cigüeña.")
        #expect(Cleaner.clean(decomposed, format: .plain).unicodeScalars.count == "Camión y año, cigüeña.".unicodeScalars.count)
    }

    @Test func spacingLeftByRemovedMarkupIsTidied() {
        #expect(Cleaner.clean("Nombre ( ; 1951 ) vive en ( ) Madrid , España .", format: .plain)
                == "Nombre (1951) vive en Madrid, España.")
        #expect(Cleaner.clean("Ver https://example.org/x y www.example.org para más.", format: .plain)
                == "Ver y para más.")
    }

    @Test func wikitextParagraphsJoinAndListsStaySeparate() {
        #expect(Cleaner.clean("Una línea\ny su continuación.\n\nOtro párrafo.\n* uno\n# dos\n: tres", format: .wikitext)
                == "Una línea y su continuación.\nOtro párrafo.\nuno\ndos\ntres")
    }
}
