"""``findings.jsonl`` written past the page cache.

A scan writes several times its input as findings (240 MB for a 64 MB CSV). Through the page
cache every written page is a fresh page of memory, and a virtual machine whose host takes freed
memory back (free-page reporting) faults each one in again: 0.06–1.5 s of system CPU per 240 MB
here, on the cores the scan needs (bench/RESULTS.md "Session 16"). Nothing reads the file back
while it is written, so it is written with ``O_DIRECT`` through one aligned buffer that is
reused: the pages are the buffer's, touched once.

Polars serialises each slice of findings into a reused in-memory file (``memfd``, mapped
here: again the same pages); its whole blocks go from the mapping to the file, the tail stays
for the next slice and goes at :meth:`close` with ``O_DIRECT`` cleared. Where the system
or the filesystem does not take ``O_DIRECT`` (not Linux, tmpfs, some network filesystems) the
file is an ordinary buffered one; the bytes are the same either way.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os
from pathlib import Path
from typing import BinaryIO

import polars as pl

from baomi.engine.scan.collector import WRITE_SLICE_ROWS

#: The staging area's size (it grows to a longer slice): a multiple of every block size a
#: filesystem asks of ``O_DIRECT``.
BUFFER_BYTES = 16 << 20
_BLOCK = 4096


class FindingsFile:
    """An append-only NDJSON file: :meth:`write_frame` for findings, :meth:`write` for lines
    already serialised (a remote worker's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._plain: BinaryIO | None = None
        self._fd = -1
        direct = getattr(os, "O_DIRECT", 0)
        if direct and hasattr(os, "memfd_create"):
            with contextlib.suppress(OSError):
                self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | direct, 0o644)
        if self._fd < 0:
            self._plain = open(path, "wb")  # noqa: SIM115 - closed in close()
            return
        # The staging area is a memfd mapped here: Polars writes a slice into it at the end of
        # what is staged (through its fd), whole blocks go from the mapping to the file, the
        # tail moves to the front. The same pages every time, and one copy of each byte.
        self._stage = os.fdopen(os.memfd_create("baomi-findings"), "w+b", buffering=0)
        self._stage.truncate(BUFFER_BYTES)
        self._map = mmap.mmap(self._stage.fileno(), BUFFER_BYTES)
        self._filled = 0

    def write_frame(self, found: pl.DataFrame) -> None:
        """Append ``found`` (the findings.jsonl columns) as NDJSON lines."""
        for piece in found.iter_slices(WRITE_SLICE_ROWS):
            if self._plain is not None:
                piece.write_ndjson(self._plain)
                continue
            self._stage.seek(self._filled)
            piece.write_ndjson(self._stage)
            self._staged(self._stage.tell())

    def write(self, data: bytes) -> None:
        """Append bytes already serialised."""
        if self._plain is not None:
            self._plain.write(data)
            return
        self._stage.seek(self._filled)
        self._stage.write(data)
        self._staged(self._stage.tell())

    def _staged(self, end: int) -> None:
        """``end`` bytes are staged: write the whole blocks, keep the tail."""
        if end > len(self._map):  # a slice longer than the mapping: map what was written
            self._map.close()
            self._map = mmap.mmap(self._stage.fileno(), end)
        whole = end - end % _BLOCK
        if whole:
            with memoryview(self._map) as view:
                self._write_all(view[:whole])
            self._map.move(0, whole, end - whole)
        self._filled = end - whole

    def _write_all(self, view: memoryview) -> None:
        done = 0
        while done < len(view):
            try:
                done += os.write(self._fd, view[done:])
            except OSError as exc:  # the filesystem refuses O_DIRECT: through the cache
                if exc.errno != errno.EINVAL or not self._cached():
                    raise

    def _cached(self) -> bool:
        """Write through the page cache from now on; False if the file already did."""
        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        direct = getattr(os, "O_DIRECT", 0)
        if not flags & direct:
            return False
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~direct)
        return True

    def close(self) -> None:
        """Write what is left and close the file."""
        if self._plain is not None:
            self._plain.close()
            return
        if self._fd < 0:
            return
        try:
            if self._filled:  # the tail is not a whole block: through the cache
                self._cached()
                with memoryview(self._map) as view:
                    self._write_all(view[: self._filled])
        finally:
            os.close(self._fd)
            self._fd = -1
            self._map.close()
            self._stage.close()


__all__ = ["BUFFER_BYTES", "FindingsFile"]
