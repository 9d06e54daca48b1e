"""Place names from the administrative-division table (GB/T 2260 names in ``cpca``'s
``adcodes.csv``): what the address recognizer looks for, and what the name recognizer must not
take for a surname and given name (``武汉``)."""

from __future__ import annotations

import csv
import re
from functools import cache

from baomi.engine.adcodes import adcodes_path

SUFFIX_CHARS = "省市区县旗盟州"
#: Two-character division names that are ordinary words (东区, 郊区 …): not evidence alone.
_GENERIC = frozenset({"东区", "西区", "南区", "北区", "城区", "矿区", "郊区", "新区"})


@cache
def division_names() -> tuple[frozenset[str], tuple[str, ...]]:
    """(division names, province-level short forms) from ``cpca/resources/adcodes.csv``."""
    path = adcodes_path()
    names: set[str] = set()
    short: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name, code = row["name"], row["adcode"]
            if len(name) >= 2 and name[-1] in SUFFIX_CHARS and name not in _GENERIC:
                names.add(name)
            if code.endswith("0000000000"):  # province level (GB/T 2260)
                short.add(re.sub("(?:省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$", "", name))
    return frozenset(names), tuple(sorted(short, key=len, reverse=True))


@cache
def place_names() -> frozenset[str]:
    """Names a whole cell may hold for a place: division names, the same without their
    one-character suffix (``武汉`` for ``武汉市``) and the province-level short forms."""
    names, short = division_names()
    return frozenset(names | {n[:-1] for n in names if len(n) >= 3} | set(short))
