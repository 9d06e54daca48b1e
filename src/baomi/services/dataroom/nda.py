"""The NDA of a data room: generated from a template with its six parts, accepted by hash.

The six parts (what is confidential, term, liability for breach, protection measures, dispute
resolution, governing law) are sections of ``templates/nda.<lang>.txt``; the template holds no
logic, :class:`NdaTerms` is its whole view model. An acceptance records the SHA-256 of the exact
text the user was shown, so a later change of the text never passes for an accepted one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

#: The six parts every NDA must have, in order, as (zh, en) section titles.
PARTS = (
    ("保密信息", "Confidential information"),
    ("期限", "Term"),
    ("违约责任", "Liability for breach"),
    ("保护措施", "Protection measures"),
    ("争议解决", "Dispute resolution"),
    ("适用法律", "Governing law"),
)


@dataclass(frozen=True)
class NdaTerms:
    deal: str
    target: str
    uscc: str
    discloser: str
    recipient: str
    version: int
    date: str
    term_months: int = 24
    survival_months: int = 36
    forum: str = "中国国际经济贸易仲裁委员会仲裁"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("baomi.services.dataroom", "templates"),
        autoescape=False,  # plain text; the pages escape it when they show it
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(terms: NdaTerms, lang: str = "zh") -> str:
    """The NDA's text in ``lang`` (``zh`` or ``en``)."""
    return _environment().get_template(f"nda.{lang}.txt").render(**asdict(terms))


def text_hash(text: str) -> str:
    """What an acceptance records: SHA-256 of the exact UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
