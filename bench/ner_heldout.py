"""Prose NER on held-out data only, for choosing rules and thresholds without the evaluation sets.

    .venv/bin/python bench/ner_heldout.py [--backends crf,fast,cascade,ensemble]
        [--uner var/corpora/uner] [--seeds 990001,990002,990003] [--generated 4000]

Sets: UNER Chinese-GSDSIMP dev and test (no model trains on them; `make model` clones the
corpus into ``var/corpora/uner``, skipped with a message when absent) and generated business
text with seeds no model or earlier choice used. Never CLUENER dev or Weibo test: those are
``bench/ner_eval.py``'s, run once after a choice. Prints exact-span precision / recall / F1 per
label, the spans as ``bench/ner_eval.py`` scores them (the three prose recognizers, batched as
the scan tags a column).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ner_eval as E  # bench/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent


def uner_sets(folder: Path) -> list[E.Dataset]:
    from baomi.engine.prose.spans import spans_from_tags
    from baomi.engine.prose.train_accurate import read_uner

    out = []
    for split in ("dev", "test"):
        path = folder / f"zh_gsdsimp-ud-{split}.iob2"
        if not path.exists():
            print(f"skipped UNER {split}: {path} not found (make model clones it)", file=sys.stderr)
            continue
        ds = E.Dataset(f"UNER {split}", E.LABELS)
        for text, tags in read_uner(path):
            ds.texts.append(text)
            ds.gold.append(set(spans_from_tags(tags)))
        out.append(ds)
    return out


def generated_set(seed: int, n: int) -> E.Dataset:
    from baomi.engine.prose.generator import SentenceGenerator

    ds = E.Dataset(f"generated {seed}", E.LABELS)
    gen = SentenceGenerator(seed, groups=E.BUSINESS_GROUPS, salad_share=0.0)
    for s in gen.sentences(n):
        ds.texts.append(s.text)
        ds.gold.append(set(s.spans))
    return ds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="crf,fast,cascade,ensemble")
    ap.add_argument("--uner", type=Path, default=HERE.parent / "var" / "corpora" / "uner")
    ap.add_argument("--seeds", default="990001,990002,990003")
    ap.add_argument("--generated", type=int, default=4000, help="sentences per seed")
    args = ap.parse_args(argv)
    sets = uner_sets(args.uner) + [
        generated_set(int(s), args.generated) for s in args.seeds.split(",") if s
    ]
    print("| backend | set | " + " | ".join(f"{lab} P / R / F1" for lab in E.LABELS) + " |")
    print("|---|---|" + "---|" * len(E.LABELS))
    for backend in args.backends.split(","):
        _, batch = E.baomi_taggers(backend)
        for ds in sets:
            tagged = iter(batch(ds.texts))  # in order: evaluate asks text by text
            scores = E.evaluate(lambda _text, tagged=tagged: next(tagged), ds)
            cells = [
                f"{scores[lab].p:.4f} / {scores[lab].r:.4f} / {scores[lab].f1:.4f}"
                for lab in E.LABELS
            ]
            print(f"| {backend} | {ds.name} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
