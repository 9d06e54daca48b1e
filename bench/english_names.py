"""Person names in English text nobody here wrote: the person recognizer with and without the
given-name rule (:func:`baomi.engine.prose.latin.given_name_spans`), on Universal NER's English
Web Treebank (UNER English-EWT dev and test: e-mails, reviews, answers, blogs).

    make -C bench english-names      # clones the corpus (pinned) into var/corpora/uner-en
    .venv/bin/python bench/english_names.py [--uner-en var/corpora/uner-en] [--show 40]

Data: CC BY-SA 4.0 (Universal NER over UD English-EWT @ 8ed072d), never copied into the
repository nor trained on; skipped with a message when absent. The word lists are Faker's; the
rule's short hand-written stop lists (a sentence's first words, places' and companies' words)
were read against the dev split's errors while the rule was written: dev is a development
figure, test the held-out one.
Printed: exact-span precision / recall / F1 of ``PER`` spans, both ways in one process, and
with ``--show`` the spans the rule added or removed, each marked as a gold name or not.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ner_eval import Score  # bench/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "var" / "corpora" / "uner-en"

Span = tuple[int, int]


def load(path: Path) -> tuple[list[str], list[set[Span]]]:
    """The sentences (``# text = …``) and their ``PER`` spans, tokens found in the text in
    order (the IOB2 file gives tokens, not offsets)."""
    texts: list[str] = []
    golds: list[set[Span]] = []
    text: str | None = None
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if text is None:
            return
        pos, spans, cur = 0, set(), None
        for token, tag in tokens:
            i = text.find(token, pos)
            start = i if i >= 0 else pos
            end = start + len(token)
            pos = end
            if tag == "B-PER":
                if cur:
                    spans.add(cur)
                cur = (start, end)
            elif tag == "I-PER" and cur:
                cur = (cur[0], end)
            elif cur:
                spans.add(cur)
                cur = None
        if cur:
            spans.add(cur)
        texts.append(text)
        golds.append(spans)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            flush()
            text, tokens = line[len("# text = ") :], []
        elif line and not line.startswith("#"):
            fields = line.split("\t")
            tokens.append((fields[1], fields[2]))
    flush()
    return texts, golds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uner-en", type=Path, default=DEFAULT)
    ap.add_argument("--show", type=int, default=0, help="print this many changed spans")
    args = ap.parse_args(argv)
    files = [args.uner_en / f"en_ewt-ud-{split}.iob2" for split in ("dev", "test")]
    if not all(f.is_file() for f in files):
        print(
            f"english_names: {args.uner_en} not found (make english-names): skipped",
            file=sys.stderr,
        )
        return 0
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.prose import rules
    from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
    from baomi.engine.recognizers.registry import Registry

    analyzer = TextAnalyzer(Registry([ProsePersonNameRecognizer()]))
    shape = rules._given_shape

    def run(texts: list[str], rule: bool) -> list[set[Span]]:
        rules._given_shape = shape if rule else (lambda: re.compile(r"(?!)"))  # type: ignore[assignment]
        rules._rule_spans.cache_clear()
        try:
            return [{(f.start, f.end) for f in analyzer.analyze(t)} for t in texts]
        finally:
            rules._given_shape = shape  # type: ignore[assignment]
            rules._rule_spans.cache_clear()

    print("Person names, exact spans: precision / recall / F1 (tp, fp, fn)\n")
    print("| set | names | without the given-name rule | with it |")
    print("|---|---:|---|---|")
    changed: list[tuple[str, str, bool]] = []
    for path in files:
        texts, golds = load(path)
        scores = []
        found = {}
        for rule in (False, True):
            found[rule] = run(texts, rule)
            s = Score()
            for g, f in zip(golds, found[rule], strict=True):
                s.tp, s.fp, s.fn = s.tp + len(g & f), s.fp + len(f - g), s.fn + len(g - f)
            scores.append(s)
        name = "dev" if "-dev" in path.name else "test"
        for t, g, a, b in zip(texts, golds, found[False], found[True], strict=True):
            changed += [("+", t[s:e], (s, e) in g) for s, e in sorted(b - a)]
            changed += [("-", t[s:e], (s, e) in g) for s, e in sorted(a - b)]
        print(
            f"| UNER English-EWT {name} | {sum(map(len, golds))} | "
            + " | ".join(
                f"{s.p:.3f} / {s.r:.3f} / {s.f1:.3f} ({s.tp}, {s.fp}, {s.fn})" for s in scores
            )
            + " |"
        )
    added = [c for c in changed if c[0] == "+"]
    print(
        f"\nThe rule added {len(added)} spans ({sum(g for _, _, g in added)} gold names) and "
        f"removed {len(changed) - len(added)} ({sum(g for s, _, g in changed if s == '-')} gold)."
    )
    for sign, value, gold in changed[: args.show]:
        print(f"- {sign} {'✓' if gold else '✗'} `{value}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
