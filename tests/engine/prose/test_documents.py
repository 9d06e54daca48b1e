"""End to end: names, addresses and companies found in .docx paragraphs and PDF pages, with
offsets that point at the right characters of each unit's text."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from faker import Faker

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.readers.dispatch import open_source
from baomi.engine.recognizers.cn.prose_ner import (
    ProseAddressRecognizer,
    ProseOrganizationRecognizer,
    ProsePersonNameRecognizer,
)
from baomi.engine.recognizers.registry import Registry
from tests.engine.readers.pdf_support import write_pdf

ADDRESS = "浙江省杭州市西湖区文三路100号"
COMPANY = "杭州恒达科技有限公司"


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(
        Registry(
            [ProsePersonNameRecognizer(), ProseAddressRecognizer(), ProseOrganizationRecognizer()]
        )
    )


@pytest.fixture(scope="module")
def names() -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    return [str(fake.name()) for _ in range(3)]


def _lines(names: list[str]) -> list[str]:
    a, b, c = names
    return [
        f"甲方：{a}，住所：{ADDRESS}。",
        f"乙方：{COMPANY}，法定代表人：{b}。",
        f"客服备注：请联系{c}女士确认收货地址。",
    ]


def _found(analyzer: TextAnalyzer, units: list[tuple[int, str]]) -> set[tuple[int, str, str]]:
    out = set()
    for row, text in units:
        for f in analyzer.analyze(text):
            out.add((row, f.entity, text[f.start : f.end]))
    return out


def test_docx_findings_point_at_the_text(
    tmp_path: Path, analyzer: TextAnalyzer, names: list[str]
) -> None:
    doc = docx.Document()
    doc.add_paragraph("股权转让协议")
    for line in _lines(names):
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "协议.docx"))
    units = [(u.row, u.text) for u in open_source(tmp_path / "协议.docx").units()]
    found = _found(analyzer, units)
    a, b, c = names
    assert {
        (1, "PERSON_NAME", a),
        (1, "ADDRESS", ADDRESS),
        (2, "ORGANIZATION", COMPANY),
        (2, "PERSON_NAME", b),
        (3, "PERSON_NAME", c),
    } <= found


def test_pdf_findings_point_at_the_page_text(
    tmp_path: Path, analyzer: TextAnalyzer, names: list[str]
) -> None:
    lines = _lines(names)
    path = write_pdf(tmp_path / "协议.pdf", ["\n".join(lines[:2]), None, lines[2]])
    units = [(u.row, u.text) for u in open_source(path).units()]
    assert [row for row, _ in units] == [0, 2]
    found = _found(analyzer, units)
    a, b, c = names
    assert {(0, "PERSON_NAME", a), (0, "PERSON_NAME", b), (2, "PERSON_NAME", c)} <= found
    assert (0, "ORGANIZATION", COMPANY) in found


def test_long_text_offsets_survive_chunking(analyzer: TextAnalyzer, names: list[str]) -> None:
    filler = "本协议的条款经双方协商一致，" * 40
    text = filler + _lines(names)[0] + filler + _lines(names)[2]
    found = {(f.entity, text[f.start : f.end]) for f in analyzer.analyze(text)}
    assert ("PERSON_NAME", names[0]) in found
    assert ("PERSON_NAME", names[2]) in found
    assert ("ADDRESS", ADDRESS) in found
