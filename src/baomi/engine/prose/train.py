"""Train the shipped prose NER model: ``python -m baomi.engine.prose.train`` (``make model``).

First rebuilds the word lists the features use (from jieba's dictionary, a dev dependency),
then generates sentences from business-text templates (:mod:`.generator`, fixed seed),
extracts character features (:mod:`.features`) and trains a linear-chain CRF with
python-crfsuite (L-BFGS, L1 + L2). The same seed and settings write the same model file,
byte for byte (a few minutes on one core).

Afterwards a held-out set (another seed, every fourth template of each group) is tagged and
its per-label scores printed. The shipped model trains on all templates (``--split all``), so
for tuning train with ``--split train``: the held-out templates are then unseen. Tuning is done
on that set only — never on the public evaluation data.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pycrfsuite

from baomi.engine.prose import features, lexicon
from baomi.engine.prose.features import sentence_features
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.spans import spans_from_tags

DEFAULT_OUT = Path(__file__).with_name("zh_ner.crfsuite")
DEFAULT_SENTENCES = 32_000
DEFAULT_SEED = 20_260_301
HELDOUT_SEED = 7
#: L-BFGS settings (chosen on the generated held-out set).
PARAMS: dict[str, float | int | bool] = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 150,
    "feature.minfreq": 2,
    "feature.possible_transitions": True,
}


def train(
    out: Path,
    *,
    sentences: int = DEFAULT_SENTENCES,
    seed: int = DEFAULT_SEED,
    max_iterations: int | None = None,
    split: str = "all",
    salad_share: float | None = None,
    unknown_share: float | None = None,
    c1: float | None = None,
    verbose: bool = False,
) -> Path:
    """Train on ``sentences`` generated sentences and write the model to ``out``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=verbose)
    params = dict(PARAMS)
    if max_iterations is not None:
        params["max_iterations"] = max_iterations
    if c1 is not None:
        params["c1"] = c1
    trainer.set_params(params)
    gen = SentenceGenerator(seed, split=split)
    if salad_share is not None:
        gen.salad_share = salad_share
    if unknown_share is not None:
        gen.unknown_share = unknown_share
    for s in gen.sentences(sentences):
        trainer.append(sentence_features(s.text), list(s.tags))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    return out


def heldout_scores(model: Path, n: int = 2_000) -> dict[str, tuple[float, float, float]]:
    """Exact-span precision, recall and F1 per label on generated held-out sentences."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return span_scores(
        (set(spans_from_tags(tagger.tag(sentence_features(s.text)))), set(s.spans))
        for s in SentenceGenerator(HELDOUT_SEED, split="heldout").sentences(n)
    )


Spans = set[tuple[int, int, str]]


def span_scores(pairs: Iterable[tuple[Spans, Spans]]) -> dict[str, tuple[float, float, float]]:
    """Exact-span precision, recall and F1 per label over ``(predicted, gold)`` span sets."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for pred, gold in pairs:
        tp.update(span[2] for span in pred & gold)
        fp.update(span[2] for span in pred - gold)
        fn.update(span[2] for span in gold - pred)
    out: dict[str, tuple[float, float, float]] = {}
    for lab in sorted(set(tp) | set(fp) | set(fn)):
        t, p_, n_ = tp[lab], fp[lab], fn[lab]
        prec = t / (t + p_) if t + p_ else 0.0
        rec = t / (t + n_) if t + n_ else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = (prec, rec, f1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--sentences", type=int, default=DEFAULT_SENTENCES)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--max-iterations", type=int, default=None)
    ap.add_argument("--split", choices=("all", "train"), default="all")
    ap.add_argument("--salad-share", type=float, default=None)
    ap.add_argument("--unknown-share", type=float, default=None)
    ap.add_argument("--c1", type=float, default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    words = lexicon.build_word_lists(Path(__file__).parent)
    if words == 0 and not lexicon.common_words():
        raise SystemExit("jieba (a dev dependency) is needed to build the common-word list")
    features.reset_tables()
    out = train(
        args.out,
        sentences=args.sentences,
        seed=args.seed,
        max_iterations=args.max_iterations,
        split=args.split,
        salad_share=args.salad_share,
        unknown_share=args.unknown_share,
        c1=args.c1,
        verbose=args.verbose,
    )
    size = out.stat().st_size / 1e6
    print(f"wrote {out} ({size:.1f} MB) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    for lab, (p, r, f) in heldout_scores(out).items():
        print(f"held-out {lab}: P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
