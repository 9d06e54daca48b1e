"""Train the accurate prose model (``zh_ner_lac.crfsuite``, :mod:`.accurate`): ``make model``.

    python -m baomi.engine.prose.train_accurate --uner UNER.iob2 --weibo WEIBO.conll

Training data — only data whose licence allows shipping the model (docs/models.md):

* UNER Chinese-GSDSIMP train (``zh_gsdsimp-ud-train.iob2``, CC BY-SA 4.0): 3,997 sentences of
  Chinese Wikipedia, words tagged ``PER``/``LOC``/``ORG`` (characters inherit their word's tag);
* Weibo NER, revised train (``weiboNER_2nd_conll.train``, annotations CC BY-SA 3.0): 1,350
  messages; named mentions only (``PER.NAM``; ``GPE``/``LOC`` → address, ``ORG`` → org);
* generated business text (:mod:`.generator`, fixed seed), as for the shipped CRF.

Locations of the real corpora map to ``ADDR`` (the label the address recognizer reads).
Every sentence is cut into the chunks the tagger sees, tagged by LAC, and given the
features of :func:`~.accurate.accurate_features`. Held-out figures (UNER dev if given,
generated held-out templates) are printed; nothing here reads the evaluation sets.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pycrfsuite

from baomi.engine.prose import train as train_fast
from baomi.engine.prose.accurate import MODEL_NAME, accurate_features, lac_char_tags
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.lac import LacTagger
from baomi.engine.prose.spans import spans_from_tags, split_chunks
from baomi.engine.prose.train import span_scores

DEFAULT_OUT = Path(__file__).with_name(MODEL_NAME)
DEFAULT_GENERATED = 12_000
DEFAULT_SEED = 20_261_204
HELDOUT_SEED = 7
#: The fast CRF's L-BFGS settings (not tuned again: no tuning on evaluation data).
PARAMS: dict[str, float | int | bool] = {**train_fast.PARAMS, "max_iterations": 120}
_UNER = {"PER": "PER", "LOC": "ADDR", "ORG": "ORG"}
_WEIBO = {"PER.NAM": "PER", "GPE.NAM": "ADDR", "LOC.NAM": "ADDR", "ORG.NAM": "ORG"}

Tagged = tuple[str, list[str]]  # text, one BIO tag per character


def _blocks(path: Path, min_cols: int, sep: str | None) -> Iterator[list[list[str]]]:
    """The sentences of a CoNLL-like file: rows of columns, ``#`` comments skipped."""
    rows: list[list[str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        cols = line.split(sep)
        if len(cols) >= min_cols:
            rows.append(cols)
        elif rows:
            yield rows
            rows = []


def read_uner(path: Path) -> Iterator[Tagged]:
    """UNER ``.iob2`` (CoNLL-U-like: id, word, tag): characters inherit their word's tag."""
    for rows in _blocks(path, 3, "\t"):
        chars: list[str] = []
        tags: list[str] = []
        for _, word, tag, *_rest in rows:
            label = _UNER.get(tag[2:]) if tag != "O" else None
            for k, ch in enumerate(word):
                chars.append(ch)
                if label is None:
                    tags.append("O")
                else:
                    tags.append(("B-" if k == 0 and tag.startswith("B-") else "I-") + label)
        yield "".join(chars), tags


def read_weibo(path: Path) -> Iterator[Tagged]:
    """Weibo NER CoNLL (``char`` + segment position digit, tag): named mentions only."""
    for rows in _blocks(path, 2, None):
        tags = []
        for _, tag, *_rest in rows:
            label = _WEIBO.get(tag[2:]) if tag != "O" else None
            tags.append("O" if label is None else tag[:2] + label)
        yield "".join(token[0] for token, *_ in rows), tags


def chunks(items: Iterator[Tagged]) -> Iterator[Tagged]:
    """The pieces the tagger sees (:func:`~.spans.split_chunks`), with their tags."""
    for text, tags in items:
        for s, e in split_chunks(text):
            if text[s:e].strip():
                piece = tags[s:e]
                if piece[0].startswith("I-"):  # an entity cut by the chunking starts anew
                    piece = ["B-" + piece[0][2:], *piece[1:]]
                yield text[s:e], piece


def featurised(items: list[Tagged], lac: LacTagger) -> Iterator[tuple[list[list[str]], list[str]]]:
    words = lac.words_many([t for t, _ in items])
    for (text, tags), w in zip(items, words, strict=True):
        yield accurate_features(text, lac_char_tags(len(text), w)), tags


def generated(n: int, seed: int, split: str = "all") -> list[Tagged]:
    gen = SentenceGenerator(seed, split=split)
    return list(chunks((s.text, list(s.tags)) for s in gen.sentences(n)))


def train(out: Path, data: list[Tagged], lac: LacTagger, iterations: int | None = None) -> Path:
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    params = dict(PARAMS)
    if iterations is not None:
        params["max_iterations"] = iterations
    trainer.set_params(params)
    for x, y in featurised(data, lac):
        trainer.append(x, y)
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    return out


def scores(
    model: Path, data: list[Tagged], lac: LacTagger
) -> dict[str, tuple[float, float, float]]:
    """Exact-span precision, recall, F1 per label."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return span_scores(
        (set(spans_from_tags(tagger.tag(x))), set(spans_from_tags(y)))
        for x, y in featurised(data, lac)
    )


def corpus_parser(doc: str | None, generated: int, seed: int, out: Path) -> argparse.ArgumentParser:
    """The command line of a trainer on the real corpora plus generated text."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    ap.add_argument("--uner", type=Path, required=True, help="zh_gsdsimp-ud-train.iob2")
    ap.add_argument("--weibo", type=Path, required=True, help="weiboNER_2nd_conll.train")
    ap.add_argument("--uner-dev", type=Path, default=None, help="zh_gsdsimp-ud-dev.iob2")
    ap.add_argument("--generated", type=int, default=generated)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--split", choices=("all", "train"), default="all")
    ap.add_argument("--max-iterations", type=int, default=None)
    ap.add_argument("--out", type=Path, default=out)
    return ap


def heldout_sets(uner_dev: Path | None) -> dict[str, list[Tagged]]:
    """Generated held-out templates, and UNER dev when given (training data's held-out parts)."""
    held = {"generated held-out": generated(2_000, HELDOUT_SEED, "heldout")}
    if uner_dev is not None:
        held["UNER dev"] = list(chunks(read_uner(uner_dev)))
    return held


def main(argv: list[str] | None = None) -> int:
    ap = corpus_parser(__doc__, DEFAULT_GENERATED, DEFAULT_SEED, DEFAULT_OUT)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    lac = LacTagger()
    real = [*chunks(read_uner(args.uner)), *chunks(read_weibo(args.weibo))]
    data = real + generated(args.generated, args.seed, args.split)
    print(f"{len(real)} real chunks, {args.generated} generated sentences", file=sys.stderr)
    out = train(args.out, data, lac, args.max_iterations)
    size = out.stat().st_size / 1e6
    print(f"wrote {out} ({size:.1f} MB) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    for name, items in heldout_sets(args.uner_dev).items():
        for lab, (p, r, f) in scores(out, items, lac).items():
            print(f"{name} {lab}: P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
