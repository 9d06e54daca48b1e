"""A UTF-8 byte-order mark in front of GBK / GB 18030 bytes (a Windows tool that prefixes a BOM
to a GBK export, a GBK file appended to a BOM) is read in GBK, the mark skipped: the file is
scanned as the same file without the mark (its inventory ``encoding`` ``gbk-sig`` /
``gb18030-sig``), not as UTF-8 with every Chinese character U+FFFD and every row counted as
undecodable — the customers' names and addresses invisible to the scan."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from faker import Faker

from baomi.demo.identifiers import mobile_number, resident_id
from baomi.engine.scan import scan_paths

#: a character GBK does not have (a four-byte GB 18030 sequence): the file is GB 18030
BEYOND_GBK = "𠀀"


def people(n: int, seed: int = 5) -> list[dict[str, str]]:
    """``n`` generated customers: Faker zh_CN names and addresses, IDs and mobiles with their
    check digits computed."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    while len(rows) < n:
        i = len(rows)
        born = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        row = {
            "姓名": fake.name(),
            "身份证号": resident_id(rng, "110101", born, i % 2 == 0),
            "手机": mobile_number(rng),
            "地址": fake.address().replace(" ", ""),
        }
        try:
            "".join(row.values()).encode("gbk")
        except UnicodeEncodeError:
            continue  # a generated character outside GBK
        rows.append(row)
    return rows


def csv_text(rows: list[dict[str, str]], title: str | None = None) -> str:
    lines = [title] if title is not None else []
    lines += [",".join(rows[0])] + [",".join(r.values()) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def txt_text(rows: list[dict[str, str]]) -> str:
    return "".join(
        f"客户{r['姓名']}，身份证号{r['身份证号']}，手机{r['手机']}，住址{r['地址']}。\n"
        for r in rows
    )


def json_text(rows: list[dict[str, str]]) -> str:
    return json.dumps(
        [{"客户": {"姓名": r["姓名"], "电话": r["手机"]}, **r} for r in rows],
        ensure_ascii=False,
        indent=2,
    )


def scanned(root: Path, out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The file's inventory entry and the findings of a scan of folder ``root``."""
    scan_paths([root], out_dir=out)
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    (entry,) = inventory["files"]
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return entry, [json.loads(line) for line in lines]


def scanned_with_and_without_the_mark(
    tmp_path: Path, name: str, text: str, encoding: str
) -> tuple[tuple[dict[str, Any], list[dict[str, Any]]], ...]:
    """The scan of ``text`` in ``encoding`` written as ``name``, without the mark and after it."""
    data = text.encode(encoding)
    results = []
    for folder, mark in (("plain", b""), ("marked", codecs.BOM_UTF8)):
        root = tmp_path / folder
        root.mkdir()
        (root / name).write_bytes(mark + data)
        results.append(scanned(root, tmp_path / f"{folder}-out"))
    return tuple(results)


CASES = {
    "csv": ("客户.csv", lambda rows: csv_text(rows)),
    "csv-title": ("客户.csv", lambda rows: csv_text(rows, "2024年客户名单")),
    "txt": ("客户.txt", txt_text),
    "json": ("客户.json", json_text),
}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
@pytest.mark.parametrize("case", list(CASES))
def test_gbk_after_a_utf8_bom_is_scanned_as_without_the_mark(
    tmp_path: Path, case: str, encoding: str
) -> None:
    name, render = CASES[case]
    rows = people(40)
    if encoding == "gb18030":  # a character beyond GBK: GB 18030 is needed
        rows[3]["地址"] += BEYOND_GBK
    text = render(rows)
    (plain, plain_findings), (marked, marked_findings) = scanned_with_and_without_the_mark(
        tmp_path, name, text, encoding
    )
    assert plain["encoding"] == encoding
    assert marked["encoding"] == f"{encoding}-sig"
    assert marked["undecodable_rows"] == 0
    assert {k: v for k, v in marked.items() if k != "encoding"} == {
        k: v for k, v in plain.items() if k != "encoding"
    }
    assert marked_findings == plain_findings
    found = {f["entity"] for f in marked_findings}
    assert {"CN_RESIDENT_ID", "CN_MOBILE", "PERSON_NAME", "ADDRESS"} <= found
    if case == "csv-title":
        assert marked["rows"] == 40
        assert {c["name"] for c in marked["columns"]} >= {"姓名", "身份证号", "手机", "地址"}
