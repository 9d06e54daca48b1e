"""The checks every governance area applies to what people type: a text within its length and
without control characters, an ISO date."""

from __future__ import annotations

import datetime as _dt
import unicodedata

from baomi.errors import InputError
from baomi.i18n import tr


def text(value: str, field: str, most: int, *, required: bool = True) -> str:
    """``value`` trimmed, if present when ``required``, at most ``most`` characters and free of
    control characters (tabs and line breaks allowed); else a clear error naming ``field``."""
    found = value.strip()
    if required and not found:
        raise InputError(tr(f"{field}必填", f"{field}: required"))
    if len(found) > most:
        raise InputError(
            tr(f"{field}过长（最多 {most} 字）", f"{field}: at most {most} characters")
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in found):
        raise InputError(tr(f"{field}含有控制字符", f"{field}: control characters"))
    return found


def day(value: str, field: str) -> _dt.date:
    """``value`` as an ISO date, or an error naming ``field`` and the format — never the value
    (it may be anything a person typed, personal information included)."""
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            tr(f"{field}须为 YYYY-MM-DD", f"{field} must be a date YYYY-MM-DD")
        ) from None
