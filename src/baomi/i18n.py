"""Chinese first, with an English switch, for everything a user reads.

The language is chosen per process by the entry point (``baomi --lang en`` or ``BAOMI_LANG``);
nothing is read at import time.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

SUPPORTED = ("zh", "en")
_language: ContextVar[str | None] = ContextVar("baomi_language", default=None)


def set_language(lang: str | None) -> None:
    """Set the language for this context (``zh`` or ``en``); ``None`` falls back to the env."""
    if lang is not None and lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}; choose one of {SUPPORTED}")
    _language.set(lang)


def current_language() -> str:
    lang = _language.get() or os.environ.get("BAOMI_LANG", "zh")
    return lang if lang in SUPPORTED else "zh"


def tr(zh: str, en: str) -> str:
    """The message in the current language."""
    return en if current_language() == "en" else zh


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` things in English: ``1 file``, ``2 files`` (``plural``: when not ``noun + "s"``)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class Worded(str):
    """A message in the current language that keeps its words in both (``zh``, ``en``).

    What a scan records for later readers (why a file could not be read, what of it could
    not) is made of these: the inventory stores the text in the scan's language and both
    words beside it, so a reader is shown their own language, and a Dask worker running in
    another language than its coordinator records nothing in its own. A plain ``str``
    everywhere else (printed, joined, compared)."""

    zh: str
    en: str

    def __new__(cls, zh: str, en: str) -> Worded:
        self = super().__new__(cls, tr(zh, en))
        self.zh, self.en = zh, en
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (to and from Dask workers) with its words
        return (_worded, (self.zh, self.en, str(self)))


def _worded(zh: str, en: str, text: str) -> Worded:
    self = str.__new__(Worded, text)
    self.zh, self.en = zh, en
    return self


def worded(zh: str, en: str) -> Worded:
    """:func:`tr` that keeps both words (:class:`Worded`)."""
    return Worded(zh, en)


def in_language(text: str) -> str:
    """``text`` in the current language: a :class:`Worded`'s words (it may have been made in
    another process, in its language), else ``text`` as it is."""
    return tr(*words_of(text))


def words_of(text: str) -> tuple[str, str]:
    """``text``'s words in Chinese and English: a :class:`Worded`'s own, else ``text`` twice
    (a message that was worded in one language only)."""
    if isinstance(text, Worded):
        return text.zh, text.en
    return text, text


def choices(pairs: Iterable[tuple[str, str]]) -> str:
    """A list's choices as a message names them: each label (already in the reader's language)
    with the code a command or the API takes — "低（low）、中（medium）", in English
    "low, medium, HR (hr)" (a label that is its code is said once)."""
    if current_language() == "en":
        return ", ".join(
            label if label.lower() == code.lower() else f"{label} ({code})" for code, label in pairs
        )
    return "、".join(f"{label}（{code}）" for code, label in pairs)


def one_of(field_zh: str, field_en: str, pairs: Iterable[tuple[str, str]]) -> str:
    """The refusal of a value that is not one of ``pairs`` (code, label): the field and its
    choices, never the value itself (it may be anything a person typed)."""
    listed = choices(pairs)
    return tr(f"{field_zh}须为以下之一：{listed}", f"{field_en}: one of {listed}")


#: What the operating system's commonest file errors mean, in Chinese (its own text is English).
_OS_REASONS_ZH = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许此操作",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "已存在",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in the current language: the operating system's English
    in English, its common errors said in Chinese in Chinese (else its English as it is)."""
    text = exc.strerror or str(exc)
    if current_language() == "en":
        return text
    return _OS_REASONS_ZH.get(exc.errno or 0, text)
