"""Generate tagged training sentences from business-text templates.

Each sentence joins one to three template clauses (:mod:`.templates`) and fills their slots:
names from Faker zh_CN and from a surname list plus given-name characters (compound surnames,
minority names with ``·``, transliterated foreign names), companies from Faker and built from
brand + industry + suffix, addresses from the real division table with streets and numbers.
Tags are character-level BIO: ``B-PER``/``I-PER``, ``B-ADDR``/``I-ADDR``, ``B-ORG``/``I-ORG``.

Deterministic for a given seed (``random.Random`` and ``Faker.seed_instance``).
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from faker import Faker

from baomi.engine.prose import lexicon, templates

LABELS = ("PER", "ADDR", "ORG")
_SLOT = re.compile(r"\{(\w+)\}")
_SLOT_LABEL = {"P": "PER", "A": "ADDR", "C": "ADDR", "O": "ORG", "B": "ORG"}

_BRAND_CHARS = (
    "华泰鑫宏盛达通安德联创科信恒源瑞海天金新中汇星腾飞博远嘉和顺丰利美佳益康隆兴昌明光宇辰"
    "合力凯乐锦辉诚正永建众祥福君智云峰鼎航digit"
).replace("digit", "")
_INDUSTRIES = (
    "科技",
    "网络",
    "信息",
    "传媒",
    "电子",
    "贸易",
    "实业",
    "投资",
    "建设",
    "物流",
    "医药",
    "食品",
    "餐饮",
    "文化",
    "教育",
    "咨询",
    "房地产",
    "汽车",
    "电器",
    "服装",
    "环保",
    "能源",
    "机械",
    "软件",
    "广告",
    "商贸",
    "置业",
    "",
)
_ROAD_CHARS = "人民解放建设中山长江黄河和平幸福光明胜利友谊新华文化花园东南西北朝阳青年团结民主迎宾"
_ROAD_SUFFIXES = ("路", "街", "大道", "大街", "巷", "北路", "南路", "东路", "西路", "中路")
_ESTATES = ("花园", "小区", "大厦", "广场", "公寓", "家园", "新村", "国际中心", "苑", "名苑")
_STREET_TOWNS = ("街道", "镇", "乡")


@cache
def filler_vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Common words and cumulative weights for "word salad" filler (no proper names).

    Read from jieba's dictionary file when jieba is installed (a dev dependency; the file is
    read as text, jieba is not imported), else Faker's zh_CN lorem words. Words tagged as
    person, place or organisation names in jieba's dictionary are left out.
    """
    path = lexicon.jieba_dictionary()
    if path is not None:
        words: list[str] = []
        weights: list[float] = []
        for word, freq in lexicon.iter_dictionary(path):
            if freq >= 20 and 1 <= len(word) <= 4:
                words.append(word)
                weights.append(freq**0.5)
        if words:
            return tuple(words), tuple(itertools.accumulate(weights))
    from faker.providers.lorem.zh_CN import Provider as Lorem

    fallback = tuple(Lorem.word_list)
    return fallback, tuple(float(i + 1) for i in range(len(fallback)))


def _split(items: tuple[str, ...], split: str) -> tuple[str, ...]:
    if split == "all":
        return items
    if split not in ("train", "heldout"):
        raise ValueError(f"unknown split {split!r}")
    keep = tuple(t for i, t in enumerate(items) if (i % 4 == 3) == (split == "heldout"))
    return keep or items


@dataclass(frozen=True, slots=True)
class Sentence:
    """A generated sentence, its per-character tags and its entity spans (end exclusive)."""

    text: str
    tags: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]


class SentenceGenerator:
    """Generates tagged sentences; ``seed`` fixes every choice."""

    def __init__(
        self,
        seed: int = 0,
        *,
        groups: tuple[str, ...] | None = None,
        salad_share: float = 0.35,
        split: str = "all",
        unknown_share: float = 0.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.fake_en = Faker("en_US")
        self.fake_en.seed_instance(seed + 1)
        divs = lexicon.divisions()
        self.provinces = [d for d in divs if d.level == 1]
        self.cities = [d for d in divs if d.level == 2]
        self.counties = [d for d in divs if d.level == 3]
        self.groups = list(templates.GROUPS) if groups is None else list(groups)
        # split "train" / "heldout": every fourth template of a group is kept for held-out
        # tuning, so that tuning measures contexts the model has never seen.
        self.templates = {g: _split(templates.GROUPS[g], split) for g in self.groups}
        self.weights = [templates.GROUP_WEIGHTS[g] for g in self.groups]
        self.salad_share = salad_share
        self.unknown_share = unknown_share
        self.words, self.cum_weights = filler_vocabulary()
        # Known places and companies (sorted: the order must not depend on hashing).
        self.gaz_places = tuple(sorted(lexicon.place_words()))
        self.gaz_orgs = tuple(sorted(w for w in lexicon.org_words() if len(w) <= 6))
        # Any common character may appear in a given name: the model must not rely on a list.
        self.name_chars = tuple(
            sorted({ch for w in self.words for ch in w if "\u4e00" <= ch <= "\u9fff"})
        )

    # -- entity values ---------------------------------------------------------------------

    def person(self) -> str:
        r = self.rng.random()
        rng = self.rng
        if r < 0.30:
            return str(self.fake.name())
        if r < 0.72:
            pool = lexicon.GIVEN_CHARS if rng.random() < 0.6 else self.name_chars
            given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))
            return (
                rng.choice(lexicon.SURNAMES[: rng.choice((60, 150, len(lexicon.SURNAMES)))]) + given
            )
        if r < 0.76:
            given = "".join(rng.choice(lexicon.GIVEN_CHARS) for _ in range(rng.choice((1, 2))))
            return rng.choice(lexicon.COMPOUND_SURNAMES) + given
        if r < 0.88:
            parts = [
                "".join(rng.choice(lexicon.TRANSLIT_SYLLABLES) for _ in range(rng.randint(2, 4)))
                for _ in range(rng.choice((1, 1, 1, 2)))
            ]
            return "·".join(parts)
        if r < 0.92:
            return "·".join(rng.sample(lexicon.MINORITY_PARTS, 2))
        if r < 0.96:
            en = self.fake_en
            return str(en.first_name() if rng.random() < 0.5 else en.last_name())
        return rng.choice(lexicon.SURNAMES[:100]) + rng.choice(("某", "某某", "某甲"))

    def place(self) -> str:
        """A division alone (广东, 深圳市, 海淀区), a foreign city, or a street or village
        without a number (文汇路, 李家村): an address in news text."""
        rng = self.rng
        r = rng.random()
        if r < 0.06:
            return rng.choice(templates.FOREIGN_CITIES)
        if r < 0.14 and self.gaz_places:
            return rng.choice(self.gaz_places)
        if r < 0.25:
            return self.local_place()
        pool = rng.choice((self.provinces, self.cities, self.cities, self.counties))
        d = rng.choice(pool)
        name = lexicon.short_name(d.name, d.level) if rng.random() < 0.5 else d.name
        if rng.random() < 0.15:
            county = rng.choice(self.counties)
            name = d.name + county.name if d.level < 3 else name
        return name

    def _chain(self) -> list[str]:
        """Province, city and county names of one real county (parents looked up by code)."""
        rng = self.rng
        county = rng.choice(self.counties)
        by_code = {d.code: d for d in (*self.provinces, *self.cities)}
        prov = by_code.get(county.code[:2] + "0" * 10)
        city = by_code.get(county.code[:4] + "0" * 8)
        parts: list[str] = []
        if prov and rng.random() < 0.6:
            parts.append(prov.name if rng.random() < 0.8 else lexicon.short_name(prov.name, 1))
        if city and city.name != (prov.name if prov else "") and rng.random() < 0.8:
            parts.append(city.name)
        parts.append(county.name)
        return parts

    def street(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            road = str(self.fake.street_name())
        else:
            road = "".join(rng.choice(_ROAD_CHARS) for _ in range(2)) + rng.choice(_ROAD_SUFFIXES)
        num = f"{rng.randint(1, 999)}号"
        if rng.random() < 0.1:
            num = rng.choice(("", "甲", "乙")) + f"{rng.randint(1, 99)}-{rng.randint(1, 20)}号"
        out = road + num
        return out + self.building_tail()

    def building_tail(self) -> str:
        """What follows a house number: building, unit, floor, room — or nothing."""
        rng = self.rng
        r = rng.random()
        n = rng.randint
        if r < 0.25:
            return ""
        if r < 0.4:
            return f"{n(1, 30)}栋{n(1, 6)}单元{n(101, 2806)}室"
        if r < 0.5:
            return rng.choice(
                (f"{n(1, 30)}栋", f"{n(1, 30)}幢", f"{n(1, 20)}号楼", f"{n(1, 9)}号院")
            )
        if r < 0.62:
            estate = "".join(rng.choice(_BRAND_CHARS) for _ in range(2)) + rng.choice(_ESTATES)
            return estate + rng.choice(
                (f"{n(1, 20)}号楼", f"{n(1, 20)}栋{n(101, 2806)}", f"{n(1, 9)}期{n(1, 30)}栋", "")
            )
        if r < 0.72:
            tower = "".join(rng.choice(_BRAND_CHARS) for _ in range(rng.randint(2, 3)))
            return (
                tower
                + rng.choice(("大厦", "广场", "中心", "国际大厦"))
                + rng.choice(
                    (
                        f"{rng.choice('ABCDE')}座{n(101, 3208)}室",
                        f"{rng.choice('ABCD')}塔{n(101, 3208)}",
                        f"{n(1, 40)}层",
                        f"{n(1, 40)}楼{n(1, 20)}号",
                    )
                )
            )
        if r < 0.8:
            latin = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n(2, 4)))
            return f"{latin}{rng.choice(('', ' '))}{rng.choice('ABCT')}{n(1, 9)} {n(101, 2508)}"
        if r < 0.9:
            return f"{rng.choice('ABCDE')}座{n(101, 3208)}室"
        return f"{n(1, 30)}层{n(1, 20)}室"

    def local_place(self) -> str:
        """A street, town, village or estate name with no house number."""
        rng = self.rng
        stem = "".join(rng.choice(_ROAD_CHARS + _BRAND_CHARS) for _ in range(rng.choice((1, 2, 2))))
        kind = rng.random()
        if kind < 0.45:
            return stem + rng.choice(_ROAD_SUFFIXES)
        if kind < 0.7:
            return stem + rng.choice(("村", "镇", "乡", "街道", "社区", "屯", "庄"))
        return stem + rng.choice(_ESTATES)

    def address(self) -> str:
        rng = self.rng
        parts = self._chain()
        if rng.random() < 0.2:  # no house number: 北京市朝阳区三里屯, 杭州市文三路
            parts.append(self.local_place())
            return "".join(parts[-rng.randint(1, len(parts)) :])
        if rng.random() < 0.25:
            town = "".join(rng.choice(_ROAD_CHARS) for _ in range(2)) + rng.choice(_STREET_TOWNS)
            parts.append(town)
            if town.endswith(("镇", "乡")) and rng.random() < 0.5:
                parts.append(rng.choice(lexicon.SURNAMES[:50]) + "家村" + f"{rng.randint(1, 9)}组")
                return "".join(parts)
        parts.append(self.street())
        drop = rng.random()
        if drop < 0.2 and len(parts) > 2:
            parts = parts[-2:]
        return "".join(parts)

    def brand(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            prefix = str(self.fake.company_prefix())
            return prefix.removesuffix("公司")
        return "".join(rng.choice(_BRAND_CHARS) for _ in range(rng.choice((2, 2, 3, 4))))

    def organization(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return str(self.fake.company())
        if r < 0.6:
            head = ""
            if rng.random() < 0.5:
                c = rng.choice(self.cities)
                head = c.name if rng.random() < 0.5 else lexicon.short_name(c.name, 2)
            suffix = rng.choice(
                ("有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "公司")
            )
            return head + self.brand() + rng.choice(_INDUSTRIES) + suffix
        if r < 0.75:
            return self.brand() + rng.choice(
                ("集团", "公司", "银行", "证券", "保险", "控股", "科技", "传媒", "网", "汽车")
            )
        if r < 0.85:
            c = rng.choice(self.cities)
            city = lexicon.short_name(c.name, 2)
            return rng.choice(
                (
                    f"{self.brand()}银行{city}分行",
                    f"中国{rng.choice(('工商', '建设', '农业'))}银行{city}{rng.choice(_ROAD_CHARS)}{rng.choice(_ROAD_CHARS)}支行",
                    f"{city}{self.brand()}律师事务所",
                    f"{city}第{rng.randint(1, 9)}人民医院",
                    f"{city}{rng.choice(('理工', '师范', '财经', '医科', ''))}大学",
                )
            )
        if r < 0.92:
            return self.brand() + rng.choice(
                ("会计师事务所", "研究院", "商贸行", "工作室", "俱乐部")
            )
        return self.brand() + rng.choice(_INDUSTRIES) + rng.choice(("分公司", "有限公司"))

    # -- fillers ---------------------------------------------------------------------------

    def filler(self, slot: str) -> str:
        rng = self.rng
        if slot == "tel":
            return str(self.fake.phone_number())
        if slot == "date":
            y, m, d = rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)
            return rng.choice((f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{m}月{d}日"))
        if slot == "money":
            return str(rng.choice((rng.randint(1, 999), rng.randint(1000, 9_999_999))))
        if slot == "num":
            return str(rng.randint(1, 99))
        if slot == "idno":
            return str(self.fake.ssn())
        if slot == "goods":
            return rng.choice(templates.GOODS)
        if slot == "time":
            return f"{rng.randint(0, 23)}点{rng.choice(('', '半', '30分'))}"
        if slot == "email":
            return str(self.fake_en.email())
        if slot == "order":
            return "".join(rng.choice("0123456789ABCDEFGHJK") for _ in range(rng.randint(8, 18)))
        if slot == "country":
            return rng.choice(templates.COUNTRIES)
        if slot == "gov":
            if rng.random() < 0.15:
                return rng.choice(("国务院", "财政部", "商务部", "公安部", "国家统计局", "央行"))
            c = rng.choice(self.cities)
            head = c.name if rng.random() < 0.5 else lexicon.short_name(c.name, 2)
            return head + rng.choice(templates.GOV_BODIES)
        if slot == "work":
            return self.salad(rng.randint(1, 3)).replace("{", "").replace("}", "")
        if slot == "word":
            return rng.choice(templates.WORDS) if rng.random() < 0.3 else self.salad()
        raise KeyError(slot)

    def bare_brand(self) -> str:
        """A company named without a suffix, as news text does (a brand, an 网 or a 通)."""
        rng = self.rng
        r = rng.random()
        if r < 0.25 and self.gaz_orgs:
            return rng.choice(self.gaz_orgs)
        if r < 0.35:
            letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            return "".join(rng.choice(letters) for _ in range(rng.randint(2, 4)))
        pool = _BRAND_CHARS if r < 0.5 else self.name_chars
        stem = "".join(rng.choice(pool) for _ in range(rng.choice((2, 2, 2, 3, 4))))
        if rng.random() < 0.15:
            stem += rng.choice(("网", "通", "宝", "达", "易购", "电器", "汽车", "航空", "地产"))
        return stem

    def entity(self, slot: str) -> str:
        if slot == "B":
            return self.bare_brand()
        if slot == "P":
            return self.person()
        if slot == "A":
            return self.address()
        if slot == "C":
            return self.place()
        return self.organization()

    # -- sentences -------------------------------------------------------------------------

    def salad(self, n: int | None = None) -> str:
        """Common words in random order: natural local character statistics, no entities."""
        rng = self.rng
        total = self.cum_weights[-1]
        k = n if n is not None else rng.randint(2, 9)
        words = [
            self.words[bisect.bisect(self.cum_weights, rng.random() * total)] for _ in range(k)
        ]
        if self.unknown_share:
            # Unknown words that are not names (a product, a game, a nickname): without them
            # every unfamiliar string in training is an entity, and the model learns that.
            for i in range(k):
                if rng.random() < self.unknown_share:
                    words[i] = "".join(
                        rng.choice(self.name_chars) for _ in range(rng.randint(2, 3))
                    )
        return "".join(words)

    def salad_template(self) -> str:
        """A filler clause with zero to two entity slots at random places."""
        rng = self.rng
        parts = [self.salad(rng.randint(1, 5)).replace("{", "").replace("}", "")]
        for _ in range(rng.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]):
            parts.append(rng.choice(("{P}", "{P}", "{O}", "{C}", "{A}")))
            parts.append(self.salad(rng.randint(1, 5)).replace("{", "").replace("}", ""))
        return "".join(parts)

    def cue_template(self) -> str:
        """Filler, an optional cue word, an entity slot, an optional cue word, filler."""
        rng = self.rng
        slot = rng.choice(("P", "P", "P", "C", "O", "B", "A"))
        before, after = templates.CUES[{"B": "O", "A": "C"}.get(slot, slot)]
        head = self.salad(rng.randint(0, 3))
        if rng.random() < 0.7:
            head += rng.choice(before)
        tail = rng.choice(after) if rng.random() < 0.7 else ""
        tail += self.salad(rng.randint(0, 3))
        strip = str.maketrans("", "", "{}")
        return head.translate(strip) + "{" + slot + "}" + tail.translate(strip)

    def clause(self) -> tuple[str, list[tuple[int, int, str]]]:
        r = self.rng.random()
        if r < self.salad_share:
            template = self.salad_template() if r < self.salad_share / 2 else self.cue_template()
        else:
            group = self.rng.choices(self.groups, self.weights)[0]
            template = self.rng.choice(self.templates[group])
        out: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        length = 0
        for m in _SLOT.finditer(template):
            out.append(template[pos : m.start()])
            length += m.start() - pos
            slot = m.group(1)
            if slot in _SLOT_LABEL:
                value = self.entity(slot)
                spans.append((length, length + len(value), _SLOT_LABEL[slot]))
            else:
                value = self.filler(slot)
            out.append(value)
            length += len(value)
            pos = m.end()
        out.append(template[pos:])
        return "".join(out), spans

    def sentence(self) -> Sentence:
        rng = self.rng
        n = rng.choices((1, 2, 3), (0.45, 0.4, 0.15))[0]
        text = ""
        spans: list[tuple[int, int, str]] = []
        for i in range(n):
            clause, cspans = self.clause()
            if i:
                text += rng.choice(("，", "，", "。", "；", " ", "！", "？"))
            spans.extend((s + len(text), e + len(text), lab) for s, e, lab in cspans)
            text += clause
        if rng.random() < 0.5:
            text += rng.choice(("。", "。", "！", "…", "~", ""))
        tags = ["O"] * len(text)
        for s, e, lab in spans:
            tags[s] = f"B-{lab}"
            for k in range(s + 1, e):
                tags[k] = f"I-{lab}"
        return Sentence(text, tuple(tags), tuple(spans))

    def sentences(self, n: int) -> Iterator[Sentence]:
        for _ in range(n):
            yield self.sentence()
