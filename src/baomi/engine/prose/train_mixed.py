"""Train the fast CRF on annotated real text and generated business text (issue 18, fast mode).

    python -m baomi.engine.prose.train_mixed --uner UNER.iob2 --weibo WEIBO.conll --out OUT

The same character features as the shipped fast model (:func:`~.features.sentence_features`,
so the same decoder and the same cost per sentence) and the same L-BFGS settings
(:data:`.train.PARAMS`), but trained on the annotated real corpora the accurate model uses
(UNER Chinese-GSDSIMP train, Weibo NER revised train; CC BY-SA, read by
:mod:`.train_accurate`; each chunk given twice, chosen on the held-out sets below) plus the
generated business text of :mod:`.train`. A model written by
this script is trained on CC BY-SA data, so it ships under CC BY-SA (docs/models.md).

``--pud`` adds UNER Chinese-PUD (converted to simplified script) and ``--distill`` Tatoeba
sentences tagged by the accurate model (:mod:`.extra_corpora`); the model trained with both
(``make model-fast-distilled``) is a candidate, not shipped (docs/models.md).

Held-out figures (UNER dev if given, generated held-out templates) are printed; nothing here
reads the evaluation sets.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pycrfsuite

from baomi.engine.prose import extra_corpora
from baomi.engine.prose import train as train_fast
from baomi.engine.prose.features import sentence_features
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.spans import spans_from_tags
from baomi.engine.prose.train_accurate import (
    Tagged,
    chunks,
    corpus_parser,
    heldout_sets,
    read_uner,
    read_weibo,
)

DEFAULT_GENERATED = train_fast.DEFAULT_SENTENCES
DEFAULT_OUT = Path(__file__).with_name("zh_ner_mixed.crfsuite")


def train(out: Path, data: list[Tagged], iterations: int | None = None) -> Path:
    """A CRF with the fast model's features and settings on ``data``, written to ``out``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    params = dict(train_fast.PARAMS)
    if iterations is not None:
        params["max_iterations"] = iterations
    trainer.set_params(params)
    for text, tags in data:
        trainer.append(sentence_features(text), tags)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    return out


def scores(model: Path, data: list[Tagged]) -> dict[str, tuple[float, float, float]]:
    """Exact-span precision, recall, F1 per label."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return train_fast.span_scores(
        (set(spans_from_tags(tagger.tag(sentence_features(t)))), set(spans_from_tags(y)))
        for t, y in data
    )


def main(argv: list[str] | None = None) -> int:
    ap = corpus_parser(__doc__, DEFAULT_GENERATED, train_fast.DEFAULT_SEED, DEFAULT_OUT)
    ap.add_argument("--real-copies", type=int, default=2, help="weight of the real corpora")
    ap.add_argument("--pud", type=Path, default=None, help="zh_pud-ud-test.iob2 (traditional)")
    ap.add_argument("--distill", type=Path, default=None, help="Tatoeba cmn.txt (teacher-tagged)")
    ap.add_argument("--distill-min", type=float, default=0.9, help="teacher's least marginal")
    ap.add_argument("--distill-copies", type=int, default=1)
    ap.add_argument("--teacher", type=Path, default=None, help="accurate model file")
    ap.add_argument("--renamed-copies", type=int, default=0, help="real copies, new names")
    args = ap.parse_args(argv)
    t0, c0 = time.perf_counter(), time.process_time()
    real = [*chunks(read_uner(args.uner)), *chunks(read_weibo(args.weibo))]
    if args.pud is not None:
        real += chunks(extra_corpora.read_uner_traditional(args.pud))
    distilled: list[Tagged] = []
    if args.distill is not None:
        texts = extra_corpora.read_tatoeba(args.distill)
        teacher = args.teacher or extra_corpora.default_teacher()
        tagged = extra_corpora.teacher_labels(texts, teacher, args.distill_min)
        distilled = list(extra_corpora.with_new_names(tagged, args.seed + 1))
        print(f"{len(distilled)} teacher-tagged chunks of {len(texts)} texts", file=sys.stderr)
    gen = SentenceGenerator(args.seed, split=args.split)
    data = [
        *(real * args.real_copies),
        *(
            renamed
            for k in range(args.renamed_copies)
            for renamed in extra_corpora.with_new_names(real, args.seed + 2 + k)
        ),
        *(distilled * args.distill_copies),
        *((s.text, list(s.tags)) for s in gen.sentences(args.generated)),
    ]
    print(f"{len(real)} real chunks, {args.generated} generated sentences", file=sys.stderr)
    out = train(args.out, data, args.max_iterations)
    size = out.stat().st_size / 1e6
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"wrote {out} ({size:.1f} MB) in {wall:.0f} s wall, {cpu:.0f} s CPU", file=sys.stderr)
    for name, items in heldout_sets(args.uner_dev).items():
        for lab, (p, r, f) in scores(out, items).items():
            print(f"{name} {lab}: P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
