"""``--verify``: re-read a written package and find identifiers the policy removes.

Two views: the values (every cell against the original values that were removed; free-text and
unclassified columns, lines and paragraphs re-analyzed) and the scan (``scan_paths`` on the
package: an entity removed with a format-breaking operator must not be found again). Results are
counts by file and column, never values. A value the prose model alone removed, met again where
the model alone reads it (or as a whole cell), is *unconfirmed*: reported, not a leftover.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from baomi.engine.protect.state import model_only, written_key
from baomi.engine.protect.writers import load


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What :func:`verify_package` found, by file and column (``file``, ``sheet``, ``column``,
    ``count``): ``leaks`` fail the run; ``unconfirmed`` are values the prose model alone
    removed somewhere and that are met again only where the model alone reads them (or as a
    whole cell): the manifest counts them."""

    leaks: list[dict[str, Any]] = field(default_factory=list)
    unconfirmed: list[dict[str, Any]] = field(default_factory=list)


def _mask_characters(policy: Policy) -> str:
    """A regex class of the characters ``mask`` writes under ``policy`` (``*`` by default)."""
    chars = {"*"}
    for rule in (*policy.entities.values(), *policy.columns.values()):
        char = getattr(rule.params, "char", None)
        if rule.operator == "mask" and isinstance(char, str):
            chars.add(char)
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _removed(values: set[str]) -> pl.DataFrame:
    """``values`` as a one-column frame ``o``, without bare place names: 深圳 or 美国 identifies
    no one, and the prose model reads one as a name or an address in one note and not in the
    next, so its other mentions are no leftover."""
    series = pl.Series(sorted(values), dtype=pl.String)
    return pl.DataFrame({"o": series.filter(~divisions.place_only_series(series))})


#: Documents' lines re-read together up to about this many (a batch, as protect found them).
REREAD_LINES = 20_000


def verify_package(
    out_dir: Path,
    entries: Sequence[ManifestFile],
    originals: set[str],
    analyzer: TextAnalyzer,
    policy: Policy,
    prefilter: str | None = None,
    produced: set[str] | None = None,
    operators: OperatorRegistry | None = None,
    model_only_values: set[str] | None = None,
    written_in: dict[bytes, set[str]] | None = None,
) -> Leftovers:
    """Leftover identifiers in the written package (counts by file and column, no values).

    Every cell is compared with the original values the policy removed; the cells of free-text
    and unclassified columns, lines and paragraphs are re-analyzed as well. In a column a
    format-keeping operator wrote, a cell that is one of ``produced`` (what those operators
    wrote) is that operator's output, even when it equals another customer's original.

    ``originals`` were removed with support (a pattern, a column, a trigger or title word)
    somewhere; ``model_only_values`` only where the prose model alone found them. Masking
    changes the text around a word, and the model reads the same word as a name in one
    sentence and not in the next: such a value met again where the model alone reads it, or
    as a whole cell, is unconfirmed, not a leftover; met where a rule reads it (联系人：…), it
    is a leftover as any original is. So is any original the model alone reads in a span that
    takes in or borders a mask character: it reads protect's own output (谢谢东西 masked as
    谢谢东* read as 谢东, a customer's name), not the text protect was given.

    ``written_in`` (:attr:`ProtectRun.written`) holds what format-keeping operators wrote into
    each text: a name pseudonym in a note may be another customer's real name, and is no
    leftover in the text it was written into.
    """
    out = Leftovers()
    strong = _removed(originals)
    weak = _removed((model_only_values or set()) - originals)
    if strong.height == 0 and weak.height == 0:
        return out
    operators = operators or OperatorRegistry.default()
    written = pl.DataFrame({"o": pl.Series(sorted(produced or ()), dtype=pl.String)})
    masks = _mask_characters(policy)
    # every value a whole cell is compared with (a cell counted whole is not re-read)
    compared = pl.concat([strong["o"], weak["o"]]).implode()
    by_text = written_in or {}

    def not_written(found: pl.DataFrame) -> pl.DataFrame:
        """``found`` (columns ``text`` and ``o``, a value met in that text) without the
        values a format-keeping operator wrote into that very text, or a part of one (the
        model reads 张明 in the pseudonym 张明枝, another customer's name)."""
        if not by_text or found.height == 0:
            return found
        theirs = [
            any(o in w for w in by_text.get(written_key(t), ()))
            for t, o in zip(found["text"].to_list(), found["o"].to_list(), strict=True)
        ]
        return found.filter(~pl.Series(theirs, dtype=pl.Boolean))

    def rescan(values: pl.Series) -> tuple[int, int]:
        return rescan_groups([values])[0]

    def rescan_groups(groups: list[pl.Series]) -> list[tuple[int, int]]:
        """For each group of texts (a column, a document's lines): its distinct texts holding
        a removed entity whose value is one of the originals, and model-only readings of a
        model-only original (unconfirmed). All the groups' texts are analysed together, as
        protect analysed them (a call has a fixed part a document would pay alone); each
        group's count is of its own distinct texts."""
        parts = []
        for g, values in enumerate(groups):
            distinct = values.drop_nulls().unique()
            if prefilter is not None:
                distinct = distinct.filter(distinct.str.contains(prefilter))
            distinct = distinct.filter(distinct != "")
            parts.append(
                pl.DataFrame({"g": pl.repeat(g, len(distinct), eager=True), "t": distinct})
            )
        texts = pl.concat(parts)
        counts = [(0, 0)] * len(groups)
        if texts.height == 0:
            return counts
        found = analyze_column(texts["t"], analyzer.text_recognizers, analyzer.threshold)
        removed = [e for e in found["entity"].unique().to_list() if policy.removes(e, operators)]
        found = found.filter(pl.col("entity").is_in(removed))
        if found.height == 0:
            return counts
        spans = found.select(
            "start", "end", alone=model_only(analyzer.text_recognizers)
        ).with_columns(text=texts["t"].gather(found["idx"]), g=texts["g"].gather(found["idx"]))
        before = (pl.col("start") - 1).clip(0)
        raw = spans.select(
            "g",
            "alone",
            "text",
            o=pl.col("text")
            .str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
            .str.strip_chars(),
            # the span with a character either side takes in a mask character
            masked=pl.col("text").str.slice(before, pl.col("end") + 1 - before).str.contains(masks),
        )
        met = not_written(raw.join(weak, on="o", how="semi"))
        hit = not_written(raw.join(strong, on="o", how="semi"))
        for g in range(len(groups)):
            m, h = met.filter(pl.col("g") == g), hit.filter(pl.col("g") == g)
            unconfirmed = int(m["alone"].sum()) + int((h["alone"] & h["masked"]).sum())
            counts[g] = (h.height + m.height - unconfirmed, unconfirmed)
        return counts

    def report(where: list[dict[str, Any]], rel: str, sheet: Any, column: Any, n: int) -> None:
        if n:
            where.append({"file": rel, "sheet": sheet, "column": column, "count": n})

    # documents' lines wait to be re-read together (rescan_groups), a batch at a time
    waiting: list[tuple[str, pl.Series]] = []
    # identifiers removed somewhere, looked for anywhere inside a written workbook or Word file
    inside = _identifier_like(strong["o"].to_list(), produced or set())
    raw: dict[str, int] = {}

    def reread_waiting() -> None:
        counts = rescan_groups([units for _, units in waiting]) if waiting else []
        for (rel, _), (count, unsure) in zip(waiting, counts, strict=True):
            report(out.leaks, rel, None, None, count)
            report(out.unconfirmed, rel, None, None, unsure)
        waiting.clear()

    for entry in entries:
        rel = entry.path
        doc = load(out_dir / rel)
        raw[rel] = _inside_parts(out_dir / rel, inside)
        if doc.tables:
            reread_waiting()
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
                count = not_written(
                    cells.join(strong, on="o", how="semi").with_columns(text=pl.col("o"))
                ).height
                unsure = not_written(
                    cells.join(weak, on="o", how="semi").with_columns(text=pl.col("o"))
                ).height
                if name in reread or name not in listed:
                    # a cell counted whole above is not counted again by what is read in it
                    more, unsure_more = rescan(col.filter(~col.is_in(compared)))
                    count, unsure = count + more, unsure + unsure_more
                report(out.leaks, rel, table.sheet, name, count)
                report(out.unconfirmed, rel, table.sheet, name, unsure)
        if doc.units:
            units = pl.Series(doc.units, dtype=pl.String).str.replace_all(
                f"[{fp.MARK0}{fp.MARK1}]", ""
            )
            waiting.append((rel, units))
            if sum(len(u) for _, u in waiting) >= REREAD_LINES:
                reread_waiting()
    reread_waiting()
    # a corner the views above do not read (a pivot cache, a chart, a link, a tracked change):
    # counted where the file has no leftover already
    leaking = {leak["file"] for leak in out.leaks}
    for rel, n in raw.items():
        if rel not in leaking:
            report(out.leaks, rel, None, INSIDE, n)
    return out


#: The column named for a leftover found only in a file's XML parts.
INSIDE = "(xml)"
_ZIPPED = (".xlsx", ".xlsm", ".docx")


#: A date (a birth date generalised elsewhere): in a file's XML it may be any date.
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


def _identifier_like(values: list[str], produced: set[str]) -> list[str]:
    """The removed values that are identifiers (an e-mail address, ten digits or more, not a
    date): searched for as text in a zipped file's XML, where a name could be any word; not
    what a format-keeping operator wrote (another customer's pseudonym may equal an
    original)."""
    return [
        v
        for v in values
        if v not in produced
        and ("@" in v or sum(c.isdigit() for c in v) >= 10)
        and not _DATE.match(v)
    ]


def _inside_parts(path: Path, values: list[str]) -> int:
    """How many of ``values`` appear anywhere in the XML parts of ``path`` (an XLSX or DOCX
    file; 0 for other formats): the whole file, beyond the cells and paragraphs read. One
    Aho-Corasick pass per part (Polars ``extract_many`` and ``find_many``), whatever the
    number of values. A hit inside a longer run of digits, or after a decimal point, is
    another number that holds the same digits (``0.13812345678``, ``9138123456780``), not
    the value: not counted (:func:`_stands_alone`). ``find_many`` gives character offsets
    (Polars 2; byte offsets before)."""
    if not values or path.suffix.lower() not in _ZIPPED:
        return 0
    import html
    import zipfile

    found: set[str] = set()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            text = html.unescape(z.read(name).decode("utf-8", "replace"))
            series = pl.Series([text])
            hits = series.str.extract_many(values, overlapping=True)[0].to_list()
            if not hits:
                continue
            at = series.str.find_many(values, overlapping=True)[0].to_list()
            found.update(v for v, p in zip(hits, at, strict=True) if _stands_alone(text, p, v))
    return len(found)


def _stands_alone(text: str, at: int, value: str) -> bool:
    """Whether ``value``, found at character ``at`` of ``text``, is not part of another
    number: a digit on neither side of a value that starts or ends with one, no decimal point
    before it."""
    end = at + len(value)
    before, after = text[at - 1 : at] if at else "", text[end : end + 1]
    if value[:1].isdigit() and (
        _digit(before) or (before == "." and _digit(text[at - 2 : at - 1]))
    ):
        return False
    return not (value[-1:].isdigit() and _digit(after))


def _digit(c: str) -> bool:
    """An ASCII digit (``c`` one character or empty)."""
    return c.isascii() and c.isdigit()


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
