"""The CRF wrapper: chunking keeps offsets, tags come back as spans of the input text."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from baomi.engine.prose.backends import get_backend
from baomi.engine.prose.model import CrfTagger
from baomi.engine.prose.spans import EntitySpan, spans_from_tags, split_chunks


@pytest.mark.parametrize(
    "text",
    [
        "",
        "短句",
        "第一句。第二句！第三句？\n第四句",
        "很长的一句，" * 80,
        "没有标点的长句" * 60,
    ],
)
def test_chunks_cover_the_text_in_order(text: str) -> None:
    chunks = list(split_chunks(text, max_chunk=40))
    assert "".join(text[s:e] for s, e in chunks) == text
    assert all(0 < e - s <= 40 for s, e in chunks)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["O", "B-PER", "I-PER", "O"], [(1, 3, "PER")]),
        (["B-PER", "B-PER", "I-ORG"], [(0, 1, "PER"), (1, 2, "PER"), (2, 3, "ORG")]),
        (["I-ADDR", "I-ADDR"], [(0, 2, "ADDR")]),
        (["O", "B-ORG", "I-ORG"], [(1, 3, "ORG")]),
        ([], []),
    ],
)
def test_spans_from_tags(tags: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert spans_from_tags(tags) == spans


def test_tiny_model_tags_offsets_into_the_text(tiny_model: Path) -> None:
    tagger = CrfTagger(tiny_model)
    text = "前言。" * 100 + "联系人：欧阳娜娜，电话13800001111"
    spans = tagger.tag(text)
    assert all(isinstance(s, EntitySpan) for s in spans)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(0.0 <= s.score <= 1.0 for s in spans)
    assert tagger.tag("   ") == []


@pytest.mark.parametrize("backend", ["crf", "fast"])
def test_shipped_model_finds_a_contract_party(backend: str) -> None:
    """The default model and the ``fast`` one (real + generated text, the same features)."""
    tagger = get_backend(backend)
    assert tagger.name == backend  # recognizers pickle by it: scan workers rebuild the same
    text = "甲方：欧阳晓燕，身份证号码见附件，住所：浙江省杭州市西湖区文三路100号"
    spans = {(text[s.start : s.end], s.label) for s in tagger.tag(text)}
    assert ("欧阳晓燕", "PER") in spans
    assert ("浙江省杭州市西湖区文三路100号", "ADDR") in spans


def test_missing_model_file_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        CrfTagger(tmp_path / "absent.crfsuite").tag("有文本")


def test_shipped_model_is_small() -> None:
    model = Path(__file__).parents[3] / "src/baomi/engine/prose/zh_ner.crfsuite"
    assert model.stat().st_size < 20_000_000
