"""Traditional characters are read as the models read simplified ones: the text the models tag
has each traditional character in its simplified form, one for one (names of customers in
Hong Kong, Macao and Taiwan in notes were found in one sentence of three)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.contracts.codec import to_dict
from baomi.engine.normalize import normalize
from baomi.engine.prose.script import opencc_pairs, simplified, t2s_pairs
from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer, model_text
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths


@pytest.mark.skipif(importlib.util.find_spec("opencc") is None, reason="opencc (dev) absent")
def test_the_shipped_table_is_openccs() -> None:
    assert t2s_pairs() == opencc_pairs()


def test_simplified_keeps_offsets_and_simplified_text() -> None:
    text = "客戶陳美麗的聯繫電話已更新"
    assert simplified(text) == "客户陈美丽的联系电话已更新"
    plain = "客户陈美丽的联系电话已更新，下周回访"
    assert simplified(plain) is plain  # nothing to replace: the text itself
    assert len(model_text(normalize("黃淑芬說:合同下週簽"))) == len("黃淑芬說:合同下週簽")
    assert model_text(normalize("黃淑芬說:合同下週簽")) == "黄淑芬说：合同下周签"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("客戶陳美麗的聯繫電話已更新", "陳美麗"),
        ("今天拜訪了劉志偉，他對產品很滿意", "劉志偉"),
        ("黃淑芬說合同下週簽", "黃淑芬"),
    ],
)
def test_names_in_traditional_characters(text: str, name: str) -> None:
    analyzer = TextAnalyzer(Registry([ProsePersonNameRecognizer()]))
    assert [text[f.start : f.end] for f in analyzer.analyze(text)] == [name]


def test_the_batched_scan_reads_them_too(tmp_path: Path) -> None:
    """The column's scan simplifies the texts it gives the model in one Polars pass."""
    notes = ["今天拜訪了劉志偉，他對產品很滿意", "客戶陳美麗的聯繫電話已更新", "已回訪，無異議"] * 4
    root = tmp_path / "in"
    root.mkdir()
    with (root / "n.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["跟進記錄"], *[[n] for n in notes]])
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions())
    col = to_dict(result.inventory)["files"][0]["columns"][0]
    assert col["entities"].get("PERSON_NAME") == 8
    found = pl.read_ndjson(tmp_path / "out" / "findings.jsonl")
    names = found.filter(pl.col("entity") == "PERSON_NAME")
    assert set(zip(names["start"], names["end"], strict=True)) == {(5, 8), (2, 5)}
