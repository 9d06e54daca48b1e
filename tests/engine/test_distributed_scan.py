"""The scan on Dask (``--engine dask``): a LocalCluster's workers scan the partitions, and
``inventory.json`` and ``findings.jsonl`` are byte for byte those of a one-process scan."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from distributed import Client, Future
from typer.testing import CliRunner

from baomi.cli.main import app
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.scan.distributed import (
    DaskEngine,
    SchedulerUnreachableError,
    WorkerSetup,
    _context,
    scan_paths_dask,
)
from baomi.engine.scan.model import Partition
from baomi.engine.scan.run import Scanned
from tests.engine import distributed_support

CREATED = re.compile(rb'"created": "[^"]*"')

seller = distributed_support.seller  # the fixtures
client = distributed_support.client


def _outputs(out: Path) -> tuple[bytes, bytes]:
    """The two scan outputs as bytes; the inventory's creation time is the one difference."""
    inventory = CREATED.sub(b'"created": ""', (out / "inventory.json").read_bytes())
    return inventory, (out / "findings.jsonl").read_bytes()


class CountingEngine(DaskEngine):
    """A Dask engine that counts the partitions it sends, per file."""

    def __init__(self, client: Client) -> None:
        super().__init__(client)
        self.sent: Counter[str] = Counter()

    def submit(self, part: Partition) -> Future[Scanned]:
        self.sent[part.file] += 1
        return super().submit(part)


def test_dask_outputs_are_byte_identical_to_one_process(
    seller: Path, client: Client, tmp_path: Path
) -> None:
    opts = ScanOptions(batch_rows=32, prose=False)
    local = scan_paths([seller], out_dir=tmp_path / "local", options=opts)
    engine = CountingEngine(client)
    dask = scan_paths([seller], out_dir=tmp_path / "dask", options=opts, engine=engine)
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert dask.findings == local.findings > 0
    summary = dask.inventory.summary
    assert summary.estimated_individuals == local.inventory.summary.estimated_individuals > 0
    # the multi-file set: the customer CSV in several partitions, the workbook and contracts
    assert engine.sent["客户名单.csv"] >= 4
    assert engine.sent["CRM导出.xlsx"] >= 1
    assert any(f.endswith(".docx") for f in engine.sent)


def test_links_that_restate_their_cells_count_alike_on_dask(client: Client, tmp_path: Path) -> None:
    # a link's text is compared with the cell it is on (docs/readers.md): the same counts and
    # findings on the workers, the partitions cut small
    import random

    from tests.engine.test_scan_xlsx_parts import others_in_links

    root = tmp_path / "data"
    root.mkdir()
    others_in_links(root / "客户.xlsx", random.Random(44))
    opts = ScanOptions(batch_rows=2, prose=False)
    local = scan_paths([root], out_dir=tmp_path / "local", options=opts)
    scan_paths([root], out_dir=tmp_path / "dask", options=opts, engine=DaskEngine(client))
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert local.inventory.summary.entities == {"CN_MOBILE": 7, "EMAIL": 7}


def test_a_worker_thread_keeps_one_context_per_scan() -> None:
    # built once per scan (not per partition); a new scan (new seed) replaces it
    registry = Registry.default().without_models()
    one = WorkerSetup("a", registry, ScanOptions(prose=False), 1)
    two = WorkerSetup("b", registry, ScanOptions(prose=False), 2)
    first = _context(one)
    assert _context(one) is first and first.seed == 1
    assert _context(two).seed == 2
    assert _context(one) is not first  # only the current scan's context is kept


def test_an_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baomi.engine.scan.distributed.CONNECT_TIMEOUT", 0.5)
    with pytest.raises(SchedulerUnreachableError):
        scan_paths_dask([tmp_path], scheduler="tcp://127.0.0.1:9", out_dir=tmp_path / "o")
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(tmp_path),
            "-o",
            str(tmp_path / "o"),
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert result.exit_code == 2
    assert "tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "o" / "inventory.json").exists()


def test_a_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "--engine dask" in result.output


@pytest.mark.slow
def test_the_cli_on_a_local_cluster_of_processes_matches_one_process(
    seller: Path, tmp_path: Path
) -> None:
    # the default: --engine dask without --scheduler starts a LocalCluster of worker
    # processes; with the prose model (names in the contracts)
    runner = CliRunner()
    local = runner.invoke(app, ["scan", str(seller), "-o", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    dask = runner.invoke(
        app,
        ["scan", str(seller), "-o", str(tmp_path / "dask"), "--engine", "dask", "-w", "2"],
    )
    assert dask.exit_code == 0, dask.output
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")


def _failing_scan(part: Partition, setup: WorkerSetup) -> Scanned:
    raise RuntimeError(f"worker failed on {part.file}")


def test_a_failing_worker_task_leaves_no_output(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baomi.engine.scan.distributed.scan_on_worker", _failing_scan)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="worker failed"):
        scan_paths(
            [seller], out_dir=out, options=ScanOptions(prose=False), engine=DaskEngine(client)
        )
    assert list(out.iterdir()) == []


def test_a_local_cluster_client_fetches_results_from_the_workers_directly() -> None:
    # the scheduler of a LocalCluster runs in the coordinator's process: results gathered
    # through it would cross that process three times (worker -> scheduler -> client)
    from baomi.engine.scan.distributed import dask_client

    with dask_client(workers=1, processes=False) as local:
        assert local.direct_to_workers is True


@pytest.mark.parametrize("kernel", [True, False])
def test_spooled_findings_are_appended_after_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    # the kernel's copy writes past the sink's buffer: what was buffered must come first, and
    # what is written after must follow the copied bytes (also when the kernel cannot copy)
    from baomi.engine.scan import distributed

    if not kernel:
        monkeypatch.setattr(distributed, "_KERNEL_COPIES", ())
    part = tmp_path / "part.jsonl"
    body = b"".join(b'{"row":%d}\n' % i for i in range(50_000))
    part.write_bytes(body)
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with open(tmp_path / "out.jsonl", "wb") as sink:
        sink.write(b"first\n")
        for name in ("part.jsonl", "empty.jsonl", "part.jsonl"):
            with open(tmp_path / name, "rb") as lines:
                distributed.append_file(lines, sink)
            sink.write(b"between\n")
    expected = b"first\n" + body + b"between\n" + b"between\n" + body + b"between\n"
    assert (tmp_path / "out.jsonl").read_bytes() == expected


def test_the_renamed_findings_file_is_reopened_so_that_the_kernel_can_copy_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file opened in append mode (O_APPEND) makes copy_file_range fail (EBADF) and sendfile
    # too (EINVAL): every spooled partition would then be copied through Python buffers
    from baomi.engine.scan import distributed

    if not distributed._KERNEL_COPIES:
        pytest.skip("no kernel copy on this OS")

    def through_python(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("copied through Python buffers")

    monkeypatch.setattr(distributed.shutil, "copyfileobj", through_python)
    first = tmp_path / "findings.jsonl"
    first.write_bytes(b'{"row":1}\n')
    part = tmp_path / "part.jsonl"
    part.write_bytes(b'{"row":2}\n' * 1000)
    sink = distributed.reopen_at_end(first)
    try:
        with part.open("rb") as lines:
            distributed.append_file(lines, sink)
        sink.write(b"after\n")
    finally:
        sink.close()
    assert first.read_bytes() == b'{"row":1}\n' + b'{"row":2}\n' * 1000 + b"after\n"
