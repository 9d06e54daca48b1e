"""What a protect run is asked for (:class:`ProtectOptions`), what it returns
(:class:`ProtectResult`), and the error ``--verify`` raises."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from baomi.engine.contracts.manifest import Manifest
from baomi.errors import BaomiError
from baomi.i18n import tr

if TYPE_CHECKING:
    from baomi.engine.protect.state import ProtectRun

Progress = Callable[[str, int, int], None]


class VerifyError(BaomiError):
    """Raised when ``verify`` finds an identifier the policy removes still in the output."""

    def __init__(self, leaks: list[dict[str, Any]]) -> None:
        where = ", ".join(f"{x['file']}:{x['column'] or '-'} ({x['count']})" for x in leaks[:5])
        total = sum(x["count"] for x in leaks)
        super().__init__(
            tr(f"复扫失败：残留 {total} 个标识符", f"verify failed: {total} leftover value(s)")
            + f": {where}"
        )
        self.leaks = leaks


class ProtectEngine(Protocol):
    """Protects files elsewhere (:class:`baomi.engine.protect.distributed.DaskProtectEngine`):
    each ``(src, rel, target)`` as :func:`~baomi.engine.protect.package.protect_file` would, the run's records merged into
    ``run`` and the entries given back in order."""

    def protect_files(
        self, run: ProtectRun, files: Sequence[tuple[Path, str, Path]]
    ) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class ProtectOptions:
    recipient: str | None = None
    verify: bool = False
    overwrite: bool = False
    vault_path: Path | None = None
    manifests_dir: Path | None = None
    now: _dt.datetime | None = None
    #: Where the files are protected (``--engine dask``); None: in this process.
    engine: ProtectEngine | None = None


@dataclass(slots=True)
class ProtectResult:
    out_dir: Path
    manifest: Manifest
    trace_record: Path | None
    leaks: list[dict[str, Any]] = field(default_factory=list)
    #: ``--verify``'s unconfirmed values by file and column (counts only; see
    #: :class:`~baomi.engine.protect.verify.Leftovers`).
    unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    #: Files the scan reads but protect cannot write (PDF, XLSM), by their names: not in the
    #: package, and the user is told.
    left_out: list[str] = field(default_factory=list)
    #: Files that could not be read (empty, binary, a broken .docx): ``{"path", "reason"}``,
    #: not in the package — the others are, as the scan reads past them too.
    unreadable: list[dict[str, str]] = field(default_factory=list)
    #: Files of a format baomi neither scans nor writes (a WPS .wps, an .xlsb, an archive, a
    #: photo), by their names: not in the package, and the user is told.
    unsupported: list[str] = field(default_factory=list)
