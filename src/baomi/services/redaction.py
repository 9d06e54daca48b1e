"""Free text typed by staff or the public, with the personal information in it masked.

The scan's recognizers (the default registry, the prose model included) find identifiers and
people's names and addresses; each is masked by the display convention of the ``mask`` operator
(``138****5678``, ``110101********1233``, ``张*``, ``北京市朝阳区****``). A company's name is left
as written: it is no one's personal information, and an incident report that hid which supplier
or system was involved would be useless. Used where a text is kept and read by people who need
none of a customer's personal information from it (PIPL-6, minimum necessary): survey answers,
incident titles and descriptions, the requests register.

Unlike the masking of names in file and column names (:func:`~baomi.engine.documents.names.
mask_identifiers`, which skips a name with no run of digits or ``@``), every text is read whole:
a customer named in a sentence holds no digit.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baomi.engine.recognizers.base import Recognizer

#: Entities found (so that they win the overlap resolution: 张三科技有限公司 is a company, not
#: a person 张三) but left as written.
KEPT_AS_WRITTEN = frozenset({"ORGANIZATION"})


@cache
def _recognizers() -> tuple[Recognizer, ...]:
    from baomi.engine.recognizers.registry import Registry

    return tuple(Registry.default())


def mask_text(text: str) -> str:
    """``text`` with every identifier, person's name and address the scan's recognizers find
    masked."""
    if not text.strip():
        return text
    import polars as pl

    from baomi.engine.analyzer import DEFAULT_THRESHOLD
    from baomi.engine.batch import analyze_column
    from baomi.engine.documents.names import replace_spans
    from baomi.engine.masking import mask_value

    found = analyze_column(pl.Series([text], dtype=pl.String), _recognizers(), DEFAULT_THRESHOLD)
    edits = [
        (start, end, mask_value(text[start:end], entity))
        for start, end, entity in found.select("start", "end", "entity").iter_rows()
        if entity not in KEPT_AS_WRITTEN
    ]
    return replace_spans(text, edits) if edits else text
