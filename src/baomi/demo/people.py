"""Generated (not real) people: names and companies from Faker zh_CN, the rest computed.

Addresses use the real administrative divisions (:mod:`baomi.demo.divisions`); resident IDs use
the address code of the same county, the birth date and sex of the person, and a GB 11643 check
character. E-mail addresses use the reserved ``example.*`` domains (RFC 2606).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from baomi.demo import identifiers as ids
from baomi.demo.divisions import Division, load_divisions
from baomi.demo.truth import SpanText

if TYPE_CHECKING:
    from faker import Faker

#: Fixed "today" of every data set, so a seed gives the same files on any day.
REFERENCE_DATE = dt.date(2026, 1, 1)

_ROADS = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "胜利路", "光明路",
    "长江路", "黄河路", "朝阳路", "友谊路", "幸福路", "学府路", "滨江路", "青年路", "团结路",
    "工业大道", "迎宾大道", "世纪大道", "科技路", "花园路", "东风路", "五一路", "车站路",
)  # fmt: skip
_ESTATES = ("小区", "花园", "家园", "苑", "公寓", "新村", "名都", "华庭")
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


@dataclass(frozen=True, slots=True)
class Person:
    """A generated customer. ``key`` is unique within one data set (for counting individuals)."""

    key: int
    name: str
    male: bool
    born: dt.date
    resident_id: str
    mobile: str
    email: str
    bank_card: str
    bank: str
    division: Division
    address: str
    company: str

    def age(self, on: dt.date = REFERENCE_DATE) -> int:
        return on.year - self.born.year - ((on.month, on.day) < (self.born.month, self.born.day))


class PersonFactory:
    """Seeded source of people, addresses, companies and messy free-text notes."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # deferred: Faker's locale data takes a moment to load

        self.rng = random.Random(seed)
        self.fake: Faker = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.divisions = load_divisions()
        self.address_codes = tuple(d.code for d in self.divisions)
        self._next_key = 0
        self._emails: set[str] = set()

    # -- single values -------------------------------------------------------------------
    def name(self) -> str:
        return str(self.fake.name())

    def company(self) -> str:
        return str(self.fake.company())

    def address(self, division: Division | None = None) -> str:
        rng = self.rng
        d = division or rng.choice(self.divisions)
        road = rng.choice(_ROADS)
        number = f"{rng.randrange(1, 999)}号"
        style = rng.random()
        if style < 0.5:
            estate = self.fake.last_name() + rng.choice(("福", "康", "安", "泰", "华", "景"))
            tail = (
                f"{estate}{rng.choice(_ESTATES)}{rng.randrange(1, 30)}栋"
                f"{rng.randrange(1, 6)}单元{rng.randrange(1, 33)}0{rng.randrange(1, 5)}室"
            )
        elif style < 0.8:
            tail = f"{rng.randrange(1, 20)}号楼{rng.randrange(1, 28)}0{rng.randrange(1, 9)}"
        else:
            tail = ""
        return f"{d.full_name}{road}{number}{tail}"

    def email(self) -> str:
        """An address no other person of this factory has (Faker's user names repeat: a
        shared address would join two people, as a scan joins records by it)."""
        user = str(self.fake.user_name())
        if self.rng.random() < 0.3:
            user += str(self.rng.randrange(1, 1000))
        address = f"{user}@{self.rng.choice(_EMAIL_DOMAINS)}"
        name, domain = address.split("@")
        n = len(self._emails)
        while address in self._emails:  # another, not drawn again: the rest stays as it was
            n += 1
            address = f"{name}.{n}@{domain}"
        self._emails.add(address)
        return address

    def person(self, *, min_age: int = 18, max_age: int = 80) -> Person:
        rng = self.rng
        male = rng.random() < 0.5
        last = str(self.fake.last_name())
        first = str(self.fake.first_name_male() if male else self.fake.first_name_female())
        division = rng.choice(self.divisions)
        home = division if rng.random() < 0.6 else rng.choice(self.divisions)
        born = ids.birth_date(rng, min_age, max_age, REFERENCE_DATE)
        self._next_key += 1
        return Person(
            key=self._next_key,
            name=last + first,
            male=male,
            born=born,
            resident_id=ids.resident_id(rng, division.code, born, male),
            mobile=ids.mobile_number(rng),
            email=self.email(),
            bank_card=ids.bank_card(rng),
            bank=rng.choice(ids.BANK_NAMES),
            division=home,
            address=self.address(home),
            company=self.company(),
        )

    # -- written forms -------------------------------------------------------------------
    def mobile_text(self, p: Person) -> str:
        return ids.format_mobile(self.rng, p.mobile)

    def id_text(self, p: Person) -> str:
        return ids.format_resident_id(self.rng, p.resident_id)

    def card_text(self, p: Person) -> str:
        return ids.format_bank_card(self.rng, p.bank_card)

    def note(self, p: Person, other: Person | None = None) -> SpanText:
        """A CRM-style remark with the person's identifiers embedded in running text.

        ``other`` (a second person, e.g. who receives the parcel) appears in some templates.
        """
        rng = self.rng
        t = SpanText()
        kind = rng.randrange(10 if other is not None else 9)
        if kind == 0:
            t.add("请联系").pi(p.name, "PERSON_NAME").add("（")
            t.pi(self.mobile_text(p), "CN_MOBILE").add("）确认收货地址")
        elif kind == 1:
            t.add("客户").pi(p.name, "PERSON_NAME").add("要求发票寄至")
            t.pi(p.address, "ADDRESS").add("，电话").pi(self.mobile_text(p), "CN_MOBILE")
        elif kind == 2:
            t.add("已核验身份证").pi(self.id_text(p), "CN_RESIDENT_ID").add("，本人办理")
        elif kind == 3:
            t.add("退款请打到卡号").pi(self.card_text(p), "BANK_CARD")
            t.add("，户名").pi(p.name, "PERSON_NAME")
        elif kind == 4:
            t.add("客户邮箱").pi(p.email, "EMAIL").add("，电子合同已发送")
        elif kind == 5:
            t.pi(p.name, "PERSON_NAME").add("的手机号改为").pi(self.mobile_text(p), "CN_MOBILE")
            t.add("，旧号停用")
        elif kind == 6:
            t.add("开票信息：").pi(p.company, "ORGANIZATION").add("，联系人")
            t.pi(p.name, "PERSON_NAME").add(" 身份证号 ").pi(self.id_text(p), "CN_RESIDENT_ID")
        elif kind == 7:
            t.add("客户在").pi(p.company, "ORGANIZATION").add("上班，工作日白天送货到公司")
        elif kind == 8:
            t.add("回访：").pi(p.name, "PERSON_NAME").add("对服务满意，邮箱")
            t.pi(p.email, "EMAIL").add("可接收活动通知")
        else:
            assert other is not None
            t.others.append(other.key)
            t.add("代收人").pi(other.name, "PERSON_NAME").add("，电话")
            t.pi(self.mobile_text(other), "CN_MOBILE").add("，放门卫室即可")
        return t

    def plain_note(self) -> str:
        """A remark without PI."""
        return self.rng.choice(
            (
                "老客户，无特殊要求",
                "周末不收货",
                "已电话回访，满意",
                "需要开增值税专用发票",
                "包装请加厚",
                "",
                "",
                "VIP客户，优先发货",
                "下单后48小时内发货",
            )
        )
