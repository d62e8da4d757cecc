import CorpusFormat
import Testing
@testable import TextCleaning

/// Real wikitext from the bundled sample (es.wikipedia.org, CC BY-SA; see pipeline/data/SOURCES.md),
/// with the plain text a reader sees, written and checked by hand.
struct Golden: Sendable, CustomTestStringConvertible {
    let name: String
    let wikitext: String
    let expected: String
    var testDescription: String { name }
}

let goldens: [Golden] = [
    Golden(name: "file with a caption holding a link, then prose", wikitext: """
        [[Archivo:Andorra-coa-old.jpg|thumb|Escudo de Andorra en la [[Casa de la Vall]].]]
        '''Burke''' es un nombre [[Pueblo irlandés|irlandés]] de origen [[normando]] que significa colina fortificada.\u{20}
        """, expected: "Burke es un nombre irlandés de origen normando que significa colina fortificada."),
    Golden(name: "file caption with piped and year links is dropped whole", wikitext: """
        [[Archivo:Andorralavella02.jpg|thumb|Estatua conmemorativa de la proclamación de la [[Constitución de Andorra|Constitución]] en [[1993]], con el [[parlamento]] andorrano detrás.]]
        Un [[ecosistema]] está integrado por una comunidad animal y otra vegetal.
        """, expected: "Un ecosistema está integrado por una comunidad animal y otra vegetal."),
    Golden(name: "bold italics, a ref holding a template, piped links", wikitext: """
        La '''serpiente marrón oriental''' ('''''Pseudonaja textilis'''''), o más conocida como '''serpiente marrón''', es una [[especie]] de [[Elapidae|elápido]] nativo de [[Australasia]].<ref>{{NRDB species | género = Pseudonaja | especie = textilis | consultado = 26 de mayo de 2016}}</ref> Es la sexta serpiente terrestre más venenosa del mundo. Hay una [[subespecie]] (''P. textilis pughi'') en partes de [[Nueva Guinea]] e islas adyacentes.
        """, expected: "La serpiente marrón oriental (Pseudonaja textilis), o más conocida como serpiente marrón, es una especie de elápido nativo de Australasia. Es la sexta serpiente terrestre más venenosa del mundo. Hay una subespecie (P. textilis pughi) en partes de Nueva Guinea e islas adyacentes."),
    Golden(name: "link trails", wikitext: """
        '''''Yohoia tenuis''''' es una [[especie]] [[extinción|extinta]] de pequeño [[artrópodo]] que vivió en el [[Cámbrico]], los restos [[fósil]]es del cual se han encontrado en la formación de [[esquisto de Burgess]]. Se ha situado entre los aracnomorfos, un grupo de artrópodos que incluye los [[quelicerado]]s y los [[trilobite]]s.
        """, expected: "Yohoia tenuis es una especie extinta de pequeño artrópodo que vivió en el Cámbrico, los restos fósiles del cual se han encontrado en la formación de esquisto de Burgess. Se ha situado entre los aracnomorfos, un grupo de artrópodos que incluye los quelicerados y los trilobites."),
    Golden(name: "lang template keeps its text; italic piped link", wikitext: """
        El '''Ombudsman Federal de los Niños''' ({{lang-de|Kinder- und Jugendanwaltschaft des Bundes}}) fue establecido por el Acta Federal del Bienestar de la Juventud de 1989, desde entonces cada uno de los nueve ''[[Organización territorial de Alemania|Bundesländer]]'' (estados) establecieron un Ombudsman de la Infancia y la Juventud.
        """, expected: "El Ombudsman Federal de los Niños (Kinder- und Jugendanwaltschaft des Bundes) fue establecido por el Acta Federal del Bienestar de la Juventud de 1989, desde entonces cada uno de los nueve Bundesländer (estados) establecieron un Ombudsman de la Infancia y la Juventud."),
    Golden(name: "Spanish magic words, behaviour switches and interlanguage links", wikitext: """
        {{ORDENAR:468298}}
        __NOTOC__\u{20}
        __NOEDITSECTION__
        La [[fitocenosis]] del ecosistema integra a la comunidad vegetal del mismo, mientras que la '''zoocenosis''' agrupa sólo a las especies animales.
        [[ca:Viquipèdia:Articles demanats]]
        [[en:Wikipedia:Requested articles]]
        [[el:Βικιπαίδεια:Προτεινόμενα θέματα]]
        """, expected: "La fitocenosis del ecosistema integra a la comunidad vegetal del mismo, mientras que la zoocenosis agrupa sólo a las especies animales."),
    Golden(name: "external link inside a ref, year links", wikitext: """
        El '''I [[Campeonato Europeo de Lucha]]''' se celebró en [[Budapest]] ([[Hungría]]) en el año [[1911]] bajo la organización de la [[Federación Internacional de Luchas Asociadas]] (FILA) y la Federación Húngara de Lucha.<ref>[https://www.iat.uni-leipzig.de/datenbanken/dbwrestling/daten.php?pid=&suchart=event&fwkart=95669816AB0A4812AC66ACD50D6F26AC&fstil=&fakl=0 «Wrestling Database»]. ''iat.uni-leipzig.de'' {{en}}.</ref> Solamente se compitió en las categorías del estilo [[lucha grecorromana|grecorromano]].
        """, expected: "El I Campeonato Europeo de Lucha se celebró en Budapest (Hungría) en el año 1911 bajo la organización de la Federación Internacional de Luchas Asociadas (FILA) y la Federación Húngara de Lucha. Solamente se compitió en las categorías del estilo grecorromano."),
    Golden(name: "five quotes and Japanese text", wikitext: """
        '''''Kerokko Demetan''''' (けろっこデメタン Kerokko Demetan?), conocida como '''''La Ranita Demetán''''' en [[España]] y [[Latinoamérica]], es una [[serie de animación|serie]] de [[animé]] de 1973.
        """, expected: "Kerokko Demetan (けろっこデメタン Kerokko Demetan?), conocida como La Ranita Demetán en España y Latinoamérica, es una serie de animé de 1973."),
    Golden(name: "ref with an external link inside a template argument", wikitext: """
        Nació en [[Valladolid (Yucatán)|Valladolid]] y falleció en la [[Mérida (Yucatán)|ciudad de Mérida]]. Fue un caudillo maya y ''tatich'' {{etimología|maya|cacique, jefe.<ref>[http://www.mayas.uady.mx/diccionario/t_maya.html Diccionario maya - español, UADY: Tatich].</ref>}} en el oriente del estado de Yucatán, junto con [[Cecilio Chi]] y [[Jacinto Pat]].
        """, expected: "Nació en Valladolid y falleció en la ciudad de Mérida. Fue un caudillo maya y tatich en el oriente del estado de Yucatán, junto con Cecilio Chi y Jacinto Pat."),
    Golden(name: "infobox with links and an external link, trailing sections", wikitext: """
        {{Ficha de localidad de Suiza
        |nombre = Alchenstorf
        |idioma = [[idioma alemán|Alemán]]
        |cp = 3473
        |web = [http://www.alchenstorf.ch/ Sitio web oficial]
        }}

        '''Alchenstorf''' es una [[comunas de Suiza|comuna]] [[suiza]] del [[cantón de Berna]], situada en el [[distrito administrativo del Emmental]]. Limita al norte con las comunas de [[Höchstetten]], [[Hellsau]] y [[Seeberg]].

        Hasta el 31 de diciembre de 2009 situada en el [[distrito de Burgdorf]].

        == Referencias ==
        {{listaref}}

        == Enlaces externos ==
        * [http://www.alchenstorf.ch/ Sitio oficial de la comuna de Alchenstorf]
        * {{DHS|239}}

        {{Control de autoridades}}
        [[Categoría:Comunas de Berna]]
        """, expected: """
        Alchenstorf es una comuna suiza del cantón de Berna, situada en el distrito administrativo del Emmental. Limita al norte con las comunas de Höchstetten, Hellsau y Seeberg.
        Hasta el 31 de diciembre de 2009 situada en el distrito de Burgdorf.
        """),
    Golden(name: "ref with a link and a Wayback template; date links", wikitext: """
        '''Paula Ortiz Álvarez''' ([[Zaragoza]], [[8 de enero]] de [[1979]]) es una directora, guionista y productora española. Con su primer largometraje, ''[[De tu ventana a la mía]]'', fue nominada al [[premio Goya]] 2011 a mejor director novel y ganó el premio Pilar Miró 2011 en la [[Semana Internacional de Cine de Valladolid|Seminci de Valladolid]].<ref name="seminci">[http://www.seminci.es/historico.php?ano=2011 Página oficial de la Seminci] {{Wayback|url=http://www.seminci.es/historico.php?ano=2011 |date=20120402202124 }} Consultado el 2 de diciembre de 2012.</ref>
        """, expected: "Paula Ortiz Álvarez (Zaragoza, 8 de enero de 1979) es una directora, guionista y productora española. Con su primer largometraje, De tu ventana a la mía, fue nominada al premio Goya 2011 a mejor director novel y ganó el premio Pilar Miró 2011 en la Seminci de Valladolid."),
    Golden(name: "comments, entities and refs inside an infobox", wikitext: """
        {{Ficha de cuerpo celeste
        <!-- Encabezado -->
        |nombre                         = (468298) 2015 EP17
        |lugar                          = [[Observatorio Nacional de Kitt Peak]]
        |época                          =\u{20}
        2457400,5 (31/07/2016) TDB<ref name="MPC 468298">{{cita web |idioma=en |url=http://www.minorplanetcenter.net/db_search/show_object?object_id=468298 |título=468298
        |obra=Web de [[Minor Planet Center]]}}</ref>
        |semieje_mayor                  = 3,13893048&nbsp;[[Unidad astronómica|ua]]
        }}
        La '''República Argentina''' es un [[Soberanía|estado soberano]], organizado como [[república]] [[democracia representativa|representativa]] y [[federación|federal]], situado en el extremo sureste de [[América del Sur]].<ref name="Capital">{{cita web |url= http://www.argentina.gob.ar/argentina/portal/paginas.dhtml?pagina=295
        |título= Argentina - Acerca del Gobierno
        |fechaacceso= 18-06-2008
        |idioma= español}}</ref>
        """, expected: "La República Argentina es un estado soberano, organizado como república representativa y federal, situado en el extremo sureste de América del Sur."),
    Golden(name: "a table with templates and line breaks inside a template", wikitext: """
        {{Plantilla:Plegable
        | color = #cedff2
        |contenido =
        {| class="wikitable" style="text-align:center; font-size:95%"
        ! Año
        ! Escudería
        |-
        | {{F1|1963}}
        ! [[Scuderia Ferrari]]
        |style="background:#ffffff;"| [[Anexo:Gran Premio de Bélgica de 1963|BEL]]<br />{{small|WD}}
        |}
        |plegada= si
        }}
        Scarfiotti también fue piloto oficial de Ferrari en el Campeonato Mundial de Resistencia.
        """, expected: "Scarfiotti también fue piloto oficial de Ferrari en el Campeonato Mundial de Resistencia."),
    Golden(name: "a table at the top level, and its heading goes with it", wikitext: """
        == Resultados ==
        === Fórmula 1 ===
        {{Clave de resultados de Fórmula 1}}
        {| class="wikitable" style="text-align:center; font-size:95%"
        ! Año
        |-
        | {{F1|1963}}
        |style="background:#DFFFDF;"| [[Anexo:Gran Premio de los Países Bajos de 1963|NED]]<br />{{small|6}}
        ! 16º
        |}
        == Vida personal ==
        Su padre fue el primer presidente de Fiat.
        """, expected: "Vida personal\nSu padre fue el primer presidente de Fiat."),
    Golden(name: "list items with bold labels", wikitext: """
        Se eligieron las primeras autoridades, que fueron compuestas de la siguiente manera:

        * '''Presidentes Honorarios:''' Ramón A. Rendón, Juan A. Errecart y Francisco Lettieri.
        * '''Presidente:''' Silvano Figueroa.
        """, expected: """
        Se eligieron las primeras autoridades, que fueron compuestas de la siguiente manera:
        Presidentes Honorarios: Ramón A. Rendón, Juan A. Errecart y Francisco Lettieri.
        Presidente: Silvano Figueroa.
        """),
    Golden(name: "line breaks, a country template and links in an infobox; prose lines join", wikitext: """
        {{Ficha de serie de televisión
        |país de origen         = {{COL}}
        |cadena                 = [[Canal A|Cadena Dos]] (1991-1992)<br /> [[Canal Uno (Colombia)|Cadena Uno]] (1992-1993)<br />
        }}

        '''Super Lupe''' fue una [[serie de televisión]] [[colombia]]na producida por [[Colombiana de Televisión]]
        entre 1991 y 1993.
        """, expected: "Super Lupe fue una serie de televisión colombiana producida por Colombiana de Televisión entre 1991 y 1993."),
    Golden(name: "font tag and ref inside an infobox field", wikitext: """
        {{Ficha de país
        | IDH_categoría = <font color="#009900">Alto</font><ref>{{cita web|url=http://hdr.undp.org/en/media/HDR_2009_ES_Complete.pdf|fechaacceso=08-11-2009|título=Informe sobre Desarrollo Humano 2009}}</ref>
        }}'''Burke''' es un nombre [[Pueblo irlandés|irlandés]].
        """, expected: "Burke es un nombre irlandés."),
    Golden(name: "external link with a label in prose, HTML in a template", wikitext: """
        {{Plantilla:Plegable
        |título    = <p align="left">[[Wikipedia:Artículos solicitados/Solicitudes/Arte|Arte]] · <small><span class=plainlinks>[http://es.wikipedia.org/w/index.php?title=Wikipedia:Artículos_solicitados/Solicitudes/Arte&action=watch (vigilar esta sección)]</span></small></p>
        }}
        Puede [http://es.wikipedia.org/w/index.php?title=Wikipedia:Artículos_solicitados/Solicitudes/Arte&action=watch vigilar esta sección] desde su lista.
        """, expected: "Puede vigilar esta sección desde su lista."),
]

@Suite struct GoldenWikitextTests {
    @Test(arguments: goldens)
    func rendersAsAReaderSeesIt(_ golden: Golden) {
        #expect(Cleaner.clean(golden.wikitext, format: .wikitext) == golden.expected)
    }

    @Test func thereAreAtLeastFifteen() {
        #expect(goldens.count >= 15)
    }
}
