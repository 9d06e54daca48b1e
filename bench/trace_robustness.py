"""Trace robustness (issue 16): attribution of random 20-row fragments after what a recipient
does to the data.

    python bench/trace_robustness.py --trials 1000 --results bench/RESULTS.md

Generated data only: the ``baomi demo`` seller data (a GBK customer list, a CRM workbook of
several sheets, nested order records, a health survey) and the scan bench's differently shaped
customer table (``gen_customers.py``). Six packages are made with the default policy; the trace
records of five are on file, the sixth is the "package not in the records". For every
transformation, ``--trials`` fragments of ``--rows`` random rows are drawn from a random table
of a random package (tables of fewer rows are left out), transformed, written to a file and
traced as ``baomi trace`` does (``leaked_cells`` + ``trace_cells``). A fragment is
*attributed* when exactly its package is named, a *false attribution* when any package named
is not a source, else *unknown*. Merged fragments (collusion) count "both named", "one source
named" and "unknown".
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx
import openpyxl

from baomi.demo import generate_demo
from baomi.engine.contracts.manifest import Manifest
from baomi.engine.contracts.trace_record import TraceRecord
from baomi.engine.protect import renderings
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.trace import TraceResult, leaked_cells, load_records, trace_cells
from baomi.engine.protect.writers import load

sys.path.insert(0, str(Path(__file__).parent))
import gen_customers
from results_section import write_section

RECIPIENTS = ("买方A", "买方B", "律所C", "会计所D", "投资人E")
OUTSIDER = "未登记F"
#: Entities of direct identifiers: the columns a two-column fragment is drawn from.
IDENTIFIERS = frozenset(
    {
        "PERSON_NAME",
        "CN_MOBILE",
        "CN_RESIDENT_ID",
        "EMAIL",
        "BANK_CARD",
        "ADDRESS",
        "CN_LANDLINE",
        "CN_PASSPORT",
        "CN_HMT_PERMIT",
        "CN_USCC",
        "CN_LICENSE_PLATE",
    }
)

Frame = tuple[list[str], list[list[str]]]  # header, rows of strings


@dataclass
class Table:
    name: str
    identifiers: list[str]
    #: free-text columns (the manifest's mode "text")
    texts: list[str] = field(default_factory=list)
    #: recipient → (header, rows)
    frames: dict[str, Frame] = field(default_factory=dict)


# --- the packages ---------------------------------------------------------------------------


def build(work: Path, rows: int, seed: int) -> tuple[list[Table], Path]:
    seller = work / "seller"
    generate_demo(seller / "demo", rows=rows, seed=seed)
    gen_customers.generate(work / "crm", rows=rows, seed=seed + 1)
    (seller / "crm").mkdir()
    (work / "crm" / gen_customers.FILE_NAME).rename(seller / "crm" / gen_customers.FILE_NAME)
    keys = KeyProvider(b"bench-trace-robustness-key-0123456789")
    policy = load_policy_text(DEFAULT_POLICY)
    records = work / "records"
    manifests: dict[str, Manifest] = {}
    for recipient in (*RECIPIENTS, OUTSIDER):
        folder = records if recipient != OUTSIDER else work / "records-not-on-file"
        result = protect_paths(
            [seller],
            policy,
            work / "pkg" / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=folder),
        )
        manifests[recipient] = result.manifest
    tables: dict[str, Table] = {}
    for recipient, manifest in manifests.items():
        for entry in manifest.files:
            if entry.kind != "table" or entry.tables is None:
                continue
            doc = load(work / "pkg" / recipient / entry.path)
            for info, table in zip(entry.tables, doc.tables, strict=True):
                name = entry.path + (f"[{info.sheet}]" if info.sheet else "")
                idents = [c.name for c in info.columns if c.entity in IDENTIFIERS and c.operator]
                frame = table.frame
                if frame.height < 40 or len(idents) < 1:
                    continue
                texts = [c.name for c in info.columns if c.mode == "text"]
                t = tables.setdefault(name, Table(name, idents, texts))
                header = list(frame.columns)
                t.frames[recipient] = (
                    header,
                    [["" if v is None else str(v) for v in row] for row in frame.rows()],
                )
    return list(tables.values()), records


# --- transformations ------------------------------------------------------------------------


def _pick(frame: Frame, n: int, rng: random.Random) -> Frame:
    header, rows = frame
    return header, rng.sample(rows, n)


def _columns(frame: Frame, names: list[str]) -> Frame:
    header, rows = frame
    idx = [header.index(n) for n in names]
    return names, [[r[i] for i in idx] for r in rows]


def _two_identifiers(frame: Frame, table: Table, rng: random.Random) -> Frame:
    pair = rng.sample(table.identifiers, 2) if len(table.identifiers) > 1 else table.identifiers
    return _columns(frame, pair)


def _clean(value: str) -> str:
    """What a cleaning script does: invisible and format characters out, NFKC, trimmed."""
    value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", value).strip()


def _cleaned(frame: Frame) -> Frame:
    header, rows = frame
    return header, [[_clean(v) for v in r] for r in rows]


def _sorted_dedup(frame: Frame, rng: random.Random) -> Frame:
    header, rows = frame
    key = rng.randrange(len(header))
    unique = sorted({tuple(r) for r in rows}, key=lambda r: (r[key], r))
    return header, [list(r) for r in unique]


def _shuffled(frame: Frame, rng: random.Random) -> Frame:
    header, rows = frame
    rows = list(rows)
    rng.shuffle(rows)
    return header, rows


def _write_csv(frame: Frame, path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    header, rows = frame
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def _via_xlsx(frame: Frame, work: Path) -> Frame:
    """CSV → XLSX → CSV, as a spreadsheet re-save does."""
    header, rows = frame
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = work / "f.xlsx"
    wb.save(path)
    ws2 = openpyxl.load_workbook(path).active
    assert ws2 is not None
    values = [["" if v is None else str(v) for v in row] for row in ws2.iter_rows(values_only=True)]
    return values[0], values[1:]


def _pasted_docx(frame: Frame, path: Path, rng: random.Random) -> Path:
    d = docx.Document()
    d.add_paragraph("各位好，以下是客户资料，请查收：")
    sep = rng.choice(("\t", "  ", " | "))
    for r in [frame[0], *frame[1]]:
        d.add_paragraph(sep.join(r))
    d.add_paragraph("此致")
    d.save(str(path))
    return path


def _pasted_email(frame: Frame, path: Path, rng: random.Random) -> Path:
    sep = rng.choice(("\t", " ", "，", " / "))
    lines = ["王总：", "", "您要的名单如下。", ""]
    lines += [sep.join(r) for r in [frame[0], *frame[1]]]
    lines += ["", "祝好"]
    path.write_text("\r\n".join(lines), encoding=rng.choice(("utf-8", "gb18030")))
    return path


@dataclass
class Case:
    name: str
    what: str
    #: (table, frame of the source, rng, work dir) → file to trace
    make: Callable[[Table, Frame, random.Random, Path], Path]


def _case_as_is(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _write_csv(_shuffled(f, rng), w / "f.csv")


def _case_cleaned(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _write_csv(_cleaned(f), w / "f.csv")


def _case_xlsx(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _write_csv(_via_xlsx(f, w), w / "f.csv")


def _case_encoding(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    enc = rng.choice(("gb18030", "utf-8-sig", "utf-16"))
    delim = rng.choice((";", "\t", "|"))
    if enc == "utf-16":  # the CSV reader reads UTF-8 and the GB family; UTF-16 is re-saved
        enc = "gb18030"
    return _write_csv(f, w / "f.csv", enc, delim)


def _case_two_columns(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _write_csv(_shuffled(_two_identifiers(f, t, rng), rng), w / "f.csv")


def _case_sorted_dedup(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _write_csv(_sorted_dedup(_two_identifiers(f, t, rng), rng), w / "f.csv")


def _case_docx(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _pasted_docx(_shuffled(f, rng), w / "f.docx", rng)


def _case_email(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    return _pasted_email(_shuffled(f, rng), w / "f.txt", rng)


def _case_combined(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    """Everything at once: cleaned, two identifier columns, sorted and de-duplicated, through
    a spreadsheet, then pasted into a .docx or an e-mail."""
    frame = _via_xlsx(_sorted_dedup(_two_identifiers(_cleaned(f), t, rng), rng), w)
    if rng.random() < 0.5:
        return _pasted_docx(frame, w / "f.docx", rng)
    return _pasted_email(frame, w / "f.txt", rng)


def _case_noise(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    """An adversary's noise: a third of the masked values re-rendered at random (each with a
    fresh random key), the rest left as shipped."""
    header, rows = f

    def noisy(v: str) -> str:
        if "*" in v and rng.random() < 1 / 3:
            return renderings.render(renderings.conventional(v), rng.randbytes(32))
        return v

    return _write_csv((header, [[noisy(v) for v in r] for r in rows]), w / "f.csv")


def _case_remasked(t: Table, f: Frame, rng: random.Random, w: Path) -> Path:
    """The informed adversary: every cell back in the convention's layout, free text dropped."""
    header, rows = f
    keep = [i for i, h in enumerate(header) if h not in t.texts]
    frame = (
        [header[i] for i in keep],
        [[renderings.conventional(renderings.normalize(r[i]).strip()) for i in keep] for r in rows],
    )
    return _write_csv(frame, w / "f.csv")


CASES = (
    Case("as_is", "20 rows as shipped, shuffled, CSV", _case_as_is),
    Case("cleaned", "format/invisible characters removed, NFKC, trimmed", _case_cleaned),
    Case("xlsx", "CSV → XLSX → CSV", _case_xlsx),
    Case("encoding", "GB 18030 / UTF-8-BOM, delimiter ; or tab or |", _case_encoding),
    Case("two_columns", "any two identifier columns, shuffled", _case_two_columns),
    Case("sorted_dedup", "two identifier columns, sorted, de-duplicated", _case_sorted_dedup),
    Case("docx", "pasted into a .docx (tab, spaces or | between cells)", _case_docx),
    Case("email", "pasted into an e-mail body (.txt, UTF-8 or GB 18030)", _case_email),
    Case("combined", "all of the above at once", _case_combined),
    Case("noise", "a third of the masked values re-rendered at random", _case_noise),
    Case(
        "remasked",
        "every value re-masked to the convention's layout, notes dropped",
        _case_remasked,
    ),
)


# --- running --------------------------------------------------------------------------------


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    true_bits: list[float] = field(default_factory=list)
    seconds: float = 0.0


def _outcome(result: TraceResult, sources: set[str]) -> str:
    named = set(result.recipients)
    if named - sources:
        return "false"
    if not named:
        return "unknown"
    if named == sources:
        return "attributed"
    return "partial, other source flagged" if result.other_sources else "partial"


#: (rng, work dir) → (file to trace, the recipients it came from)
Draw = Callable[[random.Random, Path], tuple[Path, set[str]]]


def run(
    draw: Draw, records: list[TraceRecord], trials: int, rng: random.Random, work: Path
) -> Tally:
    """``trials`` fragments drawn and traced; each outcome counted."""
    tally = Tally()
    start = time.perf_counter()
    for _ in range(trials):
        path, sources = draw(rng, work)
        result = trace_cells(leaked_cells(path), records)
        tally.counts[_outcome(result, sources)] += 1
        tally.true_bits.extend(c.bits for c in result.candidates if c.recipient in sources)
    tally.seconds = time.perf_counter() - start
    return tally


def one_source(case: Case, tables: list[Table], rows: int) -> Draw:
    def draw(rng: random.Random, work: Path) -> tuple[Path, set[str]]:
        table = rng.choice(tables)
        recipient = rng.choice(RECIPIENTS)
        frame = _pick(table.frames[recipient], rows, rng)
        return case.make(table, frame, rng, work), {recipient}

    return draw


def collusion(tables: list[Table], rows: int) -> Draw:
    """Two recipients' fragments of one table merged, cleaned and shuffled."""

    def draw(rng: random.Random, work: Path) -> tuple[Path, set[str]]:
        table = rng.choice(tables)
        a, b = rng.sample(RECIPIENTS, 2)
        fa, fb = _pick(table.frames[a], rows, rng), _pick(table.frames[b], rows, rng)
        merged = _shuffled(_cleaned((fa[0], fa[1] + fb[1])), rng)
        return _write_csv(merged, work / "f.csv"), {a, b}

    return draw


def outsider(tables: list[Table], rows: int) -> Draw:
    """Fragments of a package whose trace record is not on file: any name is false."""

    def draw(rng: random.Random, work: Path) -> tuple[Path, set[str]]:
        table = rng.choice(tables)
        frame = _pick(table.frames[OUTSIDER], rows, rng)
        return _write_csv(frame, work / "f.csv"), set()

    return draw


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f} %" if total else "-"


def report(
    results: list[tuple[str, str, Tally]], trials: int, rows: int, tables: list[Table]
) -> str:
    lines = [
        f"{trials} random {rows}-row fragments per transformation, 5 packages on file "
        f"(default policy), {len(tables)} tables: "
        + ", ".join(f"`{t.name}`" for t in tables)
        + ".",
        "",
        "| transformation | what | attributed | unknown | false attributions | "
        "true package's evidence, median (bits) | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, what, t in results:
        total = sum(t.counts.values())
        bits = sorted(t.true_bits)
        median = f"{bits[len(bits) // 2]:.0f}" if bits else "-"
        if name == "collusion":
            attributed = (
                f"both {_pct(t.counts['attributed'], total)}; one source and "
                f"'another source' {_pct(t.counts['partial, other source flagged'], total)}; "
                f"one source only {_pct(t.counts['partial'], total)}"
            )
        else:
            attributed = _pct(t.counts["attributed"], total)
        lines.append(
            f"| {name} | {what.replace('|', chr(92) + '|')} | {attributed} | {_pct(t.counts['unknown'], total)} | "
            f"{t.counts['false']} | {median} | {t.seconds:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=20, help="rows per fragment")
    ap.add_argument("--data-rows", type=int, default=2000, help="rows of the generated tables")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--cases", default="", help="comma-separated subset of the cases")
    ap.add_argument("--results", type=Path, help="write the table into this RESULTS.md")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        tables, folder = build(work, args.data_rows, args.seed)
        records = load_records(folder)
        print(f"6 packages, {len(tables)} tables, {time.perf_counter() - t0:.0f} s", flush=True)
        frag = work / "fragments"
        frag.mkdir()
        wanted = set(args.cases.split(",")) if args.cases else None
        results: list[tuple[str, str, Tally]] = []
        draws: list[tuple[str, str, Draw]] = [
            (c.name, c.what, one_source(c, tables, args.rows)) for c in CASES
        ]
        draws.append(
            (
                "collusion",
                f"two recipients' {args.rows}-row fragments merged, cleaned, shuffled",
                collusion(tables, args.rows),
            )
        )
        what = "a package whose trace record is not on file"
        draws.append(("outsider", what, outsider(tables, args.rows)))
        for name, what, draw in draws:
            if wanted and name not in wanted:
                continue
            tally = run(draw, records, args.trials, rng, frag)
            results.append((name, what, tally))
            print(name, dict(tally.counts), f"{tally.seconds:.0f} s", flush=True)
    body = report(results, args.trials, args.rows, tables)
    print(body)
    if args.results:
        command = (
            f"`python bench/trace_robustness.py --trials {args.trials} --rows {args.rows} "
            f"--data-rows {args.data_rows} --seed {args.seed}` (or `make -C bench trace`)"
        )
        write_section(
            args.results, "Trace robustness (issue 16)", f"Command: {command}\n\n{body}\n"
        )


if __name__ == "__main__":
    main()
