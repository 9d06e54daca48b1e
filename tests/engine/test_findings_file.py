"""``findings.jsonl`` written past the page cache: the same bytes as Polars writes, whatever
the sizes (a tail that is not a whole block, several buffers), and the same bytes through an
ordinary file where the filesystem refuses ``O_DIRECT``."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.scan import findings_file
from baomi.engine.scan.findings_file import FindingsFile


def _findings(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": ["客户名单.csv"] * n,
            "sheet": [None] * n,
            "row": list(range(n)),
            "column": ["联系电话"] * n,
            "start": [0] * n,
            "end": [13] * n,
            "entity": ["CN_MOBILE"] * n,
            "score": [0.99] * n,
        }
    )


def _expected(frames: list[pl.DataFrame], extra: bytes = b"") -> bytes:
    return b"".join(f.write_ndjson().encode() for f in frames) + extra


@pytest.mark.parametrize("rows", [0, 1, 37, 120_003])
def test_the_bytes_are_polars_own(tmp_path: Path, rows: int) -> None:
    frames = [_findings(rows), _findings(rows // 3 + 1)]
    sink = FindingsFile(tmp_path / "f.jsonl")
    for frame in frames:
        sink.write_frame(frame)
    sink.write(b'{"already":"serialised"}\n')
    sink.close()
    assert (tmp_path / "f.jsonl").read_bytes() == _expected(frames, b'{"already":"serialised"}\n')


def test_more_than_one_buffer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings_file, "BUFFER_BYTES", 1 << 16)  # many buffers' worth
    frames = [_findings(5000) for _ in range(4)]
    sink = FindingsFile(tmp_path / "f.jsonl")
    for frame in frames:
        sink.write_frame(frame)
    sink.close()
    assert (tmp_path / "f.jsonl").read_bytes() == _expected(frames)


def test_a_filesystem_without_direct_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tmpfs and some network filesystems refuse ``O_DIRECT`` writes (EINVAL): the file is
    written through the page cache instead, the same bytes."""
    real = os.write
    refused = []

    def write(fd: int, data: object) -> int:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT:
            refused.append(fd)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(fd, data)  # type: ignore[arg-type]

    monkeypatch.setattr(findings_file.os, "write", write)
    monkeypatch.setattr(findings_file, "BUFFER_BYTES", 1 << 16)
    frames = [_findings(3000)]
    sink = FindingsFile(tmp_path / "f.jsonl")
    sink.write_frame(frames[0])
    sink.close()
    assert refused and (tmp_path / "f.jsonl").read_bytes() == _expected(frames)


def test_no_direct_io_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(findings_file.os, "O_DIRECT", raising=False)
    frames = [_findings(200)]
    sink = FindingsFile(tmp_path / "f.jsonl")
    sink.write_frame(frames[0])
    sink.close()
    assert (tmp_path / "f.jsonl").read_bytes() == _expected(frames)
