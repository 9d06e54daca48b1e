"""The one walker of input files and their display names (the names every output shows).

``iter_files`` gives every file under the arguments, folders walked sorted, each with its name
relative to the one folder given (a single file: its name) or to the common folder of several
arguments; a file named twice (or inside a named folder) comes once. A name that is not UTF-8
is shown decoded (:func:`baomi.engine.paths.display_path`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from baomi.engine.paths import display_path


def _files_under(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            yield Path(dirpath) / fn


def _walk(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """(path, name relative to the arguments' common folder) for every file under ``paths``,
    directories walked sorted; a file named twice (or inside a named folder) comes once."""
    if not paths:
        return
    absolute = [Path(os.path.abspath(p)) for p in paths]
    # One folder: relative to it (DESIGN.md); one file: its name. Several arguments: relative
    # to the deepest folder holding them all, so shop_a/客户.csv and shop_b/客户.csv differ.
    base = os.path.commonpath([p if p.is_dir() else p.parent for p in absolute])
    seen: set[str] = set()
    for root in absolute:
        for p in _files_under(root):
            real = os.path.realpath(p)
            if real in seen:
                continue
            seen.add(real)
            yield p, p.relative_to(base).as_posix()


def iter_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """(path, name in the outputs) for every file under ``paths``, directories walked sorted.

    Names are relative to the one folder given (a single file: its name), or to the common
    folder of several arguments. A name that is not UTF-8 is shown decoded
    (:func:`baomi.engine.paths.display_path`); one that would then equal another file's name
    keeps its bytes escaped instead.
    """
    used: set[str] = set()
    for p, rel in _walk(paths):
        name = display_path(rel)
        if name in used:
            name = display_path(rel, decode=False)
        copy = 1
        while name in used:  # only names escaped alike could still meet
            copy += 1
            name = f"{display_path(rel, decode=False)}~{copy}"
        used.add(name)
        yield p, name


__all__ = ["iter_files"]
