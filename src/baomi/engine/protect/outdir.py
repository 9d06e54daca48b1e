"""The output folder of a package: what it may not be (checked before anything is read), and
the finished package renamed into place."""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

from baomi.engine.protect.manifest import MANIFEST_FORMAT
from baomi.engine.protect.options import ProtectOptions
from baomi.errors import InputError, StorageError
from baomi.i18n import os_reason, tr


def check_out_dir(out_dir: Path, paths: Sequence[Path], opts: ProtectOptions) -> None:
    """Refuse an output folder that would overwrite or ship what it must not: the inputs (in
    either direction: a replaced folder is deleted), a folder that is not an earlier package,
    the token vault or the trace records (neither may leave the seller's machine)."""
    for p in (p.resolve() for p in paths):
        if out_dir == p or p in out_dir.parents or out_dir in p.parents:
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹不能与输入重叠（在输入之内或包含输入）",
                    "the output folder must not overlap the input (inside it or holding it)",
                )
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir.name}: " + tr("输出不是文件夹", "the output is not a folder"))
    if out_dir.exists() and any(out_dir.iterdir()):
        if not opts.overwrite:
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹已存在且非空（--force 替换）",
                    "output folder exists and is not empty (use --force)",
                )
            )
        if not _is_package(out_dir):
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹不是 baomi 数据包，--force 只替换数据包",
                    "the output folder is not a baomi package; --force replaces only a package",
                )
            )
    for path, what in (
        (opts.vault_path, tr("令牌库", "the token vault")),
        (opts.manifests_dir, tr("追踪记录", "the trace records")),
    ):
        if path is not None and (
            out_dir == (r := path.resolve()) or out_dir in r.parents or r in out_dir.parents
        ):
            raise InputError(
                what
                + tr(
                    "不能放在输出文件夹内（数据包会交给接收方）",
                    " must not be inside the output folder (the package goes to the recipient)",
                )
            )


def _is_package(folder: Path) -> bool:
    """Whether ``folder`` holds a package written by :func:`protect_paths`."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT


def swap_in(tmp: Path, out_dir: Path) -> None:
    """Rename the finished package into place (an existing one is replaced)."""
    try:
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(4)}"
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    except OSError as exc:
        reason = os_reason(exc)
        raise StorageError(
            tr(
                f"无法把数据包移到输出位置：{reason}",
                f"cannot move the package into place: {reason}",
            )
        ) from None
