"""Workers read their own partitions (``--engine dask``): CSV byte ranges cut at record ends,
Parquet row groups, other files whole — and the outputs stay byte for byte those of one
process (row numbers, column plans and the individuals count included)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client

from baomi.demo.identifiers import mobile_number, resident_id
from baomi.engine.inventory import PartialInventory
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.scan.distributed import (
    WORKER_POLARS_THREADS,
    Coordinator,
    WholeScan,
    cut_for_workers,
    scan_on_dask,
)
from baomi.engine.scan.model import ScanContext
from baomi.engine.scan.ranges import (
    RANGE_BYTES,
    UNIT_MARGIN,
    CsvRange,
    Guided,
    SplitFile,
    cut_file,
    partition_bytes,
    plan_file,
    range_rows,
    read_part,
    record_cuts,
)
from baomi.engine.scan.run import NdjsonFindings
from tests.engine import distributed_support

CREATED = re.compile(rb'"created": "[^"]*"')
OPTIONS = ScanOptions(batch_rows=64, prose=False)
RANGE = 2048  # bytes per range: the small files below are cut in several

seller = distributed_support.seller  # the fixtures
client = distributed_support.client


def _outputs(out: Path) -> tuple[bytes, bytes]:
    inventory = CREATED.sub(b'"created": ""', (out / "inventory.json").read_bytes())
    return inventory, (out / "findings.jsonl").read_bytes()


def _people(n: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    import datetime as dt

    rows = []
    for i in range(n):
        born = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        rows.append(
            (
                f"客户{i}",
                resident_id(rng, "110101", born, i % 2 == 0),
                mobile_number(rng),
                f"北京市朝阳区\n建国路{i}号" if i % 7 == 3 else f"备注 {i}",
            )
        )
    return rows


def _encoded(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; ``bom+gbk``: GBK after a UTF-8 byte-order mark."""
    if encoding == "bom+gbk":
        return b"\xef\xbb\xbf" + text.encode("gbk")
    return text.encode(encoding)


def _csv(path: Path, rows: list[tuple[str, str, str, str]], encoding: str) -> None:
    lines = ["姓名,身份证号,手机,地址"]
    for name, rid, mob, addr in rows:
        quoted = '"' + addr.replace('"', '""') + '"'
        lines.append(f"{name},{rid},{mob},{quoted}")
        if len(lines) % 53 == 0:  # a broken row (skipped, counted) and a blank line
            lines += [f"{name},{rid}", ""]
    path.write_bytes(_encoded("\r\n".join(lines) + "\r\n", encoding))


def _same(paths: list[Path], client: Client, tmp_path: Path) -> None:
    local = scan_paths(paths, out_dir=tmp_path / "local", options=OPTIONS)
    dask = scan_on_dask(
        paths, client, out_dir=tmp_path / "dask", options=OPTIONS, range_bytes=RANGE
    )
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert dask.findings == local.findings > 0


def _split(path: Path) -> int:
    ctx = ScanContext(Registry.default().without_models(), OPTIONS, 1)
    plan = plan_file(path, path.name, 0, ctx, RANGE)
    return 0 if plan is None else len(plan.tasks)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "bom+gbk"])
def test_a_csv_in_byte_ranges_is_scanned_as_in_one_process(
    encoding: str, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "客户.csv"
    path.parent.mkdir()
    _csv(path, _people(400), encoding)
    assert _split(path) >= 4
    _same([path.parent], client, tmp_path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "bom+gbk"])
def test_a_csv_with_a_title_row_in_byte_ranges_is_scanned_as_in_one_process(
    encoding: str, client: Client, tmp_path: Path
) -> None:
    # a title row (fewer fields than the header, holding a phone) above the header: every
    # range is read with the real header's names and the title is scanned after the rows
    path = tmp_path / "data" / "客户.csv"
    path.parent.mkdir()
    _csv(path, _people(400, seed=13), encoding)
    bom = b"\xef\xbb\xbf" if encoding in ("utf-8-sig", "bom+gbk") else b""
    title = _encoded(f"2024年客户名单（联系人 {mobile_number(random.Random(3))}）\r\n", encoding)
    title = title[len(bom) :]
    body = path.read_bytes()
    path.write_bytes(bom + title + body[len(bom) :])
    plan = cut_file(path, OPTIONS.batch_rows, RANGE)
    assert plan is not None and len(plan.tasks) >= 4
    first = plan.tasks[0]
    assert isinstance(first, CsvRange) and first.start == len(bom) + len(title)
    _same([path.parent], client, tmp_path)
    findings = (tmp_path / "dask" / "findings.jsonl").read_text(encoding="utf-8")
    assert '"column":"手机"' in findings and '"column":"column_3"' not in findings
    assert '"column":"标题：姓名"' in findings


def test_a_one_column_csv_with_a_title_row_in_byte_ranges_is_scanned_as_in_one_process(
    client: Client, tmp_path: Path
) -> None:
    # a one-column list of phones under a title: every range reads it under 手机号
    path = tmp_path / "data" / "手机.csv"
    path.parent.mkdir()
    rng = random.Random(17)
    title = "客户手机号清单\r\n".encode()
    body = "".join(f"{mobile_number(rng)}\r\n" for _ in range(800))
    path.write_bytes(title + ("手机号\r\n" + body).encode())
    plan = cut_file(path, OPTIONS.batch_rows, RANGE)
    assert plan is not None and len(plan.tasks) >= 4
    first = plan.tasks[0]
    assert isinstance(first, CsvRange) and first.start == len(title)
    _same([path.parent], client, tmp_path)
    findings = (tmp_path / "dask" / "findings.jsonl").read_text(encoding="utf-8")
    assert findings.count('"column":"手机号"') == 800
    assert '"column":"客户手机号清单"' not in findings


def _quoted(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch, copies: int
) -> tuple[Path, bytes]:
    """A CSV whose quoted values hold line breaks (CRLF and LF), cut ``chunk`` bytes at a time."""
    monkeypatch.setattr("baomi.engine.scan.ranges.CUT_CHUNK", chunk)
    path = tmp_path / "q.csv"
    body = b'a,b\n1,"x\ny\nz"\n2,"w""\r\n"\r\n' * copies
    path.write_bytes(body)
    return path, body


def _at_record_ends(body: bytes, cuts: list[int]) -> None:
    for cut in cuts[1:-1]:
        assert body[:cut].count(b'"') % 2 == 0 and body[cut - 1 : cut] in (b"\n", b"\r")
        assert body[cut - 1 : cut + 1] != b"\r\n"  # a CRLF is never cut in two


@pytest.mark.parametrize("chunk", [5, 1 << 20])  # also read in chunks smaller than a record
def test_cuts_fall_after_records_never_inside_a_quoted_value(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, body = _quoted(tmp_path, chunk, monkeypatch, 50)
    cuts = record_cuts(path, 4, 7, ord('"'))
    assert cuts is not None and len(cuts) > 10 and cuts[-1] == len(body)
    _at_record_ends(body, cuts)
    path.write_bytes(b'a,b\n1,5"10\n')  # a stray quote: not cut
    assert record_cuts(path, 4, 2, ord('"')) is None


def test_guided_ranges_of_whole_units() -> None:
    unit = 1000
    guided = Guided(4, unit)
    assert guided.size(10_000, unit) == 2 * unit  # a quarter of what is left, in whole units
    assert guided.size(900, unit) == unit  # never less than one
    assert guided.size(10**12, unit) == (RANGE_BYTES // unit) * unit  # nor over the cap
    assert Guided(4).size(10_000, 64) == 2_500  # no unit: any size


def test_a_partitions_bytes_are_estimated_from_the_line_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"h1,h2\n" + b"abcdefghi\n" * 1000)  # 10 bytes a row
    assert partition_bytes(path, 6, 100, 2, 1) == int(UNIT_MARGIN * 1000)
    assert partition_bytes(path, 6, 10**6, 4, 1) == int(UNIT_MARGIN * 10_000 / 4)  # 1/parts
    assert partition_bytes(path, 6, 100, 2, 5_000) == 5_000  # at least the smallest range
    # at most a range's largest size: a range is read whole
    monkeypatch.setattr("baomi.engine.scan.ranges.RANGE_BYTES", 500)
    assert partition_bytes(path, 6, 100, 2, 1) == 500


@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_guided_cuts_shrink_toward_the_end_after_records(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, body = _quoted(tmp_path, chunk, monkeypatch, 400)
    cuts = record_cuts(path, 0, 64, ord('"'), Guided(4))
    assert cuts is not None and cuts[0] == 0 and cuts[-1] == len(body)
    sizes = [b - a for a, b in itertools.pairwise(cuts)]
    assert sizes[0] >= len(body) // 4 > 8 * sizes[-2] and min(sizes[:-1]) >= 64
    assert sizes[-1] >= 32  # no sliver of a last range
    _at_record_ends(body, cuts)


def test_a_csv_in_guided_ranges_is_scanned_as_in_one_process(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the default cut (no range_bytes): ranges of whole partitions, shrinking toward the end,
    # scanned in order
    monkeypatch.setattr("baomi.engine.scan.distributed.MIN_RANGE_BYTES", 512)
    path = tmp_path / "data" / "客户.csv"
    path.parent.mkdir()
    _csv(path, _people(400), "utf-8")
    cut = cut_for_workers(path, OPTIONS.batch_rows, 2)
    assert cut is not None and len(cut.tasks) >= 4
    sizes = [t.end - t.start for t in cut.tasks if isinstance(t, CsvRange)]
    assert sizes[0] >= 2 * sizes[-2]
    # no range ends mid-partition: the ranges are scanned in the partitions of one process
    # (one more at most, where the estimate of a partition's bytes falls short)
    rows = [range_rows(t) for t in cut.tasks]
    step = OPTIONS.batch_rows
    assert sum(-(-n // step) for n in rows) <= -(-sum(rows) // step) + 1
    local = scan_paths([path.parent], out_dir=tmp_path / "local", options=OPTIONS)
    dask = scan_on_dask([path.parent], client, out_dir=tmp_path / "dask", options=OPTIONS)
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert dask.findings == local.findings > 0


def test_a_parquet_file_in_row_groups_and_the_demo_set(
    seller: Path, client: Client, tmp_path: Path
) -> None:
    rows = _people(300, seed=3)
    table = pa.table(
        {k: [r[i] for r in rows] for i, k in enumerate(["姓名", "身份证号", "手机", "地址"])}
    )
    path = tmp_path / "data" / "客户.parquet"
    path.parent.mkdir()
    pq.write_table(table, path, row_group_size=40)
    assert _split(path) >= 2
    _same([path.parent, seller], client, tmp_path)


def test_a_ranges_row_count_is_the_rows_its_scan_reads(tmp_path: Path) -> None:
    # Parquet ranges are counted from the metadata, CSV ranges by reading them: either way the
    # count is what the scan of the range reads, so the next range's row numbers are right
    rows = _people(300, seed=4)
    parquet = tmp_path / "客户.parquet"
    columns = ["姓名", "身份证号", "手机", "地址"]
    pq.write_table(
        pa.table({k: [r[i] for r in rows] for i, k in enumerate(columns)}),
        parquet,
        row_group_size=40,
    )
    csv = tmp_path / "客户.csv"
    _csv(csv, rows, "gb18030")

    def planned(path: Path) -> SplitFile:
        ctx = ScanContext(Registry.default().without_models(), OPTIONS, 1)
        plan = plan_file(path, path.name, 0, ctx, RANGE)
        assert plan is not None and len(plan.tasks) >= 2
        return plan

    for path in (parquet, csv):
        plan = planned(path)
        counts = [range_rows(task) for task in plan.tasks]
        assert counts == [read_part(task).rows for task in plan.tasks]
    assert sum(range_rows(task) for task in planned(parquet).tasks) == len(rows)


def _failing(*args: object) -> None:
    raise RuntimeError("worker failed")


@pytest.mark.parametrize("task", ["scan_file_on_worker", "scan_files_on_worker"])
def test_a_failing_worker_task_leaves_no_output(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, task: str
) -> None:
    # the demo's small files go to scan_files_on_worker; with none small, each file alone
    monkeypatch.setattr(f"baomi.engine.scan.distributed.{task}", _failing)
    if task == "scan_file_on_worker":
        monkeypatch.setattr("baomi.engine.scan.distributed.SMALL_FILE_BYTES", -1)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="worker failed"):
        scan_on_dask([seller], client, out_dir=out, options=OPTIONS)
    assert list(out.iterdir()) == []


def test_a_column_empty_in_the_first_partition_reads_the_file_whole(tmp_path: Path) -> None:
    # one process classifies that column on a later partition: a range could not know it
    path = tmp_path / "late.csv"
    rows = _people(400)
    lines = ["姓名,手机,备用"] + [
        f"{n},{m},{m if i > 200 else ''}" for i, (n, _, m, _) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _split(path) == 0


def test_a_file_cut_before_its_columns_are_planned_falls_back_to_one_worker(
    client: Client, tmp_path: Path
) -> None:
    # the ranges are read while a worker plans the columns; when the plan says "read whole"
    # (a column empty in the first partition) the ranges are dropped and one worker scans it
    data = tmp_path / "data"
    data.mkdir()
    rows = _people(400)
    lines = ["姓名,手机,备用"] + [
        f"{n},{m},{m if i > 200 else ''}" for i, (n, _, m, _) in enumerate(rows)
    ]
    late = data / "late.csv"
    late.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _csv(data / "客户.csv", _people(300, seed=5), "utf-8")  # cut, after the one read whole
    assert cut_file(late, OPTIONS.batch_rows, RANGE) is not None and _split(late) == 0
    _same([data], client, tmp_path)


def _result(key: str, gate: str | None, opens: str | None) -> WholeScan:
    from distributed import Event

    if gate is not None and not Event(gate).wait(timeout=60):  # type: ignore[no-untyped-call]
        key += " (never let through)"
    if opens is not None:
        Event(opens).set()  # type: ignore[no-untyped-call]
    record = {"path": key, "rows": 0}
    return WholeScan([(NdjsonFindings(f"{key}\n".encode(), 1), PartialInventory())], record)


def test_results_back_out_of_order_are_merged_in_order(client: Client, tmp_path: Path) -> None:
    # the first task finishes last (it waits for the last one to start): the others are merged
    # once it is back, in submission order, and never wait for it to be submitted
    with Coordinator(client, None, OPTIONS, tmp_path, ahead=2) as run:
        for i in range(4):
            gate, opens = ("last", None) if i == 0 else (None, "last" if i == 3 else None)
            run.submit(run.unit(f"f{i}"), _result, f"f{i}", gate, opens)
        run.drain(0)
        assert run.findings == 4
        assert [u.record["rows"] for u in run.units if u.record] == [0, 0, 0, 0]
    assert (tmp_path / ".findings.jsonl.partial").read_bytes() == b"f0\nf1\nf2\nf3\n"


def test_undecodable_bytes_in_a_later_range_and_a_file_without_header(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the encoding is detected on a short sample: bad bytes past it make the range that holds
    # them read again with U+FFFD, counted in undecodable_rows as in one process
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 4096)
    data = tmp_path / "data"
    data.mkdir()
    bad = data / "坏字节.csv"
    _csv(bad, _people(400, seed=11), "gbk")
    body = bad.read_bytes()
    at = body.index(b"\r\n", len(body) * 3 // 4) + 2
    bad.write_bytes(body[:at] + b"\xff" + body[at:])  # in the name of a row
    headless = data / "无表头.csv"
    _csv(headless, _people(300, seed=12), "utf-8")
    headless.write_bytes(headless.read_bytes().split(b"\r\n", 1)[1])  # the first row: a record
    assert _split(bad) >= 4 and _split(headless) >= 4
    _same([data], client, tmp_path)
    inventory = (tmp_path / "dask" / "inventory.json").read_text(encoding="utf-8")
    assert '"undecodable_rows": 1' in inventory and '"column_1"' in inventory


def test_workers_that_see_the_output_folder_leave_their_findings_there(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the in-process workers see the coordinator's folder: every partition's findings come
    # through the spool (none as bytes in a message), and nothing of it is left at the end
    from baomi.engine.scan import distributed

    appended: list[int] = []
    append = distributed.Coordinator._append_spooled

    def counting(run: Coordinator, found: distributed.SpooledFindings) -> None:
        appended.append(found.height)
        append(run, found)

    monkeypatch.setattr(distributed.Coordinator, "_append_spooled", counting)
    path = tmp_path / "data" / "客户.csv"
    path.parent.mkdir()
    _csv(path, _people(400), "utf-8")
    _same([path.parent], client, tmp_path)
    lines = (tmp_path / "dask" / "findings.jsonl").read_bytes().count(b"\n")
    assert len(appended) >= _split(path) and sum(appended) == lines
    assert sorted(p.name for p in (tmp_path / "dask").iterdir()) == [
        "findings.jsonl",
        "inventory.json",
    ]


def test_a_worker_that_does_not_see_the_spool_sends_its_findings(tmp_path: Path) -> None:
    from baomi.engine.scan.distributed import (
        PROBE,
        Spool,
        SpooledFindings,
        WorkerSetup,
        _new_spool,
        _serialised,
    )

    found = pl.DataFrame({"entity": ["CN_RESIDENT_ID", "CN_MOBILE"], "row": [1, 2]})
    registry = Registry.default().without_models()
    seen = _new_spool(tmp_path)
    elsewhere = Spool(str(tmp_path / "absent"), seen.token)  # another machine's folder
    forged = Spool(seen.path, "0" * len(seen.token))  # a folder of that name, not this scan's
    sent = [
        _serialised((found, PartialInventory()), WorkerSetup(f"s{i}", registry, OPTIONS, 1, sp))[0]
        for i, sp in enumerate((seen, elsewhere, forged, None))
    ]
    spooled, *messages = sent
    assert isinstance(spooled, SpooledFindings) and spooled.height == 2
    lines = Path(seen.path, spooled.name).read_bytes()
    assert lines.count(b"\n") == 2
    assert all(isinstance(m, NdjsonFindings) and m.text == lines for m in messages)
    assert sorted(p.name for p in Path(seen.path).iterdir()) == sorted([PROBE, spooled.name])


def test_a_range_ending_in_broken_rows_counts_their_row_numbers(tmp_path: Path) -> None:
    # one process numbers a broken row (skipped) like any record: a range whose last rows are
    # broken must count them, or every later range's row numbers are one short
    rng = random.Random(3)
    lines = ["姓名,手机,备注"]
    for i in range(60):
        lines.append(f"客户{i},{mobile_number(rng)},备注{i}")
        if i % 20 == 9:
            lines += [f"客户{i},坏行", ""]  # a broken row and a blank line
    path = tmp_path / "b.csv"
    body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    path.write_bytes(body)
    cut = cut_file(path, OPTIONS.batch_rows, 256)
    assert cut is not None
    template = cut.tasks[1]
    assert isinstance(template, CsvRange)
    broken = body.index("坏行\r\n".encode()) + len("坏行\r\n".encode())
    start = body.index(b"\r\n") + 2  # after the header row
    for end in (broken, broken + 2):  # right after the broken row, and after the blank line
        task = dataclasses.replace(template, start=start, end=end)
        records = [line for line in body[start:end].split(b"\r\n") if line]
        assert range_rows(task) == len(records) == 11
        assert read_part(task).skipped == 1


def test_small_files_in_a_row_are_scanned_a_batch_at_a_time(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of contracts was one task per file on Dask: each task paid a document's scan
    set-up. Small files in a row now go to one task, which finds their lines together as
    one process does; the outputs stay byte for byte those of one process — with an empty
    file, an unreadable one, a CSV and a DOCX among them, and a large CSV cut into ranges
    between them (which ends a batch)."""
    import docx

    from baomi.engine.scan import distributed

    rng = random.Random(12)
    root = tmp_path / "合同"
    root.mkdir()
    people = _people(60, seed=12)
    for k in range(12):
        lines = [
            f"第{j}条 乙方{name}，身份证{rid}，电话{mob}。"
            for j, (name, rid, mob, _) in enumerate(rng.sample(people, 5))
        ]
        (root / f"合同_{k:02d}.txt").write_text("\n".join(lines), encoding="utf-8")
    (root / "合同_03b.txt").write_text("", encoding="utf-8")  # empty: skipped
    (root / "合同_04b.docx").write_bytes(b"PK\x03\x04 not a zip")  # unreadable: skipped
    _csv(root / "合同_05b.csv", people[:20], "utf-8")
    _csv(root / "合同_07b_大表.csv", _people(400, seed=13), "utf-8")  # cut into ranges
    document = docx.Document()
    for name, rid, mob, _ in people[:8]:
        document.add_paragraph(f"联系人{name}，证件{rid}，手机{mob}")
    document.core_properties.author = "张伟"
    document.save(str(root / "合同_09b.docx"))

    tasks: list[int] = []
    submit = distributed.Coordinator.submit_files

    def counted(self: Any, units: list[Any], jobs: list[Any]) -> None:
        if jobs:
            tasks.append(len(jobs))
        submit(self, units, jobs)

    monkeypatch.setattr(distributed.Coordinator, "submit_files", counted)
    monkeypatch.setattr(distributed, "TEXT_BATCH_BYTES", 1800)  # a few files per task
    _same([root], client, tmp_path)
    # 17 files: the large CSV in ranges, the 16 others a few to a task, in file order
    assert sum(tasks) == 16 and len(tasks) < 16 and max(tasks) > 1
    inventory = json.loads((tmp_path / "dask" / "inventory.json").read_text(encoding="utf-8"))
    assert [s["path"] for s in inventory["skipped"]] == ["合同_03b.txt", "合同_04b.docx"]


def test_what_could_not_be_read_is_in_the_scans_language_on_dask(tmp_path: Path) -> None:
    """A worker words a file's errors and a skipped file's reason in its own language (its
    environment's, Chinese by default): an English scan on Dask wrote a worksheet's error and
    an empty file's reason in Chinese, other bytes than in one process. The workers keep both
    words; the coordinator writes its own. Worker processes: a thread of this process would
    share its language."""
    from baomi.engine.scan.distributed import dask_client
    from baomi.i18n import set_language
    from tests.engine.test_scan_words import broken_folder

    root = broken_folder(tmp_path / "in")
    opts = ScanOptions(batch_rows=50, prose=False)
    set_language("en")
    try:
        scan_paths([root], out_dir=tmp_path / "local", options=opts)
        with dask_client(workers=1, processes=True) as procs:
            dask = scan_on_dask([root], procs, out_dir=tmp_path / "dask", options=opts)
            # a worker's Polars pool has its one thread (not one per core of the machine)
            assert set(procs.run(pl.thread_pool_size).values()) == {WORKER_POLARS_THREADS}
    finally:
        set_language(None)
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    book = next(f for f in dask.inventory.files if f.path == "two.xlsx")
    assert book.errors and book.errors[0].startswith("worksheet 'B' is corrupt")
    assert {s.reason for s in dask.inventory.skipped} >= {"empty file"}


def test_a_dask_scan_leaves_its_own_output_folder_out(
    seller: Path, client: Client, tmp_path: Path
) -> None:
    root = tmp_path / "in"  # a copy: the module's other tests read the fixture
    shutil.copytree(seller, root)
    scan_on_dask([root], client, out_dir=root / "out", options=OPTIONS)
    again = scan_on_dask([root], client, out_dir=root / "out", options=OPTIONS)
    assert not [f.path for f in again.inventory.files if f.path.startswith("out/")]
    assert again.findings > 0
