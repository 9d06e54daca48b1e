"""Latin-script spans the prose model reads as names: what the veto of
:mod:`baomi.engine.prose.latin` keeps and drops, measured on data nobody here wrote.

    .venv/bin/python bench/latin_names.py [--backend crf]

Data (evaluation only — nothing here tunes a rule; the word lists come from Faker and pinyin):
CLUENER2020 dev (``name``) and Weibo NER revised test and dev (``PER.NAM``), under
``../shared/data/eval`` (``BAOMI_EVAL_DATA``); skipped with a message when absent.

Each text goes through the default person-name recognizer (model + rules) twice in one
process: with the veto, and with it switched off (the recognizer's :meth:`implausible` alone,
as before the veto). Printed: exact-span precision / recall / F1 of person names over all
names, and over the spans with a Latin letter, with and without the veto, and the spans the
veto dropped, each marked as a gold name or not.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ner_eval import DATA, Dataset, Score, load_cluener, load_weibo

Span = tuple[int, int]


def names_of(ds: Dataset) -> list[set[Span]]:
    return [{(s, e) for s, e, label in gold if label == "PER"} for gold in ds.gold]


def latin(text: str, span: Span) -> bool:
    return any("A" <= c <= "Z" or "a" <= c <= "z" for c in text[span[0] : span[1]])


def tagger(backend: str) -> Callable[[str], set[Span]]:
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
    from baomi.engine.recognizers.registry import Registry

    analyzer = TextAnalyzer(Registry([ProsePersonNameRecognizer(backend)]))
    return lambda text: {(f.start, f.end) for f in analyzer.analyze(text)}


def score(
    texts: list[str], gold: list[set[Span]], found: list[set[Span]], only_latin: bool
) -> Score:
    s = Score()
    for text, g, f in zip(texts, gold, found, strict=True):
        if only_latin:
            g = {x for x in g if latin(text, x)}
            f = {x for x in f if latin(text, x)}
        s.tp += len(g & f)
        s.fp += len(f - g)
        s.fn += len(g - f)
    return s


def fmt(s: Score) -> str:
    return f"{s.p:.4f} / {s.r:.4f} / {s.f1:.4f} (tp {s.tp}, fp {s.fp}, fn {s.fn})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="crf")
    args = ap.parse_args(argv)
    files = [
        (load_cluener, DATA / "cluener" / "dev.json"),
        (load_weibo, DATA / "weibo_ner" / "weiboNER_2nd_conll.test.spans.jsonl"),
        (load_weibo, DATA / "weibo_ner" / "weiboNER_2nd_conll.dev.spans.jsonl"),
    ]
    if not all(path.is_file() for _, path in files):
        print(f"latin_names: evaluation data not found under {DATA}: skipped", file=sys.stderr)
        return 0
    from baomi.engine.recognizers.cn.prose_ner import (
        ProseNerRecognizer,
        ProsePersonNameRecognizer,
    )

    tag = tagger(args.backend)
    vetoed = ProsePersonNameRecognizer.implausible_at
    print(f"Person names, backend `{args.backend}`: precision / recall / F1, exact spans\n")
    print(
        "| data | names | without the veto | with the veto | Latin spans without | with "
        "| dropped (gold names) |"
    )
    print("|---|---:|---|---|---|---|---:|")
    dropped: list[tuple[str, str, bool]] = []
    for load, path in files:
        ds = load(path)
        gold = names_of(ds)
        runs = {}
        for veto in (False, True):
            ProsePersonNameRecognizer.implausible_at = (  # type: ignore[method-assign]
                vetoed if veto else ProseNerRecognizer.implausible_at
            )
            runs[veto] = [tag(t) for t in ds.texts]
        ProsePersonNameRecognizer.implausible_at = vetoed  # type: ignore[method-assign]
        name = ds.name.split(" (")[0]
        if "weibo" in path.name.lower():
            name = "Weibo NER " + ("dev" if ".dev." in path.name else "test")
        lost = [
            (text[s:e], (s, e) in g)
            for text, g, before, after in zip(ds.texts, gold, runs[False], runs[True], strict=True)
            for s, e in sorted(before - after)
        ]
        dropped += [(name, value, gold_name) for value, gold_name in lost]
        print(
            f"| {name} | {sum(map(len, gold))} | {fmt(score(ds.texts, gold, runs[False], False))} "
            f"| {fmt(score(ds.texts, gold, runs[True], False))} "
            f"| {fmt(score(ds.texts, gold, runs[False], True))} "
            f"| {fmt(score(ds.texts, gold, runs[True], True))} "
            f"| {len(lost)} ({sum(g for _, g in lost)}) |"
        )
    print(f"\nSpans the veto dropped ({len(dropped)}; ✓ = a gold name):\n")
    for name, value, gold_name in dropped:
        print(f"- {'✓' if gold_name else '✗'} `{value}` ({name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
