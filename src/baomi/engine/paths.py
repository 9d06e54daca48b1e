"""Readable file paths for outputs (inventory, findings, manifests).

On POSIX a file name is bytes; Python hands a name that is not valid UTF-8 over with the bad
bytes as lone surrogates (PEP 383), which no UTF-8 output can hold. Such names are common in
China: a GBK-named file copied from a Windows share or unpacked from a zip. ``display_path``
turns each ``/``-separated part that is not UTF-8 into text: decoded as GB18030 (a superset of
GBK) when the bytes are valid GB18030, else with the undecodable bytes escaped as ``\\xNN``.
The file itself is still opened by its real (surrogate-escaped) path.
"""

from __future__ import annotations

import os


def _part(part: str, *, decode: bool) -> str:
    try:
        part.encode("utf-8")
        return part
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(part)
    if decode:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", errors="backslashreplace")


def display_path(rel: str, *, decode: bool = True) -> str:
    """``rel`` (``/``-separated) with every part valid UTF-8: unchanged when it already is;
    else decoded as GB18030 (``decode``) or, failing that, with its bad bytes as ``\\xNN``."""
    return "/".join(_part(p, decode=decode) for p in rel.split("/"))


__all__ = ["display_path"]
