"""地址（拉丁字母） — a postal address written in Latin letters: a Chinese address in English or
pinyin (``No. 88 Jianguo Road, Chaoyang District, Beijing 100022``, ``8 Xinyuan Nanlu``) or an
address abroad (``123 Main Street, Apt 4B, Springfield, IL 62704``, ``221B Baker Street,
London NW1 6XE``).

Shape, as the Universal Postal Union's addressing conventions and China Post's guidance for
addresses written in Latin letters give it — smallest unit first, the place last:

* units — ``Room 1203``, ``Flat 3``, ``Apt 4B``, ``Building 5``, ``Block A``, ``12/F``;
* the street — a house number and one to four capitalised words ending in a street word
  (``88 Jianguo Road``, ``1000 Century Avenue``, ``8 Xinyuan Nanlu``), or the number after
  it (``Jianguo Road No. 88``); the street words are English and pinyin (``Road St Avenue Lane
  … Lu Jie Dajie Dadao Hutong Xiang``);
* the place — a division (``Chaoyang District``, ``Pudong New Area``, ``Guangdong Province``:
  capitalised words and a division word), a place of ``engine/data/latin_places.txt`` (the
  provinces in pinyin, larger cities, countries), a city before a US state and ZIP code, and
  postcodes (China's six digits, a US ``IL 62704``, a UK ``NW1 6XE``).

Scores: a street with a place after it 0.85 (``latin_address``); a street alone 0.6
(``latin_street``), which an address word nearby (``address``, ``ship to``, ``地址``) lifts.
Nothing is checked against a register. In free text the place must be one of those forms, so
that a sentence's next words are not taken for a town; a whole cell of an address column
(:func:`classify_cell`, read by :class:`~baomi.engine.recognizers.cn.address.AddressRecognizer`)
may end in any capitalised words (``Tsim Sha Tsui, Kowloon``). A contact address alone is
general PI (GB/T 35273-2020 Annex A); it locates a person (PIPL-28 行踪轨迹 when it tracks one).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

#: A capitalised word, or an ordinal (``5th Avenue``)
_WORD = r"(?:[A-Z][A-Za-z'’\-]*|\d{1,3}(?:st|nd|rd|th))"
_WORDS = rf"{_WORD}(?:[ ]{_WORD}){{0,3}}"
#: Street words, English and pinyin; the abbreviations may end in a point
_STREET_WORDS = [
    "Road",
    "Street",
    "Avenue",
    "Boulevard",
    "Lane",
    "Drive",
    "Way",
    "Court",
    "Place",
    "Terrace",
    "Highway",
    "Parkway",
    "Square",
    "Alley",
    "Crescent",
    "Close",
    "Circle",
    "Lu",
    "Jie",
    "Dajie",
    "Dadao",
    "Hutong",
    "Xiang",
    "Nong",
    "Gonglu",
    # a direction joined to the street word, as pinyin writes it (Xinyuan Nanlu, Zhongshan Beilu)
    "Nanlu",
    "Beilu",
    "Donglu",
    "Xilu",
    "Zhonglu",
    "Nanjie",
    "Beijie",
    "Dongjie",
    "Xijie",
]
_STREET_SHORT = [
    "Rd",
    "St",
    "Str",
    "Ave",
    "Av",
    "Blvd",
    "Ln",
    "Dr",
    "Ct",
    "Pl",
    "Hwy",
    "Pkwy",
    "Sq",
    "Cres",
]
#: Street words that are common English words too: in capitals they are more often a
#: notice's words (``100 ONE WAY MILES``) than a street
_PLAIN_WORDS = {"Way", "Court", "Place", "Terrace", "Square", "Close", "Circle", "Crescent"}
#: A street word as written: capitalised or in capitals (``Road``, ``ROAD``, ``Rd.``)
_TYPES = [
    w
    for word in _STREET_WORDS + _STREET_SHORT
    for w in ((word,) if word in _PLAIN_WORDS else (word, word.upper()))
]
_SHORT = [w for word in _STREET_SHORT for w in (word, word.upper())]
_TYPE_WORDS = rf"(?:{'|'.join(_SHORT)})\.?|{'|'.join(w for w in _TYPES if w not in _SHORT)}"
_TYPE = rf"(?:{_TYPE_WORDS})(?![A-Za-z])"
_NUM = r"(?:(?:No|NO|no)\.?[ ]?|\#[ ]?)?\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
_UNIT_WORDS = [
    "Room",
    "Rm",
    "Flat",
    "Apt",
    "Apartment",
    "Unit",
    "Suite",
    "Ste",
    "Floor",
    "Fl",
    "Level",
    "Building",
    "Bldg",
    "Block",
    "Blk",
    "Tower",
    "Twr",
    "Gate",
    "House",
    "Villa",
    "Studio",
]
_UNIT = (
    rf"(?:(?:{'|'.join(_UNIT_WORDS)})\.?[ ]?\#?(?:\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?|[A-Z])"
    r"|\d{1,3}/F|\d{1,3}(?:st|nd|rd|th)[ ]Floor|\#\d{1,3}-\d{1,5})(?![0-9A-Za-z])"
)
_SEP = r"(?:,[ ]?|[ ])"


def _core(street_type: str) -> str:
    """A house number and capitalised words ending in a street word, or the number after it."""
    return (
        rf"(?:{_NUM},?[ ]{_WORDS}[ ]{street_type}"
        rf"|{_WORD}(?:[ ]{_WORD}){{0,2}}[ ]{street_type},?[ ]"
        r"(?:(?:No|NO|no)\.?[ ]?|\#[ ]?)\d{1,5}[A-Za-z]?)"
    )


_CORE = _core(_TYPE)
#: Division words (longer first where one starts another); ``Dist`` and ``Prov`` take a point
_DIVISION_WORDS = [
    "New Area",
    "New District",
    "Autonomous Region",
    "District",
    "Dist.",
    "Qu",
    "County",
    "Xian",
    "City",
    "Shi",
    "Province",
    "Prov.",
    "Sheng",
    "Town",
    "Township",
    "Zhen",
    "Village",
    "Cun",
    "Prefecture",
    "Borough",
    "SAR",
]
_DIVISION = (
    "(?:" + "|".join(re.escape(w).replace(r"\ ", "[ ]") for w in _DIVISION_WORDS) + ")(?![A-Za-z])"
)
_POSTCODE = (
    r"(?:\d{6}(?![0-9])|[A-Z]{2}[ ]\d{5}(?:-\d{4})?(?![0-9])"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}(?![A-Za-z]))"
)


@cache
def latin_places() -> tuple[str, ...]:
    """The places of ``engine/data/latin_places.txt``, longest first."""
    text = (files("baomi.engine") / "data" / "latin_places.txt").read_text(encoding="utf-8")
    names = {line.strip() for line in text.splitlines() if line.strip()}
    return tuple(sorted((n for n in names if not n.startswith("#")), key=lambda n: (-len(n), n)))


@cache
def _place_segment() -> str:
    """One place of an address: a division, a listed place, a city before a US state and ZIP
    code, or a postcode."""
    listed = "|".join(re.escape(p) for p in latin_places())
    return (
        rf"(?:{_WORD}(?:[ ]{_WORD}){{0,2}}[ ]{_DIVISION}"
        rf"|(?:{listed})(?![A-Za-z])"
        rf"|{_WORDS}(?=,?[ ][A-Z]{{2}}[ ]\d{{5}})"
        rf"|{_POSTCODE})"
    )


@cache
def _street_regex() -> str:
    return (
        rf"(?<![0-9A-Za-z])(?P<v>(?:{_UNIT},?[ ]){{0,4}}{_CORE}(?:{_SEP}{_UNIT})*)(?![0-9A-Za-z])"
    )


@cache
def _address_regex() -> str:
    """Units, a street, more units, then places — before which capitalised words that start no
    place may come (a neighbourhood: ``45 Nathan Road, Tsim Sha Tsui, Kowloon``), a word at a
    time and possessively, so that a failing text is not cut into words every way."""
    place = _place_segment()
    between = rf"(?:{_SEP}(?!{place}){_WORD}(?![A-Za-z]))*+"
    return (
        rf"(?<![0-9A-Za-z])(?P<v>(?:{_UNIT},?[ ]){{0,4}}{_CORE}(?:{_SEP}{_UNIT})*"
        rf"{between}(?:{_SEP}{place})+)(?![0-9A-Za-z])"
    )


#: A letter of a name in a European language (``Lüdenscheid``, ``Bremervörde``, ``Staßfurt``)
_EU_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
_EU_WORD = rf"(?:[A-ZÀ-ÖØ-Þ][{_EU_LETTER}'’\-]*)"
#: A street as German, Austrian, Swiss and Dutch addresses write it, its word joined to the
#: name and the number after it (``Röhrdanzstraße 3/1``, ``Bianca-Löffler-Gasse 13``,
#: ``Kadeallee 96-42``, ``Keizersgracht 123``)
#: The street words of :data:`_EU_STREET`, joined to the name (or after a hyphen, capitalised)
_EU_STREET_WORDS = [
    "straße",
    "strasse",
    "str.",
    "weg",
    "gasse",
    "platz",
    "allee",
    "ring",
    "damm",
    "ufer",
    "chaussee",
    "steig",
    "markt",
    "Straße",
    "Weg",
    "Gasse",
    "Platz",
    "Allee",
    "Ring",
    "Damm",
    "straat",
    "laan",
    "plein",
    "gracht",
    "kade",
    "singel",
    "boulevard",
    "baan",
    "hof",
    "pad",
    "steeg",
    "dreef",
]
_EU_STREET = (
    rf"{_EU_WORD}(?:[ ]{_EU_WORD}){{0,2}}?"
    + "(?:"
    + "|".join(f"(?<={re.escape(w)})" for w in _EU_STREET_WORDS)
    + ")"
    + r"[ ]\d{1,5}[a-z]?(?:[-/]\d{1,5}[a-z]?)?"
)
#: A street as France writes it, the street word first and in lower case (``240, rue de
#: Maréchal``, ``avenue Valentine Godard``)
_FR_STREET = (
    r"(?:\d{1,4}(?:[ ]?(?:bis|ter))?,?[ ])?"
    r"(?:rue|avenue|boulevard|bd|place|chemin|impasse|allée|quai|route|cours|passage)[ ]"
    rf"(?:de[ ]la[ ]|de[ ]l['’]|du[ ]|des[ ]|de[ ]|d['’])?{_EU_WORD}(?:[ ]{_EU_WORD}){{0,3}}"
)
#: A street as Spain, Italy and Portugal write it, the street word first and the number after
#: the name (``Plaza Benito Sola 92``, ``Via Salieri, 93 Piano 7``)
_SOUTH_STREET = (
    "(?:Calle|Avenida|Plaza|Paseo|Callejón|Camino|Alameda|Pasaje|Ronda|Travesía|Vial|Cañada"
    "|Pasadizo|Carrera|Via|Viale|Strada|Contrada|Vicolo|Piazza|Piazzale|Corso|Largo|Incrocio"
    "|Canale|Stretto|Borgo|Rotonda|Rua|Travessa|C\\.|Av\\.|Avda\\.)"
    rf"[ ](?:de[ ](?:la[ ]|los[ ]|las[ ])?|del[ ]|dei[ ]|della[ ])?{_EU_WORD}(?:[ ]{_EU_WORD}){{0,3}}"
    r",?[ ]\d{1,5}[A-Za-z]?(?:[ ](?:Apt\.|Appartamento|Piano|Piso|Puerta)[ ]\d{1,4}[ ]?)?"
)
#: The end of an address abroad as its country's post writes it: a US state and ZIP code, a
#: Canadian province and postcode, a UK postcode, an Australian state and postcode, a Dutch
#: postcode (and its town), Italy's postcode, town and province, a postcode before its town
#: (five digits alone, last, end only a southern European street's address: Spain's)
_POSTAL_TAIL = (
    r"(?:[A-Z]{2}[ ](?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z][ ]?\d[A-Z]\d)"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}"
    r"|(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),?[ ]\d{4}"
    rf"|\d{{4}}[ ]?[A-Z]{{2}}(?:,[ ]?{_EU_WORD})?"
    rf"|\d{{5}},[ ]?{_EU_WORD}(?:[ ]{_EU_WORD}){{0,3}}(?:[ ]\([A-Z]{{2}}\))?"
    rf"|\d{{4,5}}[ ]{_EU_WORD}(?:[ ]{_EU_WORD}){{0,2}})(?![0-9A-Za-z])"
)


#: A US military address (the Postal Service's Publication 28, section 24): a unit and box, a
#: PSC and box, or a ship, then APO, FPO or DPO and the armed forces' "state" and a ZIP code
#: (``Unit 0326 Box 9910, DPO AE 28451``, ``USNV Thomas, FPO AE 61808``)
_MILITARY = (
    r"(?:(?:Unit|PSC|CMR)[ ]\d{3,5},?[ ]Box[ ]\d{1,5}|US(?:NS|NV|S|CGC)[ ][A-Z][A-Za-z'\-]*"
    r"(?:[ ][A-Z][A-Za-z'\-]*){0,2}),?[ ](?:APO|FPO|DPO)[ ](?:AA|AE|AP)[ ]\d{5}(?:-\d{4})?"
    r"(?![0-9A-Za-z])"
)


def _abroad_text_regex() -> str:
    """An address abroad in running text (``Ships to 679 Cindy Village, North Austinbury, PA
    04443.``): a house number or a unit and capitalised words (any street word, even none, and
    a last word in lower case: ``792 Katie hollow``), or a European, French or southern
    European street; then up to three places and the postal end (:data:`_POSTAL_TAIL`). The
    end makes it an address: the words alone would be any phrase after a number. Or a US
    military address (:data:`_MILITARY`)."""
    words = rf"{_EU_WORD}(?:[ ]{_EU_WORD}){{0,3}}(?:[ ][a-z]{{3,12}})?"
    head = (
        rf"(?:(?:{_UNIT},?[ ]){{0,3}}(?:{_NUM},?[ ]|{_UNIT},?[ ]){words}"
        rf"|{_EU_STREET}|{_FR_STREET})(?:{_SEP}{_UNIT})*"
    )
    town = rf"{_EU_WORD}(?:[ ]{_EU_WORD}){{0,3}}"
    places = rf"(?:,[ ]?{town}){{0,3}},[ ]?"
    return (
        rf"(?<![0-9A-Za-z])(?P<v>{head}{places}{_POSTAL_TAIL}"
        rf"|{_SOUTH_STREET}{places}(?:{_POSTAL_TAIL}|\d{{5}}(?![0-9A-Za-z]))"
        rf"|{_MILITARY})"
    )


#: Rust regex (Polars): the postal end of :func:`_abroad_text_regex` after its comma
_POSTAL_PREFILTER = (
    r",[ ]?(?:[A-Z]{2} (?:\d{5}|[A-Z]\d[A-Z])|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}"
    r"|(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),? \d{4}|\d{4,5})|[ ][ADF]PO A[AEP] \d"
)

_FULL_SCORE = 0.85
_STREET_SCORE = 0.6


class LatinAddressRecognizer(PatternRecognizer):
    entity = "ADDRESS"
    patterns = (
        Pattern("latin_address", _address_regex(), _FULL_SCORE),
        Pattern("latin_street", _street_regex(), _STREET_SCORE),
        Pattern("latin_abroad", _abroad_text_regex(), _FULL_SCORE),
    )
    context = (
        "address",
        "addr",
        "ship to",
        "ships to",
        "deliver",
        "mail to",
        "located",
        "lives at",
        "地址",
        "住址",
        "住在",
        "收货",
        "寄到",
        "送到",
        "送至",
    )
    context_window = 20
    header_hints = ("地址", "住址", "address", "addr", "street")
    #: The plainest street (``88 Jianguo Road``): every cell it matches whole, the pattern does
    fast_cell_regex = (
        r"^\d{1,5} [A-Z][a-z]+(?: [A-Z][a-z]+){0,2} (?:Road|Street|Avenue|Lane|Lu|Jie|Dajie)$"
    )
    #: Rust regex (Polars): a street word after a blank — every street of the first two
    #: patterns holds one — or an address abroad's postal end after a comma
    prefilter = rf" (?:{'|'.join(_TYPES)})|{_POSTAL_PREFILTER}"


# Whole cells of an address column -----------------------------------------------------------

#: Street words read only in a whole cell of an address column, where the header says what the
#: cell is: the rest of the US Postal Service's street suffixes (Publication 28, Appendix C1:
#: ``90996 Theresa Cape``, ``500 Oak Grove Trail``), Royal Mail's and Australia Post's
#: (``Elm Mews``, ``7 Sarah Circlet``). Many are English words (``Key``, ``Park``, ``View``):
#: in free text they would take a sentence's ``Phase 2 Data Center`` for a street
_CELL_STREET_WORDS = [
    "Branch",
    "Bridge",
    "Brook",
    "Brooks",
    "Burg",
    "Burgs",
    "Bypass",
    "Camp",
    "Canyon",
    "Cape",
    "Causeway",
    "Center",
    "Centers",
    "Centre",
    "Circles",
    "Cliff",
    "Cliffs",
    "Club",
    "Common",
    "Commons",
    "Corner",
    "Corners",
    "Course",
    "Courts",
    "Cove",
    "Coves",
    "Creek",
    "Crest",
    "Crossing",
    "Crossroad",
    "Curve",
    "Dale",
    "Dam",
    "Divide",
    "Drives",
    "Estate",
    "Estates",
    "Expressway",
    "Extension",
    "Falls",
    "Ferry",
    "Field",
    "Fields",
    "Flat",
    "Flats",
    "Ford",
    "Fords",
    "Forest",
    "Forge",
    "Fork",
    "Forks",
    "Fort",
    "Freeway",
    "Garden",
    "Gardens",
    "Gateway",
    "Glen",
    "Glens",
    "Green",
    "Greens",
    "Grove",
    "Groves",
    "Harbor",
    "Harbors",
    "Harbour",
    "Haven",
    "Heights",
    "Hill",
    "Hills",
    "Hollow",
    "Inlet",
    "Island",
    "Islands",
    "Isle",
    "Junction",
    "Junctions",
    "Key",
    "Keys",
    "Knoll",
    "Knolls",
    "Lake",
    "Lakes",
    "Landing",
    "Light",
    "Lights",
    "Loaf",
    "Lock",
    "Locks",
    "Lodge",
    "Loop",
    "Mall",
    "Manor",
    "Manors",
    "Meadow",
    "Meadows",
    "Mews",
    "Mill",
    "Mills",
    "Mission",
    "Motorway",
    "Mount",
    "Mountain",
    "Mountains",
    "Neck",
    "Orchard",
    "Oval",
    "Overpass",
    "Park",
    "Parks",
    "Parkways",
    "Pass",
    "Passage",
    "Path",
    "Pike",
    "Pine",
    "Pines",
    "Plain",
    "Plains",
    "Plaza",
    "Point",
    "Points",
    "Port",
    "Ports",
    "Prairie",
    "Radial",
    "Ramp",
    "Ranch",
    "Rapid",
    "Rapids",
    "Rest",
    "Ridge",
    "Ridges",
    "River",
    "Roads",
    "Route",
    "Row",
    "Run",
    "Shoal",
    "Shoals",
    "Shore",
    "Shores",
    "Skyway",
    "Spring",
    "Springs",
    "Spur",
    "Spurs",
    "Squares",
    "Station",
    "Stravenue",
    "Stream",
    "Streets",
    "Summit",
    "Throughway",
    "Trace",
    "Track",
    "Trafficway",
    "Trail",
    "Trailer",
    "Tunnel",
    "Turnpike",
    "Underpass",
    "Union",
    "Unions",
    "Valley",
    "Valleys",
    "Viaduct",
    "View",
    "Views",
    "Villages",
    "Ville",
    "Vista",
    "Walk",
    "Walks",
    "Wall",
    "Ways",
    "Well",
    "Wells",
    "Wynd",
    "Rise",
    "Vale",
    "Parade",
    "Esplanade",
    "Promenade",
    "Quay",
    "Wharf",
    "Circlet",
    "Rotary",
    "Link",
    "Pocket",
    "Grange",
    "Chase",
    "Gate",
    "Nook",
    "Retreat",
]
_CELL_TYPE = rf"(?:{_TYPE_WORDS}|{'|'.join(_CELL_STREET_WORDS)})(?![A-Za-z])"
#: Places written after a street only in a whole cell: a postcode before its town, as most of
#: Europe writes it (``12402 Heinsberg``, ``75002 Paris``, ``1010 Wien``), an Australian state
#: and postcode (``QLD, 2612``), a Canadian postcode (``K1A 0B1``)
_CELL_PLACE = (
    rf"(?:\d{{4,5}}[ ]{_EU_WORD}(?:[ ]{_EU_WORD}){{0,2}}"
    r"|(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),?[ ]\d{4}(?![0-9])"
    r"|[A-Z]\d[A-Z][ ]?\d[A-Z]\d(?![A-Za-z0-9]))"
)


#: Rust regex (Polars): a cell that may be an address in Latin letters holds a street, unit or
#: division word or a listed place at the start of a word, as written (:func:`classify_cell`
#: finds nothing in any other); a customer number's six digits or an e-mail's letters are none
CELL_PREFILTER = (
    "(?:^|[ ,])(?:"
    + "|".join(
        _TYPES
        + _UNIT_WORDS
        + [w.rstrip(".") for w in _DIVISION_WORDS]
        + [re.escape(p) for p in latin_places()]
    )
    + r")|\d/F|#\d|[A-Z]{2} \d{5}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}"
    # a whole cell's wider vocabulary (:func:`_abroad`): its street words, a European street
    # and number, a postcode before a town, an Australian state and postcode, a Canadian one
    + r"| (?:"
    + "|".join(_CELL_STREET_WORDS)
    + r")(?:$|[ ,])|(?:"
    + "|".join(re.escape(w) for w in _EU_STREET_WORDS)
    + r") \d"
    + r"|\d{4,5} [A-ZÀ-ÖØ-Þ]|(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),? \d{4}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
)

_CELL_SCORE = 0.9
_CELL_STREET_SCORE = 0.7
_CELL_PLACES_SCORE = 0.6
#: Words of a sentence, not of an address (a note in an address column)
_PROSE = re.compile(r"[.!?;:]\s+[a-z]|\b(?:the|please|call|and|or|is|was|will|should)\b")


def is_prose(cell: str) -> bool:
    """Whether ``cell`` reads as a sentence in English (a note in an address column)."""
    return _PROSE.search(cell) is not None


@cache
def _rest_regex() -> re.Pattern[str]:
    """What may follow the street in an address cell: units, places and any capitalised
    words (a neighbourhood: ``Tsim Sha Tsui``), comma- or space-separated."""
    # possessive: once a part is read it is not cut again another way (a run of capitalised
    # words can be cut into places in exponentially many ways, each tried when the cell then
    # fails); a word at a time, so that the first reading that takes a part is the only one
    seg = rf"(?:{_UNIT}|{_place_segment()}|{_WORD}|{_POSTCODE})"
    return re.compile(rf"(?:{_SEP}{seg})*+[ .]*")


@cache
def _places_only_regex() -> re.Pattern[str]:
    """A cell of units and places without a street (``Room 1203, Tower A, Chaoyang District,
    Beijing``): at least one division or listed place."""
    seg = rf"(?:{_UNIT}|{_place_segment()})"
    return re.compile(rf"{seg}(?:{_SEP}{seg})*+[ .]*")


@cache
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    place = re.compile(_place_segment())
    return re.compile(_address_regex()), re.compile(_street_regex()), place


def classify_cell(cell: str) -> tuple[float, str] | None:
    """Whether a whole (stripped, normalised) cell is an address in Latin letters: its score
    and pattern (``latin_address``: a street and a place, or a street and more capitalised
    words; ``latin_street``: a street alone; ``latin_places``: units and places only), or
    None."""
    if _PROSE.search(cell):
        return None
    full, street, place = _compiled()
    m = full.match(cell) or street.match(cell)
    if m is not None:
        rest = cell[m.end() :]
        if not rest.strip(" ."):
            full_match = m.re is full
            return (
                (_CELL_SCORE, "latin_address")
                if full_match
                else (
                    _CELL_STREET_SCORE,
                    "latin_street",
                )
            )
        if _rest_regex().fullmatch(rest):
            return _CELL_SCORE, "latin_address"
    elif _places_only_regex().fullmatch(cell) and place.search(cell):
        return _CELL_PLACES_SCORE, "latin_places"
    return _abroad(cell)


@cache
def _military_rx() -> re.Pattern[str]:
    return re.compile(_MILITARY)


@cache
def _cell_compiled() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A street of a whole cell (any street word of :data:`_CELL_STREET_WORDS`, or a
    European one), with its units; and what may follow it."""
    street = rf"(?:{_UNIT},?[ ]){{0,4}}(?:{_core(_CELL_TYPE)}|{_EU_STREET})(?:{_SEP}{_UNIT})*"
    seg = rf"(?:{_UNIT}|{_CELL_PLACE}|{_place_segment()}|{_EU_WORD}|{_POSTCODE})"
    return re.compile(street), re.compile(rf"(?:{_SEP}{seg})*+[ .]*")


#: The postcode that ends an address abroad: a US state and ZIP code, a UK postcode, China's
#: six digits, and the places of :data:`_CELL_PLACE`
_POSTAL_END = re.compile(
    rf"{_SEP}(?:{_CELL_PLACE}|[A-Z]{{2}}[ ]\d{{5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?[ ]\d[A-Z]{{2}}"
    r"|\d{6})[ .]*$"
)
#: Before it: a unit or a house number first, then units, numbers and words of any case
#: (``Flat 2, Wilkins dam, Lloydville``), comma- or space-separated
_POSTAL_HEAD = re.compile(
    rf"(?:{_UNIT}|{_NUM})(?:{_SEP}(?:{_UNIT}|{_NUM}|[{_EU_LETTER}][{_EU_LETTER}'’\-.]*))*+"
)
_CELL_POSTAL_SCORE = 0.8


def _abroad(cell: str) -> tuple[float, str] | None:
    """A whole cell of an address abroad that the free-text shapes do not take: a street of a
    cell's wider vocabulary or a European street with its places (``90996 Theresa Cape, West
    Robert, ND 15940``, ``Benthinweg 68, 59797 Bremervörde``), or a unit or house number, words
    and a postcode at the end (``1 Crystal Riviera, Port Brandonbury, ACT, 9246``); or a US
    military address (``PSC 1234, Box 5678, APO AA 12345``)."""
    if _military_rx().fullmatch(cell.rstrip(" .")):
        return _CELL_SCORE, "latin_address"
    street, rest_rx = _cell_compiled()
    m = street.match(cell)
    if m is not None:
        rest = cell[m.end() :]
        if not rest.strip(" ."):
            return _CELL_STREET_SCORE, "latin_street"
        if rest_rx.fullmatch(rest):
            return _CELL_SCORE, "latin_address"
    end = _POSTAL_END.search(cell)
    if end is not None:
        head = cell[: end.start()]
        if _POSTAL_HEAD.fullmatch(head) and re.search("[A-Za-z]{2}", head):
            return _CELL_POSTAL_SCORE, "latin_postal"
    return None


#: A postcode at the end of the last place (``Beijing 100022``, ``IL 62704``, ``London NW1 6XE``)
_TRAILING_POSTCODE = re.compile(
    r"[ ]*(?:\d{6}|\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2})$"
)
_STREET_WORD = re.compile(rf"(?<![A-Za-z]){_TYPE}")
_UNIT_START = re.compile(_UNIT)


def shown_places(value: str) -> str:
    """The places that end an address in Latin letters (``Chaoyang District, Beijing`` of
    ``No. 88 Jianguo Road, Chaoyang District, Beijing 100022``), without a postcode: what a
    mask shows of it, as it shows a Chinese address's divisions. The comma-separated parts
    after the last one with a digit, a street word or a unit; never the first part (the street or a
    unit stays hidden). Empty when there are none."""
    parts = value.split(",")
    shown: list[str] = []
    for i in range(len(parts) - 1, 0, -1):
        text = parts[i].strip()
        if i == len(parts) - 1:
            text = _TRAILING_POSTCODE.sub("", text)
        hidden = _STREET_WORD.search(text) or _UNIT_START.match(text)
        if not text or any(c.isdigit() for c in text) or hidden:
            break
        shown.insert(0, text)
    return ", ".join(shown)


_PLACE_END = re.compile(rf"(?<![A-Za-z])(?:{_TYPE}|{_DIVISION})[ .,]*$")
_ANY_STREET = re.compile(rf"[ ]{_TYPE}")


def in_a_place(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a name a model read in Latin letters) ends in a street or
    division word (``Baker Street``, ``Chaoyang District``) or lies in an address of Latin
    letters (``Tsim Sha Tsui`` of ``45 Nathan Road, Tsim Sha Tsui, Kowloon``): a place's
    name, not a person's — and, kept as a name, it took the place of the address around it,
    whose other parts were then left in clear."""
    if _PLACE_END.search(text, start, end) is not None:
        return True
    if _ANY_STREET.search(text) is None:
        return False
    full, street, _ = _compiled()
    return any(
        m.start("v") < end and start < m.end("v")
        for rx in (full, street)
        for m in rx.finditer(text)
    )


def street_word(value: str) -> str:
    """The street word of an address in Latin letters as written (``Road``, ``Lu``, ``St.``),
    ``Road`` when it has none."""
    m = _STREET_WORD.search(value)
    return m.group() if m else "Road"


__all__ = [
    "CELL_PREFILTER",
    "LatinAddressRecognizer",
    "classify_cell",
    "in_a_place",
    "is_prose",
    "latin_places",
    "shown_places",
    "street_word",
]
