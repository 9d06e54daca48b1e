"""The inventory's notes on how a database was read: their codes, and their words in Chinese and
English (docs/scale.md "Databases").

A database scan notes how it read each table — a column left out and why, no primary key, a
primary key that holds PI, ``--sample`` — and, for the run, the schemas it did not read.
``inventory.json`` keeps each note twice: as the scan worded it (``notes``, in the language it
ran in: what earlier versions wrote and read) and, one for one, as an :class:`InventoryNote`
(``note_codes``: a code and the table's column, the rows, or the schemas it names). Whoever
shows notes — the console, the inventory report, the data room — calls :func:`shown`, which
words them in the reader's language from their codes, and gives the words as written for an
inventory without codes (an earlier scan) or a code this baomi does not know (a later one).

The one list of codes is :data:`CODES`. A note names tables, columns and schemas, never a value.

What could not be read — a file's ``errors``, a skipped file's ``reason`` — is kept in both
languages instead (a reader words its messages in both, :class:`baomi.i18n.Worded`):
:func:`recorded` turns what the scan collected into the text in the scan's language and its
:class:`Words`; :func:`errors_shown` and :func:`reason_shown` give the reader's.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence

from baomi.engine.contracts.inventory import (
    Inventory,
    InventoryFile,
    InventoryNote,
    SkippedFile,
    Words,
)
from baomi.i18n import tr, words_of


def _column(why_zh: str, why_en: str) -> Callable[[InventoryNote], tuple[str, str] | None]:
    def words(note: InventoryNote) -> tuple[str, str] | None:
        if note.column is None:
            return None
        return f"{note.column}: {why_zh}", f"{note.column}: {why_en}"

    return words


def _no_primary_key(_: InventoryNote) -> tuple[str, str]:
    return (
        "无主键：按位置命名行，以服务器端游标读取",
        "no primary key: rows are named by their position, read by a server-side cursor",
    )


def _pi_key(_: InventoryNote) -> tuple[str, str]:
    return (
        "主键列含个人信息：发现项只以行位置命名，不写主键",
        "a primary-key column holds PI: findings name rows by position only",
    )


def _sample(note: InventoryNote) -> tuple[str, str] | None:
    if note.rows is None:
        return None
    return (
        f"抽样：只读取前 {note.rows} 行（--sample），未完整扫描",
        f"sample: only the first {note.rows} rows were read (--sample), not a full scan",
    )


def _other_schemas(note: InventoryNote) -> tuple[str, str] | None:
    if not note.schemas:
        return None
    found, more = note.schemas, note.more or 0
    zh = "、".join(f"{s}（{n} 个表或视图）" for s, n in found.items())
    en = ", ".join(
        f"{s} ({n} {'table or view' if n == 1 else 'tables or views'})" for s, n in found.items()
    )
    if more > 0:
        zh, en = zh + f" 等，另有 {more} 个", en + f" and {more} more"
    option = f"--schema {shlex.quote(next(iter(found)))}"
    return (
        f"其他模式未读取：{zh}。按名称读取加 {option}，全部读取加 --schema '*'",
        f"other schemas were not read: {en}. Add {option} to read one by name, or "
        "--schema '*' for all",
    )


#: Every note's code → its words in Chinese and English (``None``: a key it needs is missing).
CODES: dict[str, Callable[[InventoryNote], tuple[str, str] | None]] = {
    "binary_column": _column("二进制列，未扫描", "binary column, not scanned"),
    "unknown_type": _column(
        "无法识别的列类型（如几何类型），未扫描",
        "column type not understood (e.g. geometry), not scanned",
    ),
    "binary_values": _column(
        "含二进制值，这些值未扫描", "holds binary values, which were not scanned"
    ),
    "no_primary_key": _no_primary_key,
    "pi_key": _pi_key,
    "sample": _sample,
    "other_schemas": _other_schemas,
}


def column_left_out(code: str, column: str) -> InventoryNote:
    """A column not scanned, and why (``binary_column``, ``unknown_type``, ``binary_values``).
    ``column`` is kept as plain text (a driver's name may be a ``str`` subclass)."""
    if code not in CODES:
        raise ValueError(f"unknown note code {code!r}")
    return InventoryNote(code=code, column=str(column))


def no_primary_key() -> InventoryNote:
    return InventoryNote(code="no_primary_key")


def pi_key() -> InventoryNote:
    return InventoryNote(code="pi_key")


def sample(rows: int) -> InventoryNote:
    """``--sample`` stopped the table after ``rows`` rows."""
    return InventoryNote(code="sample", rows=rows)


def other_schemas(named: Mapping[str, int], more: int = 0) -> InventoryNote:
    """The schemas not read, ``named`` with their tables and views, and ``more`` not named."""
    return InventoryNote(code="other_schemas", schemas=dict(named), more=more or None)


def text(note: InventoryNote) -> str | None:
    """The note in the current language; ``None`` for a code (or a code's key) unknown here."""
    words = CODES.get(note.code)
    said = words(note) if words is not None else None
    return None if said is None else tr(*said)


def texts(codes: Sequence[InventoryNote]) -> tuple[str, ...]:
    """The notes in the current language, as the scan writes them in ``notes``."""
    return tuple(text(n) or n.code for n in codes)


def shown(item: Inventory | InventoryFile) -> tuple[str, ...]:
    """A file's (or the run's) notes for the reader: worded in the current language from
    their codes; without codes (an earlier inventory), or when they do not pair one for one
    with the words, the words as the scan wrote them; a code not known here, its words."""
    written, codes = item.notes, item.note_codes
    if not codes or (written and len(written) != len(codes)):
        return tuple(written)
    return tuple(text(n) or (written[i] if written else n.code) for i, n in enumerate(codes))


def recorded(messages: Sequence[str]) -> tuple[tuple[str, ...], tuple[Words, ...]]:
    """What a scan collected (``Worded`` messages, from any process) as the inventory keeps
    it: the texts in the scan's (the current) language, and their words one for one."""
    words = tuple(Words(zh=zh, en=en) for zh, en in map(words_of, messages))
    return tuple(_said(w) for w in words), words


def recorded_reason(reason: str) -> tuple[str, Words]:
    """A skipped file's reason as the inventory keeps it (:func:`recorded`)."""
    zh, en = words_of(reason)
    words = Words(zh=zh, en=en)
    return _said(words), words


def _said(words: Words) -> str:
    return tr(words.zh, words.en)


def errors_shown(item: InventoryFile) -> tuple[str, ...]:
    """A file's errors for the reader, in the current language; an inventory without their
    words (an earlier one), or whose words do not pair with them, as the scan wrote them."""
    if not item.error_words or len(item.error_words) != len(item.errors):
        return tuple(item.errors)
    return tuple(_said(w) for w in item.error_words)


def reason_shown(item: SkippedFile) -> str:
    """Why a file was skipped, for the reader (:func:`errors_shown`)."""
    return item.reason if item.reason_words is None else _said(item.reason_words)
