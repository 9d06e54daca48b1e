"""The batched NumPy decoder gives python-crfsuite's own tags and scores, text for text."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from baomi.engine.prose.backends import CachedBackend
from baomi.engine.prose.decoder import BatchDecoder, CrfWeights, _read_features
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.model import BATCH_MIN_CHARS, BATCH_MIN_TEXTS, CrfTagger
from baomi.engine.prose.spans import EntitySpan

EDGE_CASES = [
    "",
    "   ",
    "\n\n",
    "王",
    "张伟",
    "联系人：欧阳娜娜（13800001111），地址：广东省深圳市南山区科技园路1号。",
    "Tom Smith 先生 和 李·约翰 一起来访",
    "数字１２３和ＡＢＣ全角，emoji 😀 与 𠀀 扩展字符",
    "没有标点的长句子" * 40,  # one chunk cut hard at the maximum length
    "第一句。\n第二句！第三句？" * 20,
    "客户在富罳信息有限公司上班，工作日白天送货到公司",
    "张\x00伟在北京市\x00朝阳区",  # NUL characters inside a text (binary junk in a cell)
]


def _sentences(n: int, seed: int) -> list[str]:
    gen = SentenceGenerator(seed)
    rng = random.Random(seed)
    out = [s.text for s in gen.sentences(n)]
    # glue some sentences together so that texts have several chunks of mixed lengths
    for _ in range(n // 5):
        a, b = rng.sample(out, 2)
        out.append(a + "。" + b + "\n" + a[: rng.randint(0, len(a))])
    return out


def _as_tuples(spans: list[EntitySpan]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]


@pytest.fixture(scope="module")
def shipped() -> tuple[CrfTagger, BatchDecoder]:
    tagger = CrfTagger()
    return tagger, BatchDecoder(CrfWeights(tagger._model_file()))


def test_shipped_model_batched_equals_crfsuite(shipped: tuple[CrfTagger, BatchDecoder]) -> None:
    tagger, decoder = shipped
    texts = EDGE_CASES + _sentences(400, seed=11)
    got = decoder.tag_many(texts)
    assert len(got) == len(texts)
    found = 0
    for text, spans in zip(texts, got, strict=True):
        want = tagger._tag_one(text)  # python-crfsuite itself
        assert _as_tuples(spans) == _as_tuples(want), text
        for a, b in zip(spans, want, strict=True):
            assert a.score == pytest.approx(b.score, abs=1e-9)
        found += len(spans)
    assert found > 400  # the sentences do hold names, places and companies


def test_tiny_model_batched_equals_crfsuite(tiny_model: Path) -> None:
    """A different model (other weights, other attributes) through the same path."""
    tagger = CrfTagger(tiny_model)
    decoder = BatchDecoder(CrfWeights(tiny_model))
    texts = EDGE_CASES + _sentences(100, seed=5)
    for text, spans in zip(texts, decoder.tag_many(texts), strict=True):
        assert _as_tuples(spans) == _as_tuples(tagger._tag_one(text)), text


def test_batches_split_anywhere_give_the_same_spans(
    shipped: tuple[CrfTagger, BatchDecoder], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, decoder = shipped
    texts = _sentences(60, seed=2)
    whole = decoder.tag_many(texts)
    monkeypatch.setattr("baomi.engine.prose.decoder.BATCH_CHARS", 50)
    assert [_as_tuples(s) for s in decoder.tag_many(texts)] == [_as_tuples(s) for s in whole]


def test_tagger_tag_many_uses_the_batch_path_for_many_texts(tiny_model: Path) -> None:
    tagger = CrfTagger(tiny_model)
    texts = _sentences(BATCH_MIN_TEXTS * 2, seed=8)
    assert [_as_tuples(s) for s in tagger.tag_many(texts)] == [
        _as_tuples(tagger._tag_one(t)) for t in texts
    ]
    assert tagger._decoder is not None
    assert tagger.tag_many([]) == []


def test_not_a_model_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.crfsuite"
    bad.write_bytes(b"not a model" * 10)
    with pytest.raises(ValueError, match="CRFsuite"):
        _read_features(bad.read_bytes())


class _Counting:
    """A backend without ``tag_many``: prefetch falls back to one call per text."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def tag(self, text: str) -> list[EntitySpan]:
        self.calls += 1
        return [EntitySpan(0, 1, "PER", 0.9)] if text else []


def test_prefetch_preloads_until_every_holder_released() -> None:
    inner = _Counting()
    backend = CachedBackend(inner)
    first = backend.prefetch(["甲", "乙", "甲"])
    assert first == ["甲", "乙"] and inner.calls == 2
    second = backend.prefetch(["甲"])  # a second holder (another thread): shared, not re-tagged
    assert second == ["甲"] and inner.calls == 2
    backend.tag("甲")
    backend.tag("乙")
    assert inner.calls == 2
    backend.release(first)
    backend.tag("甲")  # still held by the second holder
    assert inner.calls == 2
    backend.tag("乙")  # released: tagged again (and now in the small cache)
    assert inner.calls == 3
    backend.release(second)
    assert backend._preloaded == {} and not backend._holders


def test_threads_give_the_serial_result_in_order(
    shipped: tuple[CrfTagger, BatchDecoder], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, decoder = shipped
    texts = [*_sentences(90, seed=21), "很长的一句，" * 300]  # one text of many chunks
    monkeypatch.setattr("baomi.engine.prose.decoder.decoder_threads", lambda: 1)
    serial = [_as_tuples(s) for s in decoder.tag_many(texts)]
    monkeypatch.setattr("baomi.engine.prose.decoder.decoder_threads", lambda: 3)
    monkeypatch.setattr("baomi.engine.prose.decoder.MIN_CHUNKS_PER_THREAD", 10)
    monkeypatch.setattr("baomi.engine.prose.decoder.BATCH_CHARS", 300)
    assert [_as_tuples(s) for s in decoder.tag_many(texts)] == serial


def test_a_worker_process_decodes_in_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from baomi.engine.prose import decoder as decoder_mod

    monkeypatch.setattr(decoder_mod.os, "cpu_count", lambda: 8)
    assert decoder_mod.decoder_threads() == decoder_mod.MAX_THREADS
    monkeypatch.setattr(decoder_mod.multiprocessing, "parent_process", lambda: object())
    assert decoder_mod.decoder_threads() == 1


def test_a_long_document_is_decoded_in_batches_with_crfsuites_result(
    shipped: tuple[CrfTagger, BatchDecoder],
) -> None:
    tagger, _ = shipped
    text = "。".join(_sentences(200, seed=13))
    assert len(text) >= BATCH_MIN_CHARS
    assert _as_tuples(tagger.tag(text)) == _as_tuples(tagger._tag_one(text))
    assert tagger._decoder is not None  # the batched path was taken


def test_accurate_model_batched_equals_crfsuite() -> None:
    """The accurate model (the CRF over LAC's tags, LAC run for real) through the batched
    decoder gives python-crfsuite's tags and scores."""
    from baomi.engine.prose.accurate import AccurateTagger

    tagger = AccurateTagger()
    texts = _sentences(300, seed=11) + EDGE_CASES
    got = tagger.tag_many(texts)
    want = tagger._tag_crfsuite(texts)
    found = 0
    for text, spans, expected in zip(texts, got, want, strict=True):
        assert _as_tuples(spans) == _as_tuples(expected), text
        for a, b in zip(spans, expected, strict=True):
            assert a.score == pytest.approx(b.score, abs=1e-9)
        found += len(spans)
    assert found > 200


def test_extra_templates_must_exist_and_be_given(tiny_model: Path) -> None:
    weights = CrfWeights(tiny_model)
    with pytest.raises(ValueError, match="no template"):
        BatchDecoder(weights, ("not-a-template",))
    decoder = BatchDecoder(weights, ("c",))  # any template of the model may be given as extra
    with pytest.raises(ValueError, match="extra features"):
        decoder.tag_many(["张伟"])


def test_compiled_lexicon_matching_equals_the_feature_functions(
    shipped: tuple[CrfTagger, BatchDecoder],
) -> None:
    """The trie's forward maximum matching (:mod:`~baomi.engine.prose.kernels`) marks the
    words :func:`~baomi.engine.prose.features._longest_matches` / ``_longest_typed`` mark,
    for each of the four word lists, including words that are prefixes of longer ones."""
    import numpy as np

    from baomi.engine.prose import features as feat
    from baomi.engine.prose import kernels

    _, decoder = shipped
    t = decoder._tables
    lex = feat._tables()
    rng = random.Random(3)
    words = sorted(lex.divisions)[:50] + sorted(lex.org_suffixes) + sorted(lex.gaz_words)[:50]
    texts = EDGE_CASES + _sentences(100, seed=4)
    texts += ["".join(rng.sample(words, 4)) + "有限公司银行" for _ in range(50)]
    letters = {"-": 0, "B": 1, "I": 2, "E": 3}
    for text in texts:
        if not text:
            continue
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lists = (
            (lex.divisions, lex.div_lengths),
            (lex.org_suffixes, lex.org_lengths),
            (lex.words, lex.word_lengths),
        )
        for root, (lexicon, lengths) in enumerate(lists):
            out = np.zeros(len(text), dtype=np.int64)
            kernels._longest(
                cps, 0, len(text), root, t.trie_keys, t.trie_vals, t.trie_term, t.first, out,
                np.zeros(0, dtype=np.int64),
            )  # fmt: skip
            want = [letters[x] for x in feat._longest_matches(text, lexicon, lengths)]
            assert out.tolist() == want, (root, text)
        out = np.zeros(len(text), dtype=np.int64)
        kinds = np.zeros(len(text), dtype=np.int64)
        kernels._longest(
            cps, 0, len(text), 3, t.trie_keys, t.trie_vals, t.trie_term, t.first, out, kinds
        )
        typed = feat._longest_typed(text, lex.gazetteer, lex.gaz_lengths)
        assert out.tolist() == [letters[x[0]] for x in typed], text
        got_kinds = [t.gaz_kinds[k] for k, x in zip(kinds.tolist(), typed, strict=True) if x != "-"]
        assert got_kinds == [x[1:] for x in typed if x != "-"], text


def test_chunks_without_a_span_and_long_batches_of_short_cells(
    shipped: tuple[CrfTagger, BatchDecoder],
) -> None:
    """Cells of a column (many short texts, most with no entity) through the compiled path:
    python-crfsuite's spans and scores."""
    tagger, decoder = shipped
    rng = random.Random(9)
    pool = ["已电话回访，满意", "无", "客户要求发票", "张伟", "北京市朝阳区建国路1号", "OK"]
    texts = [rng.choice(pool) + str(rng.randint(0, 99)) for _ in range(300)]
    for text, spans in zip(texts, decoder.tag_many(texts), strict=True):
        want = tagger._tag_one(text)
        assert _as_tuples(spans) == _as_tuples(want), text
        for a, b in zip(spans, want, strict=True):
            assert a.score == pytest.approx(b.score, abs=1e-9)


def test_compiled_chunking_equals_split_chunks(shipped: tuple[CrfTagger, BatchDecoder]) -> None:
    """The kernel's chunks are :func:`~baomi.engine.prose.spans.split_chunks`' pieces less the
    blank ones: sentence ends, clause ends and blanks (``\\u3000``, ``\\xa0``, ``\\x1c``) at
    every place, long sentences packed and cut hard."""
    import numpy as np

    from baomi.engine.prose import kernels
    from baomi.engine.prose.spans import MAX_CHUNK, split_chunks

    _, decoder = shipped
    t = decoder._tables
    rng = random.Random(17)
    alphabet = "张伟北京市有限公司。！？!?；;\n\r，,、：: \t\u3000\xa0\x1c数1A"
    texts = EDGE_CASES + _sentences(50, seed=6)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    texts += ["字" * n + "，" + "词" * m for n in (0, 1, 159, 160, 161) for m in (0, 159, 200)]
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    t.cover(cps)
    lens = np.asarray([len(x) for x in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    rows = kernels.chunks(cps, starts, lens, t.brk_t, MAX_CHUNK)
    want = [
        (k, s, e)
        for k, text in enumerate(texts)
        for s, e in split_chunks(text)
        if text[s:e].strip()
    ]
    assert [tuple(r) for r in rows.tolist()] == want


def test_read_only_install_gets_a_private_numba_cache(tmp_path: Path) -> None:
    """With the package folder not writable (a read-only install), the kernels point Numba's
    cache at a temporary folder instead of failing to compile; a writable one is left alone."""
    import subprocess
    import sys

    probe = (
        "import os\n"
        "real = os.access\n"
        "os.access = lambda p, m: False if str(p).endswith('prose') else real(p, m)\n"
        "import baomi.engine.prose.kernels as k\n"
        "print(os.environ.get('NUMBA_CACHE_DIR', ''))\n"
        "print(k._slot(5, 255) >= 0)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env["TMPDIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out == [str(tmp_path / "baomi-numba-cache"), "True"]


def test_label_and_attribute_names_are_those_of_the_tagger(tiny_model: Path) -> None:
    """The names read from the model file's string tables are python-crfsuite's own."""
    import pycrfsuite

    models = [tiny_model, *Path(CrfTagger()._model_file()).parent.glob("*.crfsuite")]
    for path in models:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        tagger.close()
        weights = CrfWeights(path)
        labels = {name: int(i) for name, i in info.labels.items()}
        assert {name: i for i, name in enumerate(weights.labels)} == labels
        attrs = {
            f"{prefix}={value}": aid
            for prefix, t in weights.templates.items()
            for value, aid in t.rows.items()
        }
        assert attrs == {name: int(i) for name, i in info.attributes.items()}


def test_the_lexicon_trie_knows_each_word_its_prefixes_and_nothing_else() -> None:
    """The trie built a depth at a time: a word inside a longer one, the same word under
    two roots with different kinds, an empty word (none) and a word's first character."""
    from baomi.engine.prose import kernels
    from baomi.engine.prose.decoder import _lexicon_trie

    lexicons = [{"北京": 0, "北京市": 0, "": 0}, {"北京": 2, "上海": 1}]
    keys, vals, term, roots, first = _lexicon_trie(lexicons)

    def walk(root: int, word: str) -> list[int]:
        node, kinds = root, []
        for ch in word:
            node = kernels._find(keys, vals, (node << 21) | ord(ch), -1)
            if node < 0:
                return [*kinds, -9]
            kinds.append(int(term[node]))
        return kinds

    assert walk(0, "北京市") == [-1, 0, 0]
    assert walk(1, "北京市") == [-1, 2, -9]
    assert walk(1, "上海") == [-1, 1]
    assert walk(0, "上海") == [-9]
    assert roots.tolist() == [0, 1]
    assert first[ord("北")] == 0b11 and first[ord("上")] == 0b10 and first[ord("京")] == 0
