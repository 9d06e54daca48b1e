"""Real administrative divisions (GB/T 2260) for demo addresses and resident-ID address codes.

Faker's zh_CN addresses use real provinces but invented cities and districts (MEASURED.md), so
demo addresses are built from the county-level table that ships inside the ``cpca`` package
(``cpca/resources/adcodes.csv``, 12-digit codes). The CSV is read directly: importing ``cpca``
itself is slow and pulls in ``pkg_resources``.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from baomi.engine.adcodes import adcodes_path

#: City-level placeholders that do not appear in a written address (e.g. 北京市市辖区朝阳区).
_SKIPPED_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True, slots=True)
class Division:
    """A county-level division with its province and (prefecture-level) city."""

    code: str  # 6-digit GB/T 2260 code, also the first 6 digits of a resident ID
    province: str
    city: str  # "" where the written address has no city level (municipalities)
    district: str

    @property
    def full_name(self) -> str:
        return f"{self.province}{self.city}{self.district}"


@functools.cache
def load_divisions() -> tuple[Division, ...]:
    """Every county-level division in the table, sorted by code (stable for seeded choice)."""
    names: dict[str, str] = {}
    with adcodes_path().open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["adcode"]
            if code.endswith("000000"):
                names[code[:6]] = row["name"]
    out: list[Division] = []
    for code, name in sorted(names.items()):
        if code.endswith("00") or name in _SKIPPED_CITY_NAMES:
            continue  # province or city level, or a city's unnamed 市辖区 placeholder
        province = names.get(code[:2] + "0000")
        if province is None:
            continue
        city = names.get(code[:4] + "00", "")
        if city in _SKIPPED_CITY_NAMES or city == province:
            city = ""
        out.append(Division(code, province, city, name))
    return tuple(out)
