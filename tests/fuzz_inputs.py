"""Damaged inputs through the scan and protect: mutation fuzzing of small files of every
format the readers take, made by the demo generator and the tests' own fixtures.

Each case is one seed file mutated — bytes flipped, cut, inserted, repeated (a zip's one XML
part mutated inside the zip for ``.xlsx``/``.docx``) — and scanned (or protected) alone. A
clean outcome is a result, or a :class:`~baomi.errors.BaomiError` (a file refused or read in
part says why; protect with nothing to protect says so); anything else that escapes — a
traceback, a panic of a library, a hang past ``TIMEOUT`` seconds — is a crash: its input is
kept with its traceback under ``--out``. Session 32 found most of the crashes and hangs its
CHANGELOG entries under "Fixed" list so. Run it (``make fuzz`` runs both)::

    python -m tests.fuzz_inputs --cases 3000 --seed 7             # the scan
    python -m tests.fuzz_inputs --cases 1500 --seed 7 --protect   # protect, verified

``tests/test_fuzz_inputs.py`` runs a few dozen cases of each as a slow test.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import shutil
import signal
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

#: Seconds a case may take before it is a hang.
TIMEOUT = 30
#: Rows of the demo's customer list the seeds are made from, and lines kept of a text seed.
ROWS = 40
LINES = 25
#: What mutations insert: separators, quotes, byte-order marks, stray and overlong UTF-8,
#: full-width digits, markup, long runs.
INSERTS = [
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'"', b",", b"\r", b"\n", b"\r\n", b"\t",
    b"\xe4\xb8", b"\x80", "１３８１２３４５６７８".encode(), b"\\", b"{", b"}", b"[", b"]",
    b"<", b">", b"&", b"&#0;", b"&#xD800;", b"\x1c", "\u2028".encode(), b"9" * 40, b"A" * 300,
    b"=", b"'", b"\xc0\x80", b"\xf4\x90\x80\x80", b"NaN", b"-1", b"1e999",
]  # fmt: skip


@dataclass(frozen=True)
class Crash:
    suffix: str
    kind: str  # the exception's type
    saved: Path  # the input, its traceback beside it (.txt)


def seeds(workdir: Path) -> list[tuple[str, bytes]]:
    """Small files of every format: the demo's (CSV in GBK and UTF-8 with a BOM, XLSX, JSON
    Lines, TXT in UTF-8 and GB 18030, DOCX), JSON documents, Parquet, and the tests' legacy
    ``.doc``/``.xls`` fixtures and a PDF."""
    import polars as pl

    from baomi.demo.generator import generate_demo
    from tests.engine.readers.pdf_support import write_pdf

    root = workdir / "demo"
    generate_demo(root, rows=ROWS)
    out: list[tuple[str, bytes]] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix in (".csv", ".jsonl", ".txt"):
            data = b"\n".join(data.split(b"\n")[:LINES])
        out.append((path.suffix, data))
    orders = (root / "orders.jsonl").read_text("utf-8").splitlines()[:10]
    records = [json.loads(line) for line in orders]
    out.append((".json", json.dumps({"orders": records}, ensure_ascii=False).encode()))
    out.append((".json", json.dumps(records, ensure_ascii=False).encode()))
    table = pl.DataFrame({"姓名": ["张三", "李四"], "手机": ["13812345678", "13987654321"]})
    buffer = io.BytesIO()
    table.write_parquet(buffer)
    out.append((".parquet", buffer.getvalue()))
    fixtures = Path(__file__).parent / "engine" / "readers" / "fixtures"
    for name in ("contract.doc", "notes_links.xls"):
        out.append((Path(name).suffix, (fixtures / name).read_bytes()))
    pages = ["客户张三 手机13812345678\n地址：北京市朝阳区建国路1号", None, "身份证"]
    out.append((".pdf", write_pdf(workdir / "seed.pdf", pages).read_bytes()))
    return out


def mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with one to ten mutations."""
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 5, 10])):
        if not b:
            b += rng.choice(INSERTS)
            continue
        i, op = rng.randrange(len(b)), rng.randrange(7)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i:i] = rng.choice(INSERTS)
        elif op == 2:
            del b[i : i + rng.randrange(1, 64)]
        elif op == 3:
            del b[i:]
        elif op == 4:
            j = rng.randrange(len(b))
            b[i:i] = b[j : j + rng.randrange(1, 200)]
        elif op == 5:
            b[i] = rng.randrange(256)
        else:
            b[i:i] = rng.choice(INSERTS) * rng.randrange(1, 2000)
    return bytes(b)


def mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """One XML part of the zip mutated (now and then another part left out)."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return mutate(rng, data)
    names = zin.namelist()
    xml = [n for n in names if n.endswith((".xml", ".rels"))] or names
    target = rng.choice(xml)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            part = zin.read(name)
            if name == target:
                part = mutate(rng, part)
            elif rng.random() < 0.03:
                continue
            z.writestr(name, part)
    return out.getvalue()


def _hang(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"over {TIMEOUT} s")


def cases(seed: int, count: int, workdir: Path) -> Iterator[tuple[int, str, bytes]]:
    rng = random.Random(seed)
    pool = seeds(workdir)
    for k in range(count):
        suffix, data = rng.choice(pool)
        zipped = suffix in (".xlsx", ".docx")
        yield k, suffix, mutate_zip(rng, data) if zipped else mutate(rng, data)


def run(
    seed: int, count: int, out: Path, *, protect: bool = False, prose: bool = False
) -> list[Crash]:
    """``count`` cases from ``seed``; the crashes, their inputs saved under ``out``."""
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.package import ProtectOptions, protect_paths
    from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
    from baomi.engine.scan import ScanOptions, scan_paths
    from baomi.errors import BaomiError

    policy = load_policy_text(DEFAULT_POLICY)
    keys = KeyProvider(b"fuzz-inputs-key-0123456789abcdef")
    crashes: list[Crash] = []
    previous = signal.signal(signal.SIGALRM, _hang)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for k, suffix, data in cases(seed, count, Path(tmp)):
                folder, target = Path(tmp, f"in{k}"), Path(tmp, f"out{k}")
                folder.mkdir()
                (folder / f"f{suffix}").write_bytes(data)
                signal.alarm(TIMEOUT)
                try:
                    if protect:
                        options = ProtectOptions(recipient="甲", verify=True)
                        protect_paths([folder], policy, target, keys=keys, options=options)
                    else:
                        scan_paths([folder], out_dir=target, options=ScanOptions(prose=prose))
                except BaomiError:
                    pass  # refused, or read in part, with its reason
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # what escapes: a crash (a library's panic, a
                    crashes.append(_keep(out, suffix, data, exc))  # hang: TimeoutError)
                finally:
                    signal.alarm(0)
                shutil.rmtree(folder)
                shutil.rmtree(target, ignore_errors=True)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return crashes


def _keep(out: Path, suffix: str, data: bytes, exc: BaseException) -> Crash:
    out.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()[:12]
    saved = out / f"{name}{suffix}"
    saved.write_bytes(data)
    (out / f"{name}.txt").write_text("".join(traceback.format_exception(exc)), "utf-8")
    return Crash(suffix, type(exc).__name__, saved)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--protect", action="store_true", help="protect (verified), not scan")
    ap.add_argument("--prose", action="store_true", help="scan with the prose model")
    ap.add_argument("--out", type=Path, default=Path("fuzz-crashes"))
    args = ap.parse_args(argv)
    import baomi.cli.main  # noqa: F401 - the environment `baomi` sets before Polars

    found = run(args.seed, args.cases, args.out, protect=args.protect, prose=args.prose)
    for crash in found:
        print(f"{crash.kind:24s} {crash.suffix:9s} {crash.saved}")
    print(f"{args.cases} cases, {len(found)} crashes")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
