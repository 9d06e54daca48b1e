"""Chinese first, with an English switch, for everything a user reads.

The language is chosen per process by the entry point (``baomi --lang en`` or ``BAOMI_LANG``);
nothing is read at import time.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

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
