"""What a protect run is asked for (:class:`ProtectOptions`), what it returns
(:class:`ProtectResult`), and the error ``--verify`` raises."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baomi.engine.contracts.manifest import Manifest
from baomi.errors import BaomiError
from baomi.i18n import tr

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


@dataclass(frozen=True, slots=True)
class ProtectOptions:
    recipient: str | None = None
    verify: bool = False
    overwrite: bool = False
    vault_path: Path | None = None
    manifests_dir: Path | None = None
    now: _dt.datetime | None = None


@dataclass(slots=True)
class ProtectResult:
    out_dir: Path
    manifest: Manifest
    trace_record: Path | None
    leaks: list[dict[str, Any]] = field(default_factory=list)
