"""Would Hyperscan speed up the notes column? One table against today's Polars and ``re`` work.

    make -C bench hyperscan    # installs hyperscan==0.9.1 into out/hs-site, not into baomi

The notes column (``跟进记录``) of partition 3 of ``out/unique/crm_unique.csv``
(``gen_unique.py``) is where the issue-17 scan spends most of its column CPU. This measures,
in milliseconds per partition (best of five, ``time.process_time``, one Polars thread):

1. today: ``analyze_column`` on the column, its eleven prefilters (``_prefilters``: Polars,
   the rare ones through a union) and its ``re`` passes (each pattern over its prefilter's
   cells joined, as ``_pattern_matches`` runs them; the relaxed step left out), and the
   eleven prefilters as ``str.contains`` in one Polars query;
2. python-hyperscan (Vectorscan 5.4 inside): the prefilters compiled into one database and run
   once over the folded cells joined by ``\\x00`` — the engine alone, with a Python callback,
   and the reports mapped onto cells as masks, which must equal Polars' masks; the patterns'
   relaxed forms (``_rust_of``: look-arounds dropped) in one database; the compile and the
   load of a serialized database;
3. Chimera (Hyperscan with PCRE, in the same wheel) on the Python patterns as they are,
   look-arounds and all, whose matches must be the ``re`` passes' matches.

hyperscan is not a baomi dependency: the make target installs it with pip into
``out/hs-site`` and puts that folder on ``PYTHONPATH``. Without it, or without the CSV, the
script says so in one line and exits 0. A check that fails (masks or matches differing) makes
it exit 1 after the table. Nothing is written: the table goes into ``RESULTS.md`` by hand.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CSV = HERE / "out" / "unique" / "crm_unique.csv"
COLUMN = "跟进记录"
PARTITION = 3  # 1-based, partitions of BATCH_ROWS rows
BATCH_ROWS = 32768
REPEAT = 5


def best(f: Callable[[], Any], n: int = REPEAT) -> tuple[float, Any]:
    """The least CPU time of ``n`` calls of ``f`` (ms), and its last result."""
    least, out = float("inf"), None
    for _ in range(n):
        start = time.process_time()
        out = f()
        least = min(least, time.process_time() - start)
    return least * 1e3, out


def main() -> int:
    # before Polars is imported (baomi imports it): one thread, like one partition in a scan
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        import hyperscan as hs
    except ImportError as e:
        print(
            f"hyperscan probe skipped: hyperscan not importable ({e}); run `make -C bench hyperscan`"
        )
        return 0
    if not CSV.is_file():
        print(
            f"hyperscan probe skipped: {CSV.relative_to(HERE.parent)} missing (`make -C bench unique-data`)"
        )
        return 0

    from importlib.metadata import version

    import numpy as np
    import polars as pl

    from baomi.engine import batch
    from baomi.engine.readers import open_source
    from baomi.engine.recognizers.registry import Registry
    from baomi.engine.scan.model import ScanContext, ScanOptions
    from baomi.engine.scan.partitions import FilePartitions
    from scan_bench import _git_commit

    ctx = ScanContext(Registry.default(), ScanOptions(prose=False), 1)
    src = open_source(CSV, batch_rows=BATCH_ROWS)
    part = next(itertools.islice(FilePartitions(src, "x", 0, ctx), PARTITION - 1, None))
    notes = part.frame.get_column(COLUMN)
    recognizers = list(ctx.cells.text)
    filled = notes.fill_null("")
    normed, slow = batch._fold(filled)

    rows: list[tuple[str, float, str]] = []
    failed: list[str] = []

    def row(step: str, ms: float, note: str = "") -> None:
        rows.append((step, ms, note))

    def check(ok: bool, what: str) -> str:
        if not ok:
            failed.append(what)
        return "yes" if ok else "**NO**"

    # ---- today ----
    ms, found = best(lambda: batch.analyze_column(notes, recognizers, ctx.cells.threshold, COLUMN))
    row("today: `analyze_column`, the whole notes column", ms, f"{found.height:,} findings")
    pre_ranks = [k for k, r in enumerate(recognizers) if r.prefilter]
    pre_exprs = [str(recognizers[k].prefilter) for k in pre_ranks]
    ms, pre = best(lambda: batch._prefilters(filled, recognizers))
    union = np.logical_or.reduce([pre[k] for k in pre_ranks])
    row(
        f"today: `_prefilters`, {len(pre_ranks)} prefilters (Polars, rare ones via a union)",
        ms,
        f"{int(union.sum()):,} cells match one",
    )

    # the Python patterns of the batchable recognizers, as `_pattern_matches` searches them
    pats = []  # (rank, pattern, the Python regex, what `re` runs, its value group)
    for k, r in enumerate(recognizers):
        if batch.batchable(r):
            for pattern, rx in r._compiled:
                ran = (
                    batch._searched(pattern.search_regex)
                    if pattern.search_regex
                    else batch._accelerated(rx)
                )
                pats.append((k, pattern, rx, ran, "v" if "v" in ran.groupindex else 0))
    nonempty = (filled.str.len_chars() > 0).to_numpy()
    cells_of = {
        k: np.flatnonzero((pre[k] if recognizers[k].prefilter else nonempty) & ~slow)
        for k in {p[0] for p in pats}
    }

    def re_passes() -> list[list[tuple[int, int]]]:
        out = []
        for k, _, _, ran, group in pats:
            joined = batch._joined(normed.gather(cells_of[k]))
            out.append([m.span(group) for m in ran.finditer(joined)])
        return out

    ms, spans = best(re_passes)
    # today's matches as rows (pattern, cell, char start, char end), sorted: one array, not
    # 34,000 tuples, which the garbage collector would walk in every timing below
    chars = normed.str.len_chars().to_numpy().astype(np.int64)
    parts = [np.zeros((0, 4), np.int64)]
    for j, (k, *_) in enumerate(pats):
        if spans[j]:
            idx = cells_of[k]
            starts = np.concatenate(([0], np.cumsum(chars[idx][:-1] + 1)))
            ab = np.array(spans[j], np.int64)
            at = np.searchsorted(starts, ab[:, 0], side="right") - 1
            cols = (np.full(len(ab), j), idx[at], ab[:, 0] - starts[at], ab[:, 1] - starts[at])
            parts.append(np.stack(cols, 1))
    want = np.unique(np.concatenate(parts), axis=0)
    del spans
    row(
        f"today: `re` passes, {len(pats)} patterns over their prefilter cells joined",
        ms,
        f"{len(want):,} matches",
    )

    frame = filled.to_frame("t")
    ms, one = best(
        lambda: frame.select(
            pl.col("t").str.contains(e).alias(str(k))
            for k, e in zip(pre_ranks, pre_exprs, strict=True)
        )
    )
    same = all((one.get_column(str(k)).to_numpy() == pre[k]).all() for k in pre_ranks)
    row(
        f"Polars: the {len(pre_ranks)} prefilters as `str.contains` in one query",
        ms,
        f"same masks as `_prefilters`: {check(same, 'Polars one-query masks')}",
    )

    # ---- Hyperscan: the prefilters, one database, one joined buffer ----
    def compiled(exprs: list[str], flags: int, chimera: bool = False) -> Any:
        db = hs.Database(mode=hs.CH_MODE_GROUPS if chimera else hs.HS_MODE_BLOCK, chimera=chimera)
        db.compile(
            expressions=[e.encode() for e in exprs],
            ids=list(range(len(exprs))),
            elements=len(exprs),
            flags=flags,
        )
        return db

    def buffer() -> tuple[bytes, np.ndarray]:
        lengths = normed.str.len_bytes().to_numpy().astype(np.int64)
        return normed.str.join("\x00").cast(pl.Binary).item(), np.concatenate(
            ([0], np.cumsum(lengths[:-1] + 1))
        )

    ms, (buf, byte_starts) = best(buffer)
    row(
        "Hyperscan: folded cells joined by `\\x00` into bytes, cells' byte starts (Polars, NumPy)",
        ms,
        f"{len(buf):,} bytes",
    )
    utf8 = hs.HS_FLAG_UTF8  # ASCII \d on the folded text: with UCP two prefilters are "too large"
    ms, db_pre = best(lambda: compiled(pre_exprs, utf8))
    row(
        f"Hyperscan: compile the {len(pre_exprs)} prefilters into one database (UTF8)",
        ms,
        f"{db_pre.size() // 1024:,} KB",
    )
    blob = hs.dumpb(db_pre)
    ms, _ = best(lambda: hs.loadb(blob, hs.HS_MODE_BLOCK))
    row("Hyperscan: load that database serialized (`loadb`)", ms, f"{len(blob) // 1024:,} KB")
    ms, _ = best(lambda: db_pre.scan(buf, None))
    row("Hyperscan: prefilters, engine alone (no callback)", ms)

    def reports(db: Any) -> tuple[list[int], list[int]]:
        ids: list[int] = []
        ends: list[int] = []
        put_id, put_end = ids.append, ends.append

        def seen(i: int, start: int, end: int, flags: int, context: Any) -> None:
            put_id(i)
            put_end(end)

        db.scan(buf, seen)
        return ids, ends

    ms, n = best(lambda: len(reports(db_pre)[0]))
    row("Hyperscan: prefilters, with a Python callback collecting (id, end)", ms, f"{n:,} reports")

    def masks() -> np.ndarray:
        ids, ends = reports(db_pre)
        cells = np.searchsorted(byte_starts, np.asarray(ends, np.int64) - 1, side="right") - 1
        out = np.zeros((len(pre_exprs), len(normed)), dtype=bool)
        out[np.asarray(ids, np.intp), cells] = True
        return out

    ms, hs_masks = best(masks)
    differ = sum(int((hs_masks[i] != pre[k]).sum()) for i, k in enumerate(pre_ranks))
    row(
        "Hyperscan: prefilters → cell masks (callback + `searchsorted` onto the cells)",
        ms,
        f"cells differing from `_prefilters`: {differ} ({check(differ == 0, 'Hyperscan masks')})",
    )

    # ---- Hyperscan: the relaxed patterns ----
    relaxed = []
    for _, _, rx, _, _ in pats:
        parsed = re._parser.parse(rx.pattern, rx.flags)  # type: ignore[attr-defined]
        relaxed.append(batch._rust_of(list(parsed), bool(parsed.state.flags & re.IGNORECASE), {}))
    ms, db_rel = best(lambda: compiled(relaxed, utf8))
    row(
        f"Hyperscan: compile the {len(relaxed)} relaxed patterns (look-arounds dropped)",
        ms,
        f"{db_rel.size() // 1024:,} KB",
    )
    ms, _ = best(lambda: db_rel.scan(buf, None))
    row("Hyperscan: relaxed patterns, engine alone", ms)

    def triples(db: Any) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        put = out.append

        def seen(i: int, start: int, end: int, flags: int, context: Any) -> None:
            put((i, start, end))

        db.scan(buf, seen)
        return out

    ms, n = best(lambda: len(triples(db_rel)))
    row(
        "Hyperscan: relaxed patterns, with a callback collecting (id, from, to)",
        ms,
        f"{n:,} reports",
    )

    # ---- Chimera: the Python patterns as they are ----
    python = [rx.pattern for _, _, rx, _, _ in pats]
    ms, db_ch = best(lambda: compiled(python, hs.CH_FLAG_UTF8 | hs.CH_FLAG_UCP, chimera=True), 1)
    row(f"Chimera: compile the {len(python)} Python patterns (UTF8, UCP; one run)", ms)

    def chimera() -> list[tuple[int, Any]]:
        out: list[tuple[int, Any]] = []
        put = out.append

        def seen(i: int, start: int, end: int, flags: int, groups: Any, context: Any) -> None:
            put((i, groups))

        db_ch.scan(buf, seen)
        return out

    ms, hits = best(chimera)
    # byte offsets of the value group → (pattern, cell, char start, char end)
    char_of = np.cumsum((np.frombuffer(buf, np.uint8) & 0xC0) != 0x80, dtype=np.int64) - 1
    char_starts = np.concatenate(([0], np.cumsum(chars[:-1] + 1)))
    which = np.array([i for i, _ in hits], np.int64)
    value = np.array(
        [groups[pats[i][2].groupindex.get("v", 0)][1:] for i, groups in hits], np.int64
    ).reshape(-1, 2)
    cell = np.searchsorted(byte_starts, value[:, 0], side="right") - 1
    first, last = (
        char_of[value[:, 0]] - char_starts[cell],
        char_of[value[:, 1] - 1] + 1 - char_starts[cell],
    )
    keep = ~slow[cell]  # the `re` passes leave the cells needing NFKC to the per-cell path
    found_ch = np.unique(np.stack((which, cell, first, last), 1)[keep], axis=0)
    ok = found_ch.shape == want.shape and bool((found_ch == want).all())
    row(
        f"Chimera: the {len(python)} Python patterns, one scan with groups + callback",
        ms,
        f"{len(hits):,} matches, the `re` passes' matches: {check(ok, 'Chimera matches')}",
    )

    print(
        f"Hyperscan probe {_git_commit()}: partition {PARTITION} of {CSV.relative_to(HERE.parent)}, "
        f"column {COLUMN}: {len(notes):,} cells, {int(notes.str.len_bytes().sum()):,} bytes "
        f"({int(slow.sum())} needing NFKC); python-hyperscan {version('hyperscan')}, "
        f"{db_pre.info().decode().strip()}."
    )
    print(f"ms per partition: best of {REPEAT}, time.process_time, POLARS_MAX_THREADS=1.\n")
    width = max(len(s) for s, _, _ in rows)
    print(f"| {'step':{width}} | ms | notes |")
    print(f"|{'-' * (width + 2)}|---:|---|")
    for step, ms, note in rows:
        print(f"| {step:{width}} | {ms:.1f} | {note} |")
    if failed:
        print(f"\nchecks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
