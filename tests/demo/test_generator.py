"""The generated seller data set: deterministic, valid identifiers, decoys, encodings, truth."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from baomi.demo import ENTITIES, DemoTruth, TruthSpan, generate_demo
from baomi.demo.identifiers import MOBILE_PREFIXES, is_decoy_order_number
from baomi.engine.checksums import is_luhn_valid, is_valid_resident_id

ROWS = 150
SEED = 7


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoTruth:
    return generate_demo(tmp_path_factory.mktemp("demo"), seed=SEED, rows=ROWS)


def _csv(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def _check_value(entity: str, value: str) -> None:
    """The text under a truth span is a well-formed value of its entity."""
    norm = unicodedata.normalize("NFKC", value)
    assert value and value == value.strip(), (entity, len(value))
    if entity == "CN_RESIDENT_ID":
        assert is_valid_resident_id(norm)
    elif entity == "BANK_CARD":
        digits = norm.replace(" ", "")
        assert digits.startswith("62") and 16 <= len(digits) <= 19 and is_luhn_valid(digits)
    elif entity == "CN_MOBILE":
        digits = re.sub(r"\D", "", norm).removeprefix("86")
        assert len(digits) == 11 and digits[:3] in MOBILE_PREFIXES
    elif entity == "EMAIL":
        assert re.fullmatch(r"[a-z0-9._]+@(mail\.)?example\.(com|net|org)", norm), "email shape"
    elif entity == "PERSON_NAME":
        assert 2 <= len(value) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in value)
    elif entity == "ADDRESS":
        assert re.match(r"^.{2,}?(省|市|自治区)", value)
        assert "路" in value or "大道" in value
    elif entity == "ORGANIZATION":
        assert value.endswith(("公司", "银行")), "organisation suffix"
    else:  # pragma: no cover - unknown entity
        raise AssertionError(entity)


def test_writes_every_file_kind(demo: DemoTruth) -> None:
    names = {p.relative_to(demo.root).as_posix() for p in demo.root.rglob("*") if p.is_file()}
    assert set(demo.files) == names
    assert {"客户名单.csv", "CRM导出.xlsx", "orders.jsonl", "health_survey.csv"} <= names
    assert "合同/股权转让协议_001.txt" in names and "合同/股权转让协议_001.docx" in names
    assert not any("truth" in n for n in names)  # the truth is returned, not written
    assert set(demo.counts()) == set(ENTITIES)
    assert demo.individuals > ROWS


def test_deterministic_for_a_seed(
    demo: DemoTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an hour later: zip entry times and document stamps must not leak the clock
    clock = time.time
    monkeypatch.setattr(time, "time", lambda: clock() + 3600)
    again = generate_demo(tmp_path / "again", seed=SEED, rows=ROWS)
    assert again.spans == demo.spans
    for name in demo.files:
        if name.endswith((".csv", ".jsonl", ".txt", ".xlsx", ".docx")):
            assert (tmp_path / "again" / name).read_bytes() == (demo.root / name).read_bytes()
    other = generate_demo(tmp_path / "other", seed=SEED + 1, rows=ROWS)
    assert other.spans != demo.spans


def test_customer_list_is_gbk_not_utf8(demo: DemoTruth) -> None:
    raw = (demo.root / "客户名单.csv").read_bytes()
    raw.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert demo.encodings["客户名单.csv"] == "gbk"


def test_customer_list_identifiers_and_messy_forms(demo: DemoTruth) -> None:
    rows = _csv(demo.root / "客户名单.csv", "gbk")
    assert len(rows) == ROWS
    ids = [r["身份证号"] for r in rows]
    assert all(is_valid_resident_id(v) for v in ids)
    cards = [r["银行卡号"].replace(" ", "") for r in rows if r["银行卡号"]]
    assert cards and all(is_luhn_valid(c) and 16 <= len(c) <= 19 for c in cards)
    mobiles = [r["手机"] for r in rows]
    assert any(" " in m for m in mobiles) and any(m.startswith("+86-") for m in mobiles)
    assert any(not m.isascii() for m in mobiles)  # full-width digits
    assert any("（" in r["备注"] for r in rows)


def test_decoy_columns(demo: DemoTruth) -> None:
    rows = _csv(demo.root / "客户名单.csv", "gbk")
    assert all(is_decoy_order_number(r["订单号"]) for r in rows)
    assert all(not is_valid_resident_id(r["订单号"]) for r in rows)
    serials = [r["流水号"] for r in rows]
    assert all(len(s) == 16 for s in serials)
    assert sum(is_luhn_valid(s) for s in serials) < len(serials) * 0.25
    assert all(r["会员编号"][:3] not in MOBILE_PREFIXES for r in rows)
    decoys = {c.column for c in demo.columns if c.kind == "decoy"}
    assert decoys == {"订单号", "流水号", "会员编号"}
    assert not any(s.column in decoys for s in demo.spans)


def test_every_truth_span_points_at_its_value(demo: DemoTruth) -> None:
    import docx
    from openpyxl import load_workbook

    checked = 0
    tables: dict[str, list[dict[str, str]]] = {}
    for span in demo.spans:
        value = _value_at(demo, span, tables, docx, load_workbook)
        _check_value(span.entity, value[span.start : span.end])
        checked += 1
    assert checked == len(demo.spans) > 1000


def _value_at(
    demo: DemoTruth, span: TruthSpan, tables: dict[str, Any], docx: Any, load_workbook: Any
) -> str:
    path = demo.root / span.file
    if span.file.endswith(".csv"):
        rows = tables.setdefault(span.file, _csv(path, demo.encodings[span.file]))
        assert span.column is not None
        return str(rows[span.row][span.column])
    if span.file.endswith(".txt"):
        lines = tables.setdefault(
            span.file, path.read_text(encoding=demo.encodings[span.file]).split("\n")
        )
        return str(lines[span.row])
    if span.file.endswith(".jsonl"):
        records = tables.setdefault(
            span.file, [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        )
        node: Any = records[span.row]
        assert span.column is not None
        for part in span.column.split("."):
            node = node[part]
        return str(node)
    if span.file.endswith(".docx"):
        if span.file not in tables:
            d = docx.Document(str(path))
            paras = [p.text for p in d.paragraphs]
            paras += [c.text for t in d.tables for row in t.rows for c in row.cells]
            tables[span.file] = paras
        return str(tables[span.file][span.row])
    if span.file.endswith(".xlsx"):
        if span.file not in tables:
            wb = load_workbook(path, read_only=True)
            sheets: dict[str, list[dict[str, Any]]] = {}
            for ws in wb.worksheets:
                values = list(ws.iter_rows(values_only=True))
                header = [str(h) for h in values[0]]
                sheets[ws.title] = [dict(zip(header, v, strict=True)) for v in values[1:]]
            wb.close()
            tables[span.file] = sheets
        assert span.sheet is not None and span.column is not None
        return str(tables[span.file][span.sheet][span.row][span.column])
    raise AssertionError(span.file)


def test_crm_export_has_sheets_and_numeric_mobiles(demo: DemoTruth) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(demo.root / "CRM导出.xlsx", read_only=True)
    assert len(wb.sheetnames) >= 2
    mobiles = [r[2] for r in wb["客户信息"].iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert any(isinstance(m, int) for m in mobiles) and any(isinstance(m, str) for m in mobiles)


def test_orders_are_nested(demo: DemoTruth) -> None:
    first = json.loads((demo.root / "orders.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert {"name", "phone"} <= set(first["buyer"]) and first["items"][0]["name"]
    assert {"receiver", "phone", "address"} <= set(first["shipping"])
    columns = {s.column for s in demo.spans if s.file == "orders.jsonl"}
    assert {"buyer.name", "buyer.phone", "shipping.address", "remark"} <= columns


def test_contract_encodings_and_docx(demo: DemoTruth) -> None:
    gb = (demo.root / "合同" / "股权转让协议_003.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert "甲方" in gb.decode("gb18030")
    txt = demo.spans_in("合同/股权转让协议_001.txt")
    doc = demo.spans_in("合同/股权转让协议_001.docx")
    assert [(s.row, s.start, s.entity) for s in txt] == [(s.row, s.start, s.entity) for s in doc]
    assert {"CN_RESIDENT_ID", "BANK_CARD", "ADDRESS", "CN_MOBILE"} <= {s.entity for s in txt}


def test_health_survey_sensitive_column_and_minors(demo: DemoTruth) -> None:
    raw = (demo.root / "health_survey.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv(demo.root / "health_survey.csv", "utf-8-sig")
    ages = [int(r["年龄"]) for r in rows]
    assert min(ages) < 14 and max(ages) >= 18
    assert demo.minors_under_14 == sum(a < 14 for a in ages)
    assert any(r["病史"] not in ("", "无") for r in rows)
    kinds = {c.column: c.kind for c in demo.columns if c.file == "health_survey.csv"}
    assert kinds["病史"] == "健康生理信息"


def test_truth_jsonl_round_trip(demo: DemoTruth, tmp_path: Path) -> None:
    out = tmp_path / "truth.jsonl"
    demo.write_jsonl(out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(demo.spans)
    assert TruthSpan(**json.loads(lines[0])) == demo.spans[0]


def test_rejects_zero_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_demo(tmp_path, rows=0)


def test_individuals_are_the_people_written_into_the_files(tmp_path: Path) -> None:
    # A remark sometimes names a second person (a parcel's receiver, 代收人 with a phone); the
    # truth counts that person only when the remark written does name them.
    from baomi.demo.generator import _Builder

    b = _Builder(tmp_path, seed=SEED, rows=ROWS)
    customer = b.f.person()
    notes = [b.note_cell("f.csv", None, row, "备注", customer, 1.0) for row in range(600)]
    receivers = sum("代收人" in note for note in notes)
    assert receivers > 0
    assert len(b.seen) == 1 + receivers


def test_different_people_have_different_email_addresses(tmp_path: Path) -> None:
    # Faker's user names repeat (a few hundred given names): two generated customers got one
    # address, and the scan rightly joined them as one person, against a truth of two
    from baomi.demo.people import PersonFactory

    f = PersonFactory(SEED)
    emails = [f.person().email for _ in range(3000)]
    assert len(set(emails)) == len(emails)
