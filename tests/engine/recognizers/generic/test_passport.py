"""Passport numbers of other countries: found under a passport's header or beside a word
naming one, never by their shape alone; the PRC's stay the PRC recognizer's; counted as ID
documents and masked. The numbers are made up (letters and digits of each country's layout)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.contracts.codec import to_dict
from baomi.engine.masking import mask_value
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.recognizers.generic.passport import PassportRecognizer
from baomi.engine.scan import ScanOptions, scan_paths
from tests.engine.recognizers.support import (
    assert_column_counted_and_protected,
    resident_id,
    spans_in_cell,
)

P = PassportRecognizer()
ABROAD = ["821993518", "C01X00T47", "TK1234567", "AB123456", "E1234567N", "K12A45678", "X9876543"]


_found = spans_in_cell


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Passport No. C01X00T47", "C01X00T47"),
        ("护照 821993518", "821993518"),
        ("護照號碼：TK1234567，有效期至2030年", "TK1234567"),
        ("passport ab123456 (Canada)", "ab123456"),
    ],
)
def test_beside_a_word_naming_a_passport(text: str, span: str) -> None:
    assert _found(text) == [(span, "PASSPORT")]
    assert pl.Series([text]).str.contains(str(P.prefilter)).item()


@pytest.mark.parametrize(
    "text",
    [
        "订单 821993518",  # no word: an order's code as likely
        "passport ABCDEFGH",  # letters only
        "passport AB12C",  # five characters
        "passport 1234567890",  # ten
        "Passport 1234567(8)",  # a Macao card's number
    ],
)
def test_not_a_passport_number(text: str) -> None:
    assert [e for _, e in _found(text) if e == "PASSPORT"] == []


def test_the_prcs_stay_the_prc_recognizers() -> None:
    assert _found("护照 E12345678") == [("E12345678", "CN_PASSPORT")]
    assert _found("E12345678", header="护照号码") == [("E12345678", "CN_PASSPORT")]


def test_a_column_under_a_passport_header_is_counted_and_protected(tmp_path: Path) -> None:
    assert_column_counted_and_protected(tmp_path, "Passport No.", ABROAD, "PASSPORT")


def test_among_resident_ids_under_an_id_documents_header(tmp_path: Path) -> None:
    """A 证件号码 column of resident IDs where foreign customers' passports stand: counted as
    ID documents, each its own person."""
    rng = random.Random(3)
    ids = [
        resident_id(f"110105199{rng.randrange(10)}0307{rng.randrange(100, 999)}") for _ in range(12)
    ]
    values = ids[:9] + ABROAD[:3]
    root = tmp_path / "in"
    root.mkdir()
    with (root / "c.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["姓名", "证件号码", "手机"],
                *[[f"客户{i}", v, f"138001380{min(i, 9):02d}"] for i, v in enumerate(values)],
            ]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    inv = to_dict(result.inventory)
    col = next(c for c in inv["files"][0]["columns"] if c["name"] == "证件号码")
    assert col["entity"] == "CN_RESIDENT_ID" and col["entities"]["PASSPORT"] == 3
    # the three passport holders share a phone (an agent's): three ID documents, three people
    assert inv["summary"]["estimated_individuals"] == len(set(values))
    lines = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert {f["row"] for f in map(json.loads, lines) if f["entity"] == "PASSPORT"} == {9, 10, 11}


def test_masked_and_a_policy_without_a_rule_treats_them_as_the_prcs() -> None:
    assert mask_value("C01X00T47", "PASSPORT") == "C******47"
    old = DEFAULT_POLICY.replace("  PASSPORT: {operator: mask}", "  # (none)")
    policy = load_policy_text(
        old.replace("CN_PASSPORT: {operator: mask}", "CN_PASSPORT: {operator: redact}")
    )
    assert policy.rule_for_entity("PASSPORT").operator == "redact"  # type: ignore[union-attr]
