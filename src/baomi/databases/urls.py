"""Whether a command-line input is a database URL — without importing SQLAlchemy, so that
``baomi scan`` of files does not pay for it (about 0.2 s of CPU at every start)."""

from __future__ import annotations

import os

#: URL schemes read as databases (``scan`` and ``protect`` take them in place of paths).
SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")


def is_database_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a database URL (``postgresql://…``, ``mysql+pymysql://…``, …)."""
    head, sep, _ = str(text).partition("://")
    return bool(sep) and head.split("+", 1)[0].lower() in SCHEMES
