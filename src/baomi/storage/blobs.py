"""The blob store: sealed documents as files, written to a temporary name, fsynced and renamed.

A blob is never rewritten in place: a crash leaves either no file or the complete file (and an
orphan ``.tmp`` that :meth:`BlobStore.sweep_temp` removes).
"""

from __future__ import annotations

import os
from pathlib import Path

from baomi.storage.db import translate_storage_errors


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync, rename, fsync the directory."""
    with translate_storage_errors():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class BlobStore:
    """Sealed blobs under ``root/<deal id>/<object id>.bin``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, deal_id: str, object_id: str) -> Path:
        return self.root / deal_id / f"{object_id}.bin"

    def put(self, deal_id: str, object_id: str, data: bytes) -> None:
        write_atomic(self.path(deal_id, object_id), data)

    def get(self, deal_id: str, object_id: str) -> bytes:
        return self.path(deal_id, object_id).read_bytes()

    def exists(self, deal_id: str, object_id: str) -> bool:
        return self.path(deal_id, object_id).is_file()

    def delete(self, deal_id: str, object_id: str) -> None:
        with translate_storage_errors():
            self.path(deal_id, object_id).unlink(missing_ok=True)

    def delete_deal(self, deal_id: str) -> None:
        folder = self.root / deal_id
        with translate_storage_errors():
            if folder.is_dir():
                for child in folder.iterdir():
                    child.unlink()
                folder.rmdir()

    def is_empty(self) -> bool:
        return not self.root.exists() or not any(self.root.rglob("*.bin"))

    def sweep_temp(self) -> int:
        """Remove temporary files left by a writer that died; returns how many.

        A temporary name carries its writer's pid; files of a live process are left alone.
        """
        count = 0
        if self.root.exists():
            for tmp in self.root.rglob(".*.tmp"):
                if not _writer_alive(tmp.name):
                    tmp.unlink(missing_ok=True)
                    count += 1
        return count


def _writer_alive(temp_name: str) -> bool:
    try:
        pid = int(temp_name.rsplit(".", 2)[-2])
    except (ValueError, IndexError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
