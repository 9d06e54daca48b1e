"""Person names in traditional characters: the person recognizer on generated held-out
sentences, as generated (simplified) and converted to traditional characters with OpenCC's
``s2t`` (the ``opencc`` dev dependency), with and without the simplified model text
(:mod:`baomi.engine.prose.script`).

    .venv/bin/python bench/traditional_names.py [--seed 990077] [--n 1500]

The seed is one no model was trained or chosen on. Sentences whose conversion changes their
length are left out (spans would move). Printed: exact-span precision / recall of ``PER``.
"""

from __future__ import annotations

import argparse
import sys

from ner_eval import Score  # bench/ is on sys.path when run as a script


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=990077)
    ap.add_argument("--n", type=int, default=1500)
    args = ap.parse_args(argv)
    try:
        import opencc  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        print("traditional_names: opencc (a dev dependency) absent: skipped", file=sys.stderr)
        return 0
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.prose.generator import SentenceGenerator
    from baomi.engine.recognizers.cn import prose_ner
    from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
    from baomi.engine.recognizers.registry import Registry

    analyzer = TextAnalyzer(Registry([ProsePersonNameRecognizer()]))
    s2t = opencc.OpenCC("s2t")
    texts: list[tuple[str, str, set[tuple[int, int]]]] = []
    for sent in SentenceGenerator(seed=args.seed).sentences(args.n):
        trad = s2t.convert(sent.text)
        if len(trad) == len(sent.text):
            gold = {(s, e) for s, e, label in sent.spans if label == "PER"}
            texts.append((sent.text, trad, gold))
    keep = prose_ner.simplified

    def score(which: int, simplify: bool) -> Score:
        prose_ner.simplified = keep if simplify else (lambda t: t)  # type: ignore[assignment]
        prose_ner._LAST = ("", "")
        s = Score()
        try:
            for row in texts:
                found = {(f.start, f.end) for f in analyzer.analyze(row[which])}
                gold = row[2]
                s.tp, s.fp, s.fn = (
                    s.tp + len(found & gold),
                    s.fp + len(found - gold),
                    s.fn + len(gold - found),
                )
        finally:
            prose_ner.simplified = keep  # type: ignore[assignment]
        return s

    print(
        f"Person names, generated sentences (seed {args.seed}, {len(texts)} of {args.n}), "
        f"exact spans: precision / recall (tp, fp, fn)\n"
    )
    print("| text | without the simplified model text | with it |")
    print("|---|---|---|")
    for which, name in ((0, "simplified (as generated)"), (1, "traditional (OpenCC s2t)")):
        cells = [score(which, flag) for flag in (False, True)]
        print(
            f"| {name} | "
            + " | ".join(f"{c.p:.3f} / {c.r:.3f} ({c.tp}, {c.fp}, {c.fn})" for c in cells)
            + " |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
