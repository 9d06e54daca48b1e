"""Customers abroad: the address column of an export holds their addresses as each country
writes them — the US Postal Service's street suffixes, Australia's states and postcodes,
Germany's streets and postcodes, Taiwan's and Hong Kong's traditional characters. Every cell is
counted by the scan and de-identified by protect (most were neither: the address recognizers
knew the mainland's characters and a few English street words). Addresses made up in each
country's layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import protect_verified

ABROAD = {
    "us": [
        "90996 Theresa Cape, West Robert, ND 15940",
        "500 Oak Grove Trail, Austin, TX 78701",
        "1313 Gonzalez Ford Suite 990, Blankenshipstad, AS 84797",
        "USNV Thomas, FPO AE 61808",  # a US military address
    ],
    "uk": ["Studio 1, George Plaza, Howardshire, L9 9YR", "7 Parry Mews, Taylorview, KT5X 3FD"],
    "au": [
        "1 Crystal Riviera, Port Brandonbury, ACT, 9246",
        "7 Sarah Circlet, Douglasside, VIC, 3433",
    ],
    "de": [
        "Röhrdanzstraße 3/1, 12402 Heinsberg",
        "Bianca-Löffler-Gasse 13, 03082 Lüdenscheid",
        "Benthinweg 68, 59797 Bremervörde",
    ],
    "tw": ["台北市信義區信義路五段7號89樓", "19139 苗栗市龍山寺路92號9樓"],
    "hk": ["香港九龍旺角彌敦道123號"],
    # on their shape alone, under the address header (a digit, words, no sentence)
    "kr": ["강원도 삼척시 테헤란8로 988-58", "서울특별시 도봉구 서초중앙로 지하981"],
    "nl": ["Dirkpad 75, 8900WS, Meerssen", "Evaboulevard 0, 5108PV, Oudesluis"],
    "nz": ["PO Box 45, Mokoawa 2291", "34 Atkinson Cross, Awanui 8179"],
    "in": ["53/22, Panchal Chowk, Rajkot-217743", "H.No. 81, Sastry Nagar, Jamalpur 470316"],
    "fr": [
        "9, rue de Valentin, 50563 Delahaye-sur-Barbie",
        "boulevard Sophie Lebrun, 33835 Sainte Corinne",
    ],
    "es": [
        "Cañada de Erasmo Botella 709, Segovia, 49425",
        "C. Carmelita Valverde 67, Badajoz, 48312",
    ],
    "it": ["Contrada Orlando, 0 Appartamento 70, 73017, Chiesanuova (LE)"],
}


@pytest.mark.parametrize("country", sorted(ABROAD))
def test_every_address_is_counted_and_protected(tmp_path: Path, country: str) -> None:
    addresses = ABROAD[country]
    root = tmp_path / "in"
    root.mkdir()
    with (root / "c.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["Name", "Address"], *[[f"Customer {i}", a] for i, a in enumerate(addresses)]]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][1]
    assert (col["entity"], col["matches"], col["entities"]) == (
        "ADDRESS",
        len(addresses),
        {"ADDRESS": len(addresses)},
    )
    protect_verified(root, tmp_path / "pkg")
    text = strip_marks((tmp_path / "pkg" / "c.csv").read_text(encoding="utf-8"))
    streets = [a.split(",")[0] for a in addresses]
    assert not [s for s in streets if s in text]


def test_their_shape_alone_makes_no_address_column(tmp_path: Path) -> None:
    """Words and a digit under a header that names no address (a report's titles)."""
    root = tmp_path / "in"
    root.mkdir()
    titles = ["Sales Report 2024", "Q3 Plan v2", "Budget 2025 draft", "Board Minutes 12"]
    with (root / "c.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["Title"], *[[t] for t in titles]])
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][0]
    assert col["entity"] != "ADDRESS" and col["matches"] == 0


def test_free_text_keeps_its_narrower_street_words(tmp_path: Path) -> None:
    """The wider vocabulary is read in an address column only: in a note a number and a
    capitalised word such as ``Center`` or ``Park`` are a sentence's as often — unless the
    address's postal end follows (the next test)."""
    from baomi.engine.recognizers.generic.latin_address import LatinAddressRecognizer

    found = LatinAddressRecognizer().analyze("Phase 2 Data Center opens; 500 Oak Grove Trail")
    assert found == []


#: The layouts whose postal end a note's address is read by (New Zealand's town and postcode
#: and India's are not: a capitalised word and four or six digits end many a sentence)
IN_NOTES = ["us", "uk", "au", "de", "nl", "fr", "es", "it"]


def test_addresses_abroad_in_notes_are_protected(tmp_path: Path) -> None:
    """English and Chinese notes give a customer's address abroad with its postal end (a
    state and ZIP code, a postcode): every one is protected (they were kept in clear: a note's
    street words were the narrower list, and Europe's streets were read in address columns
    only)."""
    addresses = [a for c in IN_NOTES for a in ABROAD[c]]
    notes = [
        f"Ships to {a}." if i % 3 == 0 else f"新地址 {a}，明天发货" if i % 3 == 1 else f"{a} (home)"
        for i, a in enumerate(addresses)
    ]
    root = tmp_path / "in"
    root.mkdir()
    with (root / "n.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["跟进记录"], *[[n] for n in notes]])
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][0]
    assert col["entities"].get("ADDRESS") == len(addresses)
    protect_verified(root, tmp_path / "pkg")
    text = strip_marks((tmp_path / "pkg" / "n.csv").read_text(encoding="utf-8"))
    streets = [a.split(",")[0] for a in addresses]
    assert not [s for s in streets if s in text], text
    assert text.count("明天发货") == len(addresses[1::3])  # the notes' other words stay
