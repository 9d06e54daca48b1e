"""What the compliance pages say about a deal's PI uses the vocabulary's words in the page's
language: entity labels, never codes (BANK_CARD), and English category names in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from baomi.i18n import set_language
from baomi.services.comply import exposure, prefill
from baomi.services.comply.profile import TransferType
from baomi.services.comply.transfer import obligations
from tests.services.comply.rules_support import company, data, profile

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SENSITIVE = ("个人财产信息", "医疗健康", "未成年人")
DATA = data(
    500,
    sensitive=451,
    entities={"BANK_CARD": 451, "CN_MOBILE": 500, "PERSON_NAME": 500},
    sensitive_categories=SENSITIVE,
)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_the_criminal_groups_name_their_members_in_chinese() -> None:
    groups = {g.group: g for g in exposure.criminal(DATA).groups}
    shown = " ".join(g.members_text for g in groups.values())
    assert "银行卡号" in shown and "手机号" in shown and "姓名" in shown and "医疗健康" in shown
    assert not re.search(r"[A-Z]{2,}_?[A-Z]*", shown), shown


def test_the_criminal_groups_name_their_members_in_english(english: None) -> None:
    shown = " ".join(g.members_text for g in exposure.criminal(DATA).groups)
    assert "bank card number" in shown and "mobile number" in shown
    assert not CJK.search(shown), shown
    assert "BANK_CARD" not in shown


def test_the_sensitive_obligation_names_categories_in_english(english: None) -> None:
    obs = obligations(profile(TransferType.EQUITY), company(), DATA)
    why = next(o.why for o in obs if o.id == "sensitive-consent")
    assert "personal property information" in why and not CJK.search(why), why


@pytest.mark.parametrize("key", ["sensitive", "categories"])
def test_the_pia_prefill_names_categories_in_english(english: None, key: str) -> None:
    summary = replace(DATA, categories={"个人财产信息": 451, "个人基本资料": 1000})
    src = prefill.Sources(profile(TransferType.EQUITY), summary, {}, None)  # type: ignore[arg-type]
    text = prefill._prefill(key, src)[0]
    assert "personal property information" in text and not CJK.search(text), text
