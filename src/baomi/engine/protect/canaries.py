"""Canary records (``fingerprint.canaries``, off by default): synthetic, well-formed customers
added to a recipient's tables, unique to the package and listed in its trace record.

A canary is a row, not a rendering: an informed recipient who re-masks every value to one
layout removes the renderings (``renderings.py``) but not the rows, which look like any other
customer. Never real people: every identifier is generated here (GB 11643 check character,
Luhn, allocated mobile prefixes, example.com e-mail), the other columns hold values of other
rows or nothing. **A disclosure**: the recipient receives records that are not the seller's
customers; the NDA should say so (docs/protect.md "Canary records").

Only tables written as CSV/TSV or XLSX get canaries (the writers that write rows in order), and
only tables with both a mobile and a resident-ID column protected by a rule: the evidence is a
canary's masked mobile *and* masked ID found together (each shows about 18-20 bits against real
data; ``trace.py`` counts ``CANARY_BITS - 2 log2(cells)`` per canary found).
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Sequence

import polars as pl

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect import renderings
from baomi.engine.protect.plan import ColumnPlan

#: Both are needed in a table for canaries; their masked values are the evidence.
STRONG = ("CN_MOBILE", "CN_RESIDENT_ID")
#: What a masked mobile and a masked ID show together against real data, in bits (a leak of
#: ``n`` cells holds a given pair by chance with probability at most ``n^2 2^-CANARY_BITS``).
CANARY_BITS = 36.0
FORMATS = frozenset({"csv", "tsv", "xlsx"})

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
#: (GB/T 2260 code, the division's name) of districts in large cities.
_DISTRICTS = (
    ("110105", "北京市朝阳区"),
    ("440305", "广东省深圳市南山区"),
    ("310104", "上海市徐汇区"),
    ("330106", "浙江省杭州市西湖区"),
    ("510107", "四川省成都市武侯区"),
    ("420106", "湖北省武汉市武昌区"),
    ("320102", "江苏省南京市玄武区"),
    ("370202", "山东省青岛市市南区"),
)
_PREFIXES = ("130", "131", "135", "136", "138", "139", "150", "151", "158", "186", "187", "188")
_STREETS = ("建设路", "人民路", "中山路", "解放路", "和平路", "文化路")


def synthetic(rng: random.Random) -> dict[str, str]:
    """One synthetic customer: a value per entity, each well-formed."""
    code, district = rng.choice(_DISTRICTS)
    born = _dt.date(1960, 1, 1) + _dt.timedelta(days=rng.randrange(365 * 40))
    first17 = f"{code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    card = "62" + "".join(str(rng.randrange(10)) for _ in range(13))
    local = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(7))
    return {
        "PERSON_NAME": rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
        "CN_RESIDENT_ID": first17 + resident_id_check_char(first17),
        "CN_MOBILE": rng.choice(_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8)),
        "BANK_CARD": card + luhn_check_digit(card),
        "EMAIL": f"{local}@example.com",
        "ADDRESS": f"{district}{rng.choice(_STREETS)}{rng.randrange(1, 300)}号",
        "DATE_OF_BIRTH": born.isoformat(),
    }


def eligible(plans: Sequence[ColumnPlan]) -> bool:
    """Whether a table can carry canaries: a mobile and a resident-ID column with a rule."""
    ruled = {p.entity for p in plans if p.mode in ("entity", "rule") and p.rule is not None}
    return all(e in ruled for e in STRONG)


def add(
    frame: pl.DataFrame, plans: Sequence[ColumnPlan], count: int, rng: random.Random
) -> tuple[pl.DataFrame, list[int], list[int]]:
    """``frame`` with ``count`` canary rows at random places; returns the new frame, the
    canaries' row numbers in it, and for every row its source row (a canary: ``-1``)."""
    by_name = {p.name: p for p in plans}
    rows: list[dict[str, str | None]] = []
    for _ in range(count):
        person = synthetic(rng)
        row: dict[str, str | None] = {}
        for col in frame.columns:
            plan = by_name.get(col)
            if plan is not None and plan.mode in ("entity", "rule") and plan.entity in person:
                row[col] = person[plan.entity]
            elif plan is not None and plan.mode == "qi" and frame.height:
                row[col] = frame[col][rng.randrange(frame.height)]  # another row's
            else:
                # free text, columns of other entities, and columns the scan classifies by a
                # sample (order numbers, serials): empty, so the package reads as before
                row[col] = None
        rows.append(row)
    canaries = pl.DataFrame(rows, schema=frame.schema)
    total = frame.height + count
    places = sorted(rng.sample(range(total), count))
    slot = {p: k for k, p in enumerate(places)}
    order: list[int] = []
    source: list[int] = []
    real = 0
    for i in range(total):
        if i in slot:
            order.append(frame.height + slot[i])
            source.append(-1)
        else:
            order.append(real)
            source.append(real)
            real += 1
    combined = pl.concat([frame, canaries])[order]
    return combined, places, source


def record(frame: pl.DataFrame, plans: Sequence[ColumnPlan], places: list[int]) -> list[str]:
    """Each canary as trace finds it: the digests of its protected mobile and ID in the
    convention's rendering (what survives re-masking), hex, comma-separated."""
    columns = [p.name for p in plans if p.entity in STRONG and p.mode in ("entity", "rule")]
    out = []
    for i in places:
        values = [frame[c][i] for c in columns]
        out.append(",".join(digest(v).hex() for v in values if v))
    return out


def digest(value: str) -> bytes:
    """The digest a canary's cell is found by: of its value in the convention's rendering."""
    return fp.digest(renderings.conventional(renderings.normalize(value).strip()))


def found(cells: Sequence[str], canaries: str) -> int:
    """How many of a trace record's canaries (``;``-separated) appear in ``cells`` with two or
    more of their values."""
    seen = {digest(c) for c in cells if "*" in c}
    count = 0
    for canary in canaries.split(";"):
        wanted = {bytes.fromhex(d) for d in canary.split(",") if d}
        if len(wanted & seen) >= 2:
            count += 1
    return count
