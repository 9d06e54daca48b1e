"""Values typed into the pages' forms, read the way people type them."""

from __future__ import annotations

import re
import unicodedata

from baomi.errors import InputError
from baomi.i18n import tr

#: Thousands separators and spaces people put in a number: 1,200,000 / 1，200，000 / 1 200 000.
_GROUPING = re.compile(r"[,，_\s]")


def form_count(text: str, what: str) -> int | None:
    """A whole number typed in a form (full-width digits and thousands separators allowed);
    ``None`` when nothing was typed, :class:`InputError` naming ``what`` for anything else."""
    text = _GROUPING.sub("", unicodedata.normalize("NFKC", text))
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InputError(tr(f"{what}须为非负整数", f"{what} must be a whole number"))
    return int(text)
