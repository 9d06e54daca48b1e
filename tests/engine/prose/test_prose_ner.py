"""The prose recognizers: backend choice, rules, explanations, offsets in the original text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose import backends
from baomi.engine.prose.spans import EntitySpan
from baomi.engine.recognizers.cn.prose_ner import (
    ProseAddressRecognizer,
    ProseOrganizationRecognizer,
    ProsePersonNameRecognizer,
)
from baomi.engine.recognizers.registry import Registry
from baomi.errors import ConfigError


class FakeBackend:
    """Tags fixed substrings, and counts its calls (the recognizers share one tagging)."""

    name = "fake"

    def __init__(self, entities: dict[str, str]) -> None:
        self.entities = entities
        self.calls = 0

    def tag(self, text: str) -> list[EntitySpan]:
        self.calls += 1
        out = []
        for surface, label in self.entities.items():
            i = text.find(surface)
            if i >= 0:
                out.append(EntitySpan(i, i + len(surface), label, 0.7))
        return out


def _surfaces(text: str, findings: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(text[f.start : f.end], f.entity) for f in findings}


def test_model_span_supported_by_a_rule_scores_higher() -> None:
    fake = FakeBackend({"邹晓梅": "PER", "钱江": "PER"})
    rec = ProsePersonNameRecognizer(fake)
    text = "请联系邹晓梅女士，钱江也在"
    by_name = {text[f.start : f.end]: f for f in rec.analyze(text)}
    assert by_name["邹晓梅"].score == pytest.approx(0.85)
    assert by_name["邹晓梅"].explanation.context_word == "女士"
    assert by_name["钱江"].score == pytest.approx(0.7)
    assert by_name["钱江"].explanation.pattern == "fake:PER"
    assert by_name["钱江"].explanation.recognizer == "ProsePersonNameRecognizer"


def test_common_word_is_a_name_only_with_a_rule() -> None:
    fake = FakeBackend({"客户": "PER"})
    assert ProsePersonNameRecognizer(fake).analyze("谢谢各位客户的支持") == []
    fake = FakeBackend({"高度": "PER"})  # a dictionary word that can be a given name
    text = "联系人：高度"
    (f,) = ProsePersonNameRecognizer(fake).analyze(text)
    assert (text[f.start : f.end], f.explanation.context_word) == ("高度", "联系人")


def test_rule_alone_adds_a_finding() -> None:
    rec = ProsePersonNameRecognizer(FakeBackend({}))
    text = "法定代表人：蒋立新"
    (f,) = rec.analyze(text)
    assert text[f.start : f.end] == "蒋立新"
    assert f.explanation.pattern == "rule:trigger"
    assert f.explanation.context_word == "法定代表人"


def test_offsets_point_into_the_original_full_width_text() -> None:
    fake = FakeBackend({"欧阳娜娜": "PER", "深圳市南山区科技路1号": "ADDR"})
    text = "联系人：欧阳娜娜（１３８０００１１１１），住深圳市南山区科技路１号"
    person = ProsePersonNameRecognizer(fake).analyze(text)
    address = ProseAddressRecognizer(fake).analyze(text)
    assert ("欧阳娜娜", "PERSON_NAME") in _surfaces(text, person)
    assert ("深圳市南山区科技路１号", "ADDRESS") in _surfaces(text, address)
    assert all(f.value for f in person + address)


def test_each_recognizer_keeps_its_own_label() -> None:
    fake = FakeBackend({"马文": "PER", "杭州": "ADDR", "恒达科技有限公司": "ORG"})
    text = "马文在杭州的恒达科技有限公司上班"
    assert _surfaces(text, ProseOrganizationRecognizer(fake).analyze(text)) == {
        ("恒达科技有限公司", "ORGANIZATION")
    }
    assert _surfaces(text, ProseAddressRecognizer(fake).analyze(text)) == {("杭州", "ADDRESS")}


def test_a_country_or_province_is_not_a_name() -> None:
    """The model reads 中国 or 江苏 in a note as a name now and then; masked as a name (中*)
    it was also counted as a removed value wherever else it stood. A country or a province is
    a name only after a trigger word."""
    rec = ProsePersonNameRecognizer(FakeBackend({"中国": "PER", "江苏": "PER", "张伟": "PER"}))
    text = "我们在中国江苏见到了张伟"
    assert _surfaces(text, rec.analyze(text)) == {("张伟", "PERSON_NAME")}
    text = "联系人：江苏"
    assert _surfaces(text, rec.analyze(text)) == {("江苏", "PERSON_NAME")}


def test_a_name_after_a_trigger_word_is_not_an_address() -> None:
    """户名苑浩: 苑 ends many estate names (某某苑), but after 户名 the characters are an account
    holder's name; the address and organisation recognizers give way to the trigger rule."""
    fake = FakeBackend({"户名苑": "ADDR", "名苑浩": "ORG"})
    text = "退款请打到卡号6222023606740167383，户名苑浩"
    assert ProseAddressRecognizer(fake).analyze(text) == []
    assert ProseOrganizationRecognizer(fake).analyze(text) == []
    assert _surfaces(text, ProsePersonNameRecognizer(fake).analyze(text)) == {
        ("苑浩", "PERSON_NAME")
    }
    # without the trigger the model's address stands
    assert _surfaces("住在户名苑", ProseAddressRecognizer(fake).analyze("住在户名苑")) == {
        ("户名苑", "ADDRESS")
    }


def test_a_trigger_rule_widens_a_model_name_that_misses_the_surname() -> None:
    """户名师玉兰: the model tagged 玉兰 (师 read as part of 户名师); the name starts right after
    the trigger word, and masking 玉兰 alone would leave the surname in the package."""
    fake = FakeBackend({"玉兰": "PER"})
    text = "退款请打到卡号6259655523482368，户名师玉兰"
    (f,) = ProsePersonNameRecognizer(fake).analyze(text)
    assert (text[f.start : f.end], f.explanation.context_word) == ("师玉兰", "户名")
    assert f.score == pytest.approx(0.85)
    # a model name that takes in the trigger word starts where the rule says
    text = "退款请打到卡号6259655523482368，户名黄东"
    (f,) = ProsePersonNameRecognizer(FakeBackend({"户名黄东": "PER"})).analyze(text)
    assert text[f.start : f.end] == "黄东"
    # a title rule does not move the model's boundaries (its start is a guess)
    text = "请联系邹晓梅女士"
    (f,) = ProsePersonNameRecognizer(FakeBackend({"晓梅": "PER"})).analyze(text)
    assert text[f.start : f.end] == "晓梅"


def test_a_trigger_name_that_runs_to_a_punctuation_mark_is_taken_whole() -> None:
    """处理人：曹思宛；: the model stopped at the rare last character (曹思) and masking it
    would leave 宛 in the package; after a trigger the name is the whole run of characters up
    to the punctuation mark or the end of the text."""
    rec = ProsePersonNameRecognizer(FakeBackend({"曹思": "PER"}))
    for text in (
        "处理人：曹思宛；处理结果：已退款",
        "跟进人：曹思宛",
        "法定代表人：曹思宛，住所：北京",
    ):
        (f,) = rec.analyze(text)
        assert text[f.start : f.end] == "曹思宛", text
    # a name followed by a word keeps the model's end (the rule's is only the longest fit)
    text = "联系人：曹思已签收"
    (f,) = rec.analyze(text)
    assert text[f.start : f.end] == "曹思"
    # a title rule never moves the end
    text = "请联系曹思宛女士"
    (f,) = rec.analyze(text)
    assert text[f.start : f.end] == "曹思"


def test_a_transliterated_name_after_a_trigger_is_taken_whole() -> None:
    """阿卜杜拉·买买提: the parts of the name are joined by a middle dot, which the trigger's
    surname-and-given-name pattern does not read; a dotted company after 乙方 is no name."""
    rec = ProsePersonNameRecognizer(FakeBackend({"阿卜杜拉·买买": "PER"}))
    text = "处理人：阿卜杜拉·买买提；处理结果：已退款"
    (f,) = rec.analyze(text)
    assert text[f.start : f.end] == "阿卜杜拉·买买提"
    text = "联系人：古丽·阿不都"
    assert _surfaces(text, ProsePersonNameRecognizer(FakeBackend({})).analyze(text)) == {
        ("古丽·阿不都", "PERSON_NAME")
    }
    text = "乙方：碧桂园·凤凰酒店有限公司"
    assert ProsePersonNameRecognizer(FakeBackend({})).analyze(text) == []


@pytest.mark.parametrize("word", ["跟进人", "处理人", "对接人", "受理人", "客户经理", "回访人"])
def test_the_people_in_crm_notes_are_trigger_words(word: str) -> None:
    text = f"{word}：苑浩；处理结果：已解决"
    (f,) = ProsePersonNameRecognizer(FakeBackend({})).analyze(text)
    assert (text[f.start : f.end], f.explanation.context_word) == ("苑浩", word)


def test_to_the_company_is_not_a_company() -> None:
    """送货到公司 ("deliver to the office"): the model tagged 货到公司 as an organisation."""
    fake = FakeBackend({"货到公司": "ORG", "恒达公司": "ORG"})
    assert ProseOrganizationRecognizer(fake).analyze("工作日白天送货到公司") == []
    text = "恒达公司的人明天回公司"
    assert _surfaces(text, ProseOrganizationRecognizer(fake).analyze(text)) == {
        ("恒达公司", "ORGANIZATION")
    }


def test_empty_text() -> None:
    fake = FakeBackend({})
    assert ProsePersonNameRecognizer(fake).analyze("") == []
    assert ProsePersonNameRecognizer(fake).analyze("  \n") == []
    assert fake.calls == 0


def test_recognizers_are_text_mode() -> None:
    for cls in (ProsePersonNameRecognizer, ProseAddressRecognizer, ProseOrganizationRecognizer):
        assert cls.column_only is False


def test_backend_from_environment_read_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(backends.ENV_VAR, "crf")
    assert ProsePersonNameRecognizer().backend.name == "crf"
    monkeypatch.setenv(backends.ENV_VAR, "spacy")
    with pytest.raises(ConfigError, match="crf, lac"):
        ProsePersonNameRecognizer()
    monkeypatch.delenv(backends.ENV_VAR)
    assert backends.backend_name() == "crf"


def test_shared_backend_tags_each_text_once() -> None:
    shared = backends.get_backend("crf")
    assert backends.get_backend("crf") is shared
    assert ProsePersonNameRecognizer("crf").backend is ProseAddressRecognizer().backend


def test_cached_backend_calls_the_inner_backend_once_per_text() -> None:
    fake = FakeBackend({"马文": "PER"})
    cached = backends.CachedBackend(fake, size=2)
    for _ in range(3):
        cached.tag("马文说")
    assert fake.calls == 1
    cached.tag("甲")
    cached.tag("乙")
    cached.tag("马文说")
    assert fake.calls == 4


def test_shipped_model_through_the_analyzer() -> None:
    registry = Registry(
        [ProsePersonNameRecognizer(), ProseAddressRecognizer(), ProseOrganizationRecognizer()]
    )
    text = "请联系司马俊豪（13571122829）确认收货地址：江苏省南京市鼓楼区中山路88号"
    found = _surfaces(text, TextAnalyzer(registry).analyze(text))
    assert ("司马俊豪", "PERSON_NAME") in found
    assert ("江苏省南京市鼓楼区中山路88号", "ADDRESS") in found
    text = "退款请打到卡号6222023606740167383，户名苑浩"
    found = _surfaces(text, TextAnalyzer(registry).analyze(text))
    assert found == {("苑浩", "PERSON_NAME")}
    text = "客户在恒达信息有限公司上班，工作日白天送货到公司"
    found = _surfaces(text, TextAnalyzer(registry).analyze(text))
    assert found == {("恒达信息有限公司", "ORGANIZATION")}


def test_scanning_does_not_import_the_training_code() -> None:
    import subprocess

    code = (
        "import sys, baomi.engine.recognizers.cn.prose_ner as m\n"
        "m.ProsePersonNameRecognizer().analyze('联系人：马文')\n"
        "bad = [n for n in ('faker', 'jieba', 'baomi.engine.prose.train',"
        " 'baomi.engine.prose.generator') if n in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_scan_without_the_model_does_not_import_numba(tmp_path: Path) -> None:
    """Numba (the decoder's kernels) costs ~0.15 s to import: a ``--no-prose`` scan never
    loads it."""
    import subprocess

    data = tmp_path / "c.csv"
    data.write_text("备注\n已电话回访，满意\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from baomi.engine.scan.model import ScanOptions\n"
        "from baomi.engine.scan.run import scan_paths\n"
        f"scan_paths([Path({str(data)!r})], options=ScanOptions(prose=False))\n"
        "assert 'numba' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_phone_in_parentheses_is_not_an_address() -> None:
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.recognizers.registry import Registry

    text = "请联系史浩（+86 138 1234 5678）确认收货地址"
    found = TextAnalyzer(Registry.default(plugins=False)).analyze(text)
    phone = [f for f in found if text[f.start : f.end] == "+86 138 1234 5678"]
    assert [f.entity for f in phone] == ["CN_MOBILE"]
    assert not any(f.entity == "ADDRESS" and "138" in text[f.start : f.end] for f in found)


def test_a_column_is_tagged_once_per_distinct_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three prose recognizers over a column whose notes repeat: one tagging per distinct text
    # (cell by cell, so the recognizers share it; repeated texts reuse their findings).
    import polars as pl

    from baomi.engine.batch import analyze_column

    fake = FakeBackend({"马文": "PER", "深圳市南山区": "ADDR"})
    cached = backends.CachedBackend(fake)
    monkeypatch.setitem(backends._SHARED, "crf", cached)
    recognizers = [
        ProsePersonNameRecognizer("crf"),
        ProseAddressRecognizer("crf"),
        ProseOrganizationRecognizer("crf"),
    ]
    # 300 distinct notes (more than the backend remembers), each twice, far apart
    distinct = [f"马文说第{i}单已发货" if i % 2 else f"客户在深圳市南山区{i}号" for i in range(300)]
    texts = [*distinct, "无", *distinct]
    found = analyze_column(pl.Series(texts), recognizers, 0.0)
    assert fake.calls == 300  # "无" (one character) is never tagged
    assert found.get_column("idx").n_unique() == 600  # repeated cells keep their own findings


class BatchingFake(FakeBackend):
    """A fake with ``tag_many``: records the batches it is given."""

    def __init__(self, entities: dict[str, str]) -> None:
        super().__init__(entities)
        self.batches: list[list[str]] = []

    def tag_many(self, texts: list[str]) -> list[list[EntitySpan]]:
        self.batches.append(list(texts))
        return [FakeBackend.tag(self, t) for t in texts]


def test_a_column_is_tagged_in_one_batch_and_released() -> None:
    import polars as pl

    from baomi.engine.batch import analyze_column

    inner = BatchingFake({"王小明": "PER", "深圳市南山区": "ADDR"})
    shared = backends.CachedBackend(inner)
    recognizers = [
        ProsePersonNameRecognizer(shared),
        ProseAddressRecognizer(shared),
        ProseOrganizationRecognizer(shared),
    ]
    texts = ["请联系王小明确认", "送到深圳市南山区", "请联系王小明确认", None, "好评好评"]
    cells = pl.Series(texts, dtype=pl.String)
    found = analyze_column(cells, recognizers, 0.0)
    assert inner.batches == [["请联系王小明确认", "送到深圳市南山区", "好评好评"]]
    assert inner.calls == 3  # each distinct text once, none again cell by cell
    assert shared._preloaded == {}  # released after the column
    got = {(r["idx"], r["entity"]) for r in found.iter_rows(named=True)}
    assert got == {(0, "PERSON_NAME"), (1, "ADDRESS"), (2, "PERSON_NAME")}


def test_the_model_reads_punctuation_in_its_full_width_forms() -> None:
    """Normalisation makes "：" of "回访：" an ASCII colon; the model was trained on text written
    with full-width punctuation and is given it (digits and letters stay normalised), both
    text by text and in the column's batch."""
    import polars as pl

    from baomi.engine.batch import analyze_column

    class Recording(BatchingFake):
        def __init__(self) -> None:
            super().__init__({"方杨": "PER"})
            self.texts: list[str] = []

        def tag(self, text: str) -> list[EntitySpan]:
            self.texts.append(text)
            return super().tag(text)

    inner = Recording()
    recognizer = ProsePersonNameRecognizer(backends.CachedBackend(inner))
    text = "回访：方杨对服务满意（电话１３８００００１１１１）"
    model_text = "回访：方杨对服务满意（电话13800001111）"
    found = recognizer.analyze(text)
    assert [text[f.start : f.end] for f in found] == ["方杨"]
    assert inner.texts == [model_text]
    recognizer = ProsePersonNameRecognizer(backends.CachedBackend(Recording()))
    analyze_column(pl.Series([text, "另一条：张三"]), [recognizer], 0.0)
    batched = recognizer.backend.inner  # type: ignore[attr-defined]
    assert batched.batches == [[model_text, "另一条：张三"]]


def test_the_column_gives_the_findings_of_analyze_text_by_text() -> None:
    """The batched column analyses a text only where a recognizer can find something (a span
    of its label or a rule word): the rows are still those of ``analyze`` cell by cell,
    rule-only names and a subclass's own rules included."""
    import polars as pl

    from baomi.engine.batch import analyze_column
    from baomi.engine.prose.rules import RuleSpan

    class OwnRules(ProseOrganizationRecognizer):
        def rules(self, text: str) -> list[RuleSpan]:
            i = text.find("某某")
            return [] if i < 0 else [RuleSpan(i, i + 2, "ORG", "own", "某某")]

    inner = BatchingFake({"王小明": "PER", "深圳市南山区": "ADDR", "华为公司": "ORG"})
    shared = backends.CachedBackend(inner)
    recognizers = [
        ProsePersonNameRecognizer(shared),
        ProseAddressRecognizer(shared),
        OwnRules(shared),
    ]
    texts = [
        "请联系王小明确认",  # a model name
        "户名张三丰已开户",  # a rule alone (trigger)
        "送到深圳市南山区华为公司",  # address and organisation
        "某某单位来电",  # the subclass's own rule
        "好评好评",  # nothing
        "请联系王小明确认",
        "李四先生在深圳市南山区",  # a title rule and an address
    ]
    found = analyze_column(pl.Series(texts), recognizers, 0.0)
    got = sorted(
        (r["idx"], r["start"], r["end"], r["entity"], r["pattern"], r["score"])
        for r in found.iter_rows(named=True)
    )
    expected = sorted(
        (i, f.start, f.end, f.entity, f.explanation.pattern, f.score)
        for i, text in enumerate(texts)
        for r in recognizers
        for f in r.analyze(text)
    )
    assert got == expected
    assert {(g[0], g[4]) for g in got} >= {(1, "rule:trigger"), (3, "rule:own"), (6, "rule:title")}


class _UnsureFake(FakeBackend):
    """Tags its substrings with a low confidence, as the model does a rare name."""

    def tag(self, text: str) -> list[EntitySpan]:
        return [EntitySpan(s.start, s.end, s.label, 0.3) for s in super().tag(text)]


def test_a_rule_never_scores_a_model_span_below_the_rule_alone() -> None:
    """户名艾利: the model tags 艾利 unsure (0.3); the trigger supports it. Without the model
    span the rule alone gives the name at RULE_SCORE; with it the name scored 0.3 + 0.15 and
    fell under the threshold, so protect left the account holder's name in the clear."""
    from baomi.engine.prose.rules import RULE_SCORE

    rec = ProsePersonNameRecognizer(_UnsureFake({"艾利": "PER"}))
    (found,) = rec.analyze("退款请打到卡号，户名艾利")
    assert (found.start, found.end) == (10, 12)
    assert found.score >= RULE_SCORE and found.explanation.context_word == "户名"
    (alone,) = ProsePersonNameRecognizer(FakeBackend({})).analyze("退款请打到卡号，户名艾利")
    assert found.score >= alone.score


def test_a_long_column_finds_its_prose_beside_the_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """From PROSE_BESIDE_CELLS cells a column's prose rows are found in a thread of their own
    while the pattern recognizers match (where the process has the cores to itself), with
    the findings of the column found in line."""
    import threading

    import polars as pl

    from baomi.engine import batch
    from baomi.engine.prose import decoder

    threads: list[str] = []
    inline = batch._prose_frame

    def recorded(*args: object, **kwargs: object) -> pl.DataFrame:
        threads.append(threading.current_thread().name)
        return inline(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "_prose_frame", recorded)
    monkeypatch.setattr(decoder, "decoder_threads", lambda: 2)
    recognizers = list(Registry.default())
    people = ["王小明", "李娜", "张伟", "陈静"]
    texts = [
        f"回访{people[i % 4]}：地址北京市海淀区中关村大街{i}号，邮箱user{i}@example.com"
        if i % 3
        else f"已电话联系，客户满意 {i}"
        for i in range(batch.PROSE_BESIDE_CELLS)
    ]
    cells = pl.Series(texts)
    beside = batch.analyze_column(cells, recognizers, 0.0)
    monkeypatch.setattr(batch, "PROSE_BESIDE_CELLS", len(texts) + 1)
    in_line = batch.analyze_column(cells, recognizers, 0.0)
    assert threads[0].startswith("baomi-prose") and threads[1] == threading.current_thread().name
    assert beside.equals(in_line)
    assert {"PERSON_NAME", "ADDRESS", "EMAIL"} <= set(beside.get_column("entity"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_does_not_reuse_the_parents_prose_pool() -> None:
    """The threads of the pool that finds prose rows beside the patterns do not survive a
    fork: a child that needs the pool makes its own instead of waiting on dead threads."""
    from baomi.engine import batch

    parent = batch._beside_pool()
    assert parent.submit(lambda: 1).result() == 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its pool is a new one, and it runs work
        ok = (
            batch._beside_pool() is not parent
            and batch._beside_pool().submit(lambda: 2).result() == 2
        )
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    got = os.read(read, 1)
    os.waitpid(pid, 0)
    assert got == b"1"
    assert batch._beside_pool() is parent
