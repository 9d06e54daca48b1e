"""``--verify``: re-read a written package and find identifiers the policy removes.

Two views: the values (every cell against the original values that were removed; free-text and
unclassified columns, lines and paragraphs re-analyzed) and the scan (``scan_paths`` on the
package: an entity removed with a format-breaking operator must not be found again). Results are
counts by file and column, never values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine import divisions
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.batch import analyze_column
from baomi.engine.contracts.manifest import ManifestFile
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.policy import Policy
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.protect.writers import load


def verify_package(
    out_dir: Path,
    entries: Sequence[ManifestFile],
    originals: set[str],
    analyzer: TextAnalyzer,
    policy: Policy,
    prefilter: str | None = None,
    produced: set[str] | None = None,
    operators: OperatorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Leftover identifiers in the written package (counts by file and column, no values).

    Every cell is compared with the original values the policy removed; the cells of free-text
    and unclassified columns, lines and paragraphs are re-analyzed as well. In a column a
    format-keeping operator wrote, a cell that is one of ``produced`` (what those operators
    wrote) is that operator's output, even when it equals another customer's original.
    """
    leaks: list[dict[str, Any]] = []
    # A bare place name (深圳, 美国) identifies no one: the prose model reads one as a name or
    # an address in one note and not in the next, and its other mentions are no leftover.
    values = pl.Series(sorted(originals), dtype=pl.String)
    values = values.filter(~divisions.place_only_series(values))
    if values.len() == 0:
        return leaks
    operators = operators or OperatorRegistry.default()
    lookup = pl.DataFrame({"o": values})
    written = pl.DataFrame({"o": pl.Series(sorted(produced or ()), dtype=pl.String)})

    def rescan(values: pl.Series) -> int:
        """Distinct texts holding a removed entity whose value is one of the originals (all
        texts analysed together, as protect analysed them)."""
        distinct = values.drop_nulls().unique()
        if prefilter is not None:
            distinct = distinct.filter(distinct.str.contains(prefilter))
        distinct = distinct.filter(distinct != "")
        if distinct.len() == 0:
            return 0
        found = analyze_column(distinct, analyzer.text_recognizers, analyzer.threshold)
        removed = [e for e in found["entity"].unique().to_list() if policy.removes(e, operators)]
        found = found.filter(pl.col("entity").is_in(removed))
        if found.height == 0:
            return 0
        spans = found.select("start", "end").with_columns(text=distinct.gather(found["idx"]))
        raw = spans.select(
            o=pl.col("text")
            .str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
            .str.strip_chars()
        )
        return raw.join(lookup, on="o", how="semi").height

    for entry in entries:
        rel = entry.path
        doc = load(out_dir / rel)
        for table, info in zip(doc.tables, entry.tables or (), strict=False):
            # free-text and unclassified columns are re-analyzed, and so are columns the policy
            # keeps as they are: a value removed elsewhere must not be there in the clear
            listed = {c.name for c in info.columns}
            # format-keeping operators that change the value (pseudonym, fpe; not keep)
            keeping = {
                c.name
                for c in info.columns
                if operators.declares(c.operator, "keeps_format")
                and operators.declares(c.operator, "removes")
            }
            # columns a registered operator left as they were (keep)
            reread = {
                c.name
                for c in info.columns
                if c.mode in ("text", "skip")
                or (c.operator in operators and not operators.declares(c.operator, "removes"))
            }
            for name in table.frame.columns:
                col = (
                    table.frame[name]
                    .drop_nulls()
                    .str.replace_all(f"[{fp.MARK0}{fp.MARK1}]", "")
                    .str.strip_chars()
                )
                cells = pl.DataFrame({"o": col})
                if name in keeping:
                    cells = cells.join(written, on="o", how="anti")
                count = cells.join(lookup, on="o", how="semi").height
                if name in reread or name not in listed:
                    count += rescan(col)
                if count:
                    leaks.append(
                        {"file": rel, "sheet": table.sheet, "column": name, "count": count}
                    )
        if doc.units:
            units = pl.Series(doc.units, dtype=pl.String).str.replace_all(
                f"[{fp.MARK0}{fp.MARK1}]", ""
            )
            count = rescan(units)
            if count:
                leaks.append({"file": rel, "sheet": None, "column": None, "count": count})
    return leaks


#: Entities found by context or a prose model, whose masked forms still read as the entity.
PARTIAL_BY_DESIGN = frozenset({"PERSON_NAME", "ADDRESS", "ORGANIZATION"})


def scan_leftovers(
    out_dir: Path,
    entries: Sequence[ManifestFile],
    policy: Policy,
    operators: OperatorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Re-scan the written package with the scan (``scan_paths``): any entity the policy removes
    with a format-breaking operator that the scan still finds is a leftover.

    Without the prose model: it is most of a scan's time, and all it could add here is its
    misreadings of the transformed text (a hash after 客户 read as a name). Names, addresses and
    organisations in text are the values view's question: is an original still there?"""
    from baomi.engine import scan

    ops = operators or OperatorRegistry.default()

    def counted(entity: str) -> bool:
        rule = policy.rule_for_entity(entity)
        # an operator whose output keeps the format is found again: checked by value instead
        if rule is None or ops.declares(rule.operator, "keeps_format"):
            return False
        # A masked name (张*明) or an address cut after its district keeps part of the value by
        # design, and the prose model may still call the rest a name or an address; whether an
        # original value survived is the value view's question (verify_package).
        return not (entity in PARTIAL_BY_DESIGN and ops.declares(rule.operator, "coarsens"))

    options = scan.ScanOptions(prose=False)
    inventory = scan.scan_paths([out_dir], options=options).inventory
    by_path = {e.path: e for e in entries}
    leaks: list[dict[str, Any]] = []

    for f in inventory.files:
        entry = by_path.get(f.path)
        if entry is None:
            continue
        if f.kind == "text":
            n = sum(c for e, c in f.entities.items() if counted(e))
            if n:
                leaks.append({"file": f.path, "sheet": None, "column": None, "count": n})
            continue
        plans = {(t.sheet, c.name): c for t in entry.tables or () for c in t.columns}
        # protect reads every format as the scan does (the same columns: a wrapped JSON list's
        # data[*].phone is one column for both), so the scan's columns are protect's
        for col in f.columns:
            p = plans.get((col.sheet, col.name))
            if p is not None and (p.mode == "qi" or ops.declares(p.operator, "keeps_format")):
                continue
            n = sum(c for e, c in col.entities.items() if counted(e))
            if n:
                leaks.append({"file": f.path, "sheet": col.sheet, "column": col.name, "count": n})
    return leaks
