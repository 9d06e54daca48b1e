"""The one walker of input files and their display names (the names every output shows).

``iter_files`` gives every file under the arguments, folders walked sorted, each with its name
relative to the one folder given (a single file: its name) or to the common folder of several
arguments; a file named twice (or inside a named folder) comes once, and a symbolic link to a
file of a walked folder does not stand in for it (the file comes by its own name). A name that
is not UTF-8 is shown decoded (:func:`baomi.engine.paths.display_path`). The scan walks every file (an
unsupported one is reported as skipped); protect only those of the formats it writes back.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from baomi.engine.paths import display_path

#: Names left out of a walked folder when only some formats are asked for: hidden files and
#: Office's lock files (``~$合同.docx``), never documents themselves.
HIDDEN_PREFIXES = (".", "~$")


def _wanted(name: str, suffixes: Collection[str] | None) -> bool:
    return suffixes is None or (
        Path(name).suffix.lower() in suffixes and not name.startswith(HIDDEN_PREFIXES)
    )


def _files_under(root: Path, suffixes: Collection[str] | None, by_name: bool) -> Iterator[Path]:
    """The files under ``root``, each folder's files before its subfolders (``by_name``: files
    and subfolders together in name order, i.e. sorted by path)."""
    if not root.is_dir():
        if suffixes is None or root.suffix.lower() in suffixes:
            yield root
        return
    if by_name:
        yield from _by_name(root, suffixes)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            if _wanted(fn, suffixes):
                yield Path(dirpath) / fn


def _by_name(folder: Path, suffixes: Collection[str] | None) -> Iterator[Path]:
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():  # as os.walk: a linked folder is not walked
                yield from _by_name(Path(entry.path), suffixes)
        elif entry.is_file() and _wanted(entry.name, suffixes):
            yield Path(entry.path)


def _link_to_walked(
    path: Path, real: str, folders: list[str], suffixes: Collection[str] | None
) -> bool:
    """Whether ``path`` is a symbolic link to a file the walk lists under its own name (a
    wanted file in one of the folders walked): that file comes by its name, not the link's,
    whichever sorts first."""
    return (
        os.path.islink(path)
        and _wanted(os.path.basename(real), suffixes)
        and any(os.path.commonpath([real, folder]) == folder for folder in folders)
    )


def _walk(
    paths: Sequence[Path],
    suffixes: Collection[str] | None = None,
    by_name: bool = False,
    exclude: Path | None = None,
) -> Iterator[tuple[Path, str]]:
    """(path, name relative to the arguments' common folder) for every file under ``paths``,
    directories walked sorted; a file named twice (or inside a named folder) comes once."""
    if not paths:
        return
    absolute = [Path(os.path.abspath(p)) for p in paths]
    # One folder: relative to it (DESIGN.md); one file: its name. Several arguments: relative
    # to the deepest folder holding them all, so shop_a/客户.csv and shop_b/客户.csv differ.
    base = os.path.commonpath([p if p.is_dir() else p.parent for p in absolute])
    folders = [os.path.realpath(p) for p in absolute if p.is_dir()]
    skip = os.path.realpath(exclude) if exclude is not None else None
    seen: set[str] = set()
    for root in absolute:
        for p in _files_under(root, suffixes, by_name):
            real = os.path.realpath(p)
            if real in seen or (p != root and _link_to_walked(p, real, folders, suffixes)):
                continue
            if p != root and skip is not None and os.path.commonpath([real, skip]) == skip:
                continue
            seen.add(real)
            yield p, p.relative_to(base).as_posix()


def iter_files(
    paths: Sequence[Path],
    *,
    suffixes: Collection[str] | None = None,
    by_name: bool = False,
    exclude: Path | None = None,
) -> Iterator[tuple[Path, str]]:
    """(path, name in the outputs) for every file under ``paths``, directories walked sorted;
    with ``suffixes`` (lower case, with the dot) only files of those formats, and in a walked
    folder no hidden or lock file (:data:`HIDDEN_PREFIXES`). A walked folder's files under
    ``exclude`` are left out (the run's own output folder inside the folder it reads: a second
    ``scan . --out out`` would read the first one's findings); a file named as an argument is
    never left out.

    Names are relative to the one folder given (a single file: its name), or to the common
    folder of several arguments. A name that is not UTF-8 is shown decoded
    (:func:`baomi.engine.paths.display_path`); one that would then equal another file's name
    keeps its bytes escaped instead.
    """
    used: set[str] = set()
    for p, rel in _walk(paths, suffixes, by_name, exclude):
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
