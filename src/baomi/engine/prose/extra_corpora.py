"""More training text for the fast CRF (:mod:`.train_mixed`, issue 18 fast mode).

* UNER Chinese-PUD (``zh_pud-ud-test.iob2``, CC BY-SA 4.0): 1,000 annotated sentences of news
  and Wikipedia translated into Chinese, in traditional script — converted to simplified
  characters with OpenCC's ``t2s`` tables (``opencc`` wheel, Apache-2.0, a dev dependency);
  a sentence whose conversion changes its length (tags would no longer line up) is dropped.
* Distilled text: unlabelled simplified-Chinese sentences (the Chinese side of Tatoeba's
  English-Chinese pairs, ``cmn.txt``, CC BY 2.0 FR) tagged by the accurate model
  (:mod:`.accurate`, LAC's word tags + CRF) as teacher. Only chunks the teacher tags with
  confidence everywhere are kept: the smallest marginal of its best path over every character
  (entity or not) at least ``min_marginal``. The teacher is deterministic, so the same files
  and models give the same training data. Tatoeba's names are few (mostly 汤姆 and 玛丽,
  a few with a verb stuck to them): :func:`with_new_names` puts a generated name in the place
  of every person span, so that the sentences teach contexts rather than those names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pycrfsuite

from baomi.engine.prose.accurate import MODEL_NAME as TEACHER_MODEL
from baomi.engine.prose.accurate import accurate_features, lac_char_tags
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.lac import LacTagger
from baomi.engine.prose.spans import spans_from_tags, split_chunks
from baomi.engine.prose.train_accurate import Tagged, read_uner


def to_simplified(texts: Iterable[str]) -> Iterator[str]:
    """OpenCC ``t2s`` of every text (imported here: a dev dependency, training only)."""
    import opencc  # type: ignore[import-not-found, import-untyped, unused-ignore]

    conv = opencc.OpenCC("t2s")
    for t in texts:
        yield str(conv.convert(t))


def read_uner_traditional(path: Path) -> Iterator[Tagged]:
    """A UNER ``.iob2`` file in traditional script, converted character for character."""
    items = list(read_uner(path))
    for (text, tags), simple in zip(items, to_simplified(t for t, _ in items), strict=True):
        if len(simple) == len(text):
            yield simple, tags


def read_tatoeba(path: Path) -> list[str]:
    """The distinct Chinese sentences of a Tatoeba ``cmn.txt`` (English TAB Chinese TAB
    attribution), in simplified script, in file order."""
    zh = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1].strip():
            zh.append(cols[1].strip())
    return list(dict.fromkeys(to_simplified(zh)))


def teacher_labels(
    texts: list[str], model: Path, min_marginal: float, lac: LacTagger | None = None
) -> list[Tagged]:
    """The chunks of ``texts`` the accurate model (``model``) tags with every marginal of its
    best path ≥ ``min_marginal``, with those tags."""
    lac = lac or LacTagger()
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    out: list[Tagged] = []
    for text, words in zip(texts, lac.words_many(texts), strict=True):
        char_tags = lac_char_tags(len(text), words)
        for s, e in split_chunks(text):
            chunk = text[s:e]
            if not chunk.strip():
                continue
            tags = tagger.tag(accurate_features(chunk, char_tags[s:e]))
            if min(tagger.marginal(t, k) for k, t in enumerate(tags)) >= min_marginal:
                out.append((chunk, list(tags)))
    return out


def default_teacher() -> Path:
    """The accurate model file in this package (``make model`` trains it first)."""
    return Path(__file__).with_name(TEACHER_MODEL)


def with_new_names(items: Iterable[Tagged], seed: int) -> Iterator[Tagged]:
    """``items`` with every ``PER`` span replaced by a generated name (:mod:`.generator`'s
    names: Chinese, minority and transliterated foreign ones; ``seed`` fixes them)."""
    gen = SentenceGenerator(seed)
    for text, tags in items:
        spans = [sp for sp in spans_from_tags(tags) if sp[2] == "PER"]
        if not spans:
            yield text, tags
            continue
        out_text: list[str] = []
        out_tags: list[str] = []
        at = 0
        for s, e, _ in spans:
            out_text.append(text[at:s])
            out_tags.extend(tags[at:s])
            name = gen.person()
            out_text.append(name)
            out_tags.extend(["B-PER", *(["I-PER"] * (len(name) - 1))])
            at = e
        out_text.append(text[at:])
        out_tags.extend(tags[at:])
        yield "".join(out_text), out_tags
