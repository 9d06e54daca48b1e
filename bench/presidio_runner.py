"""Presidio side of the scan benchmark; runs in ``bench/.venv-peers`` (not baomi's venv).

    .venv-peers/bin/python presidio_runner.py --csv out/customers.csv --rows 20000 \
        --out out/presidio/findings.jsonl --model-dir out/spacy-zh-blank

Set up as MEASURED.md describes, the way a Presidio user would for Chinese data offline: no
spaCy model can be downloaded, so ``spacy.blank("zh")`` is saved to a directory and loaded through
``NlpEngineProvider``; the registry holds a Chinese resident-ID ``PatternRecognizer`` with a
GB 11643 check in ``validate_result``, a mobile ``PatternRecognizer``, and Presidio's own
``EmailRecognizer`` and ``CreditCardRecognizer``. Every non-empty cell of the first ``--rows``
data rows is analysed on its own (``AnalyzerEngine.analyze``). Findings are written in the
``findings.jsonl`` shape with Presidio's entity names mapped to baomi's; a JSON summary (timings,
bytes, peak RSS) goes to stdout. The checksum is written out here because this venv does not
have baomi installed.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

ENTITY_MAP = {
    "CN_RESIDENT_ID": "CN_RESIDENT_ID",
    "CN_MOBILE": "CN_MOBILE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "BANK_CARD",
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_ok(value: str) -> bool:
    """GB 11643-1999 MOD 11-2 check character of an 18-character resident ID."""
    v = value.upper()
    if len(v) != 18 or not v[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == v[17]


def build_analyzer(model_dir: Path) -> object:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, EmailRecognizer

    if not (model_dir / "config.cfg").exists():
        model_dir.parent.mkdir(parents=True, exist_ok=True)
        spacy.blank("zh").to_disk(model_dir)

    class CnResidentIdRecognizer(PatternRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return gb11643_ok(pattern_text)

    id_recognizer = CnResidentIdRecognizer(
        supported_entity="CN_RESIDENT_ID",
        supported_language="zh",
        patterns=[
            Pattern(
                "cn_resident_id",
                r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]"
                r"(?![0-9A-Za-z])",
                0.5,
            )
        ],
        context=["身份证", "证件"],
    )
    mobile_recognizer = PatternRecognizer(
        supported_entity="CN_MOBILE",
        supported_language="zh",
        patterns=[
            Pattern(
                "cn_mobile",
                r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?"
                r"1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])",
                0.5,
            )
        ],
        context=["手机", "电话", "联系"],
    )
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "zh", "model_name": str(model_dir)}],
        }
    )
    registry = RecognizerRegistry(supported_languages=["zh"])
    registry.add_recognizer(id_recognizer)
    registry.add_recognizer(mobile_recognizer)
    registry.add_recognizer(EmailRecognizer(supported_language="zh"))
    registry.add_recognizer(CreditCardRecognizer(supported_language="zh"))
    return AnalyzerEngine(
        registry=registry, nlp_engine=provider.create_engine(), supported_languages=["zh"]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=Path, required=True)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--model-dir", type=Path, required=True)
    args = ap.parse_args(argv)

    t_setup = time.perf_counter()
    analyzer = build_analyzer(args.model_dir)
    entities = list(ENTITY_MAP)
    analyzer.analyze(text="预热 warm-up 13800000000", language="zh", entities=entities)  # type: ignore[attr-defined]
    setup_s = time.perf_counter() - t_setup

    with args.csv.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _, row in zip(range(args.rows), reader, strict=False)]
    # Bytes of the slice as it is on disk: header line plus the analysed rows.
    with args.csv.open("rb") as fb:
        slice_bytes = sum(len(line) for _, line in zip(range(len(rows) + 1), fb, strict=False))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    cells = findings = 0
    t0 = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for r, row in enumerate(rows):
            for column, text in zip(header, row, strict=True):
                if not text:
                    continue
                cells += 1
                for res in analyzer.analyze(text=text, language="zh", entities=entities):  # type: ignore[attr-defined]
                    findings += 1
                    record = {
                        "file": args.csv.name,
                        "sheet": None,
                        "row": r,
                        "column": column,
                        "start": res.start,
                        "end": res.end,
                        "entity": ENTITY_MAP.get(res.entity_type, res.entity_type),
                        "score": round(float(res.score), 3),
                    }
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    analyze_s = time.perf_counter() - t0
    summary = {
        "rows": len(rows),
        "cells": cells,
        "findings": findings,
        "slice_bytes": slice_bytes,
        "setup_s": round(setup_s, 3),
        "analyze_s": round(analyze_s, 3),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
