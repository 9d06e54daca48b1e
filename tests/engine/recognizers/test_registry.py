"""Contracts every built-in recognizer keeps (one table: ``BUILTIN_RECOGNIZERS``)."""

from __future__ import annotations

import re

import polars as pl
import pytest

from baomi.engine.entities import ENTITIES
from baomi.engine.recognizers.base import PatternRecognizer, Recognizer
from baomi.engine.recognizers.registry import BUILTIN_RECOGNIZERS, Registry
from tests.engine.recognizers.support import luhn, resident_id, uscc

ALL_BUILTINS = list(Registry.default(plugins=False))
#: Pattern recognizers; the model-based prose recognizers keep their own contract below.
BUILTINS = [r for r in ALL_BUILTINS if not r.model_based]
IDS = [type(r).__name__ for r in BUILTINS]

#: Raw values as the fast column path sees them (stripped cells), per entity.
SAMPLES: dict[str, list[str]] = {
    "CN_RESIDENT_ID": [resident_id(), resident_id("11010519900307123")[:-1] + "x"],
    "CN_USCC": [uscc(), uscc().lower()],
    "BANK_CARD": [luhn("622202123456789012"), "6222-0212-3456-7890"],
    "CN_MOBILE": ["13812345678", "+86 138-1234-5678", "(+86)13812345678"],
    "CN_LANDLINE": ["010-62345678", "(0755)2345678", "0571 87654321转123"],
    "PHONE_NUMBER": [
        "+852 9123 4567",
        "+1 (415) 555-0132",
        "+44 20 7946 0958",
        "+7 123",
        "(0191) 496 0528",
        "954.632.3194x875",
        "2024-03-15",
        "13812345678",
    ],
    "CN_PASSPORT": ["E12345678", "ea1234567"],
    "PASSPORT": ["C01X00T47", "tk1234567", "821993518", "ABCDEF12"],
    "CN_HMT_PERMIT": ["H12345678", "m1234567890"],
    "HK_ID": ["A123456(3)", "ca1823611", "A123456(4)", "AB123456(A)"],
    "TW_ID": ["A123456789", "f131104093", "A123456788"],
    "MO_ID": ["1234567(8)", "51234567"],
    "CN_LICENSE_PLATE": ["京A12345", "粤B·D12345", "沪A 12345"],
    "EMAIL": ["Abc@Example.COM", "no-at-sign", "lower@case.cn", "Mixed.Local@lower.cn", "a@b@C.cn"],
    "IP_ADDRESS": ["192.168.1.10", "FE80::1"],
    "DATE_OF_BIRTH": ["1990-03-07", "1990/3/7", "1990年3月7日", "19900307"],
    "PERSON_NAME": ["张伟", "阿依•买买提"],
    "ADDRESS": ["北京市朝阳区建国路88号"],
    "ORGANIZATION": ["某某科技有限公司"],
}


def test_every_builtin_is_listed_once_and_loads() -> None:
    assert len(BUILTIN_RECOGNIZERS) == len(set(BUILTIN_RECOGNIZERS)) == len(ALL_BUILTINS)
    assert {r.entity for r in BUILTINS} == set(ENTITIES)


def test_prose_recognizers_come_after_the_column_recognizers_of_their_entity() -> None:
    order = [(r.entity, r.model_based) for r in ALL_BUILTINS]
    models = [r for r in ALL_BUILTINS if r.model_based]
    assert {r.entity for r in models} == {"PERSON_NAME", "ADDRESS", "ORGANIZATION"}
    for r in models:
        assert order.index((r.entity, False)) < order.index((r.entity, True))
        assert r.prefilter is not None and not r.column_only
    assert all(not r.model_based for r in Registry.default(plugins=False).without_models())


def test_priority_resident_id_before_bank_card_before_uscc() -> None:
    order = [r.entity for r in BUILTINS]
    assert order.index("CN_RESIDENT_ID") < order.index("BANK_CARD") < order.index("CN_USCC")


@pytest.mark.parametrize("r", BUILTINS, ids=IDS)
def test_declarative_contract(r: Recognizer) -> None:
    module_doc = __import__(type(r).__module__, fromlist=["_"]).__doc__ or ""
    assert len(module_doc) > 200  # format, meaning of each part, check, standard
    assert type(r).__name__.endswith("Recognizer")
    assert r.header_hints and all(h == h.lower() for h in r.header_hints)
    assert r.prefilter is not None
    pl.Series(["x"]).str.contains(r.prefilter)  # valid Rust regex
    assert isinstance(r, PatternRecognizer)
    assert (
        r.fast_cell_regex and r.fast_cell_regex.startswith("^") and r.fast_cell_regex.endswith("$")
    )
    pl.Series(["x"]).str.contains(r.fast_cell_regex)
    for p in r.patterns:
        assert r"\b" not in p.regex  # CJK characters are word characters (DESIGN.md)
        re.compile(p.regex)


@pytest.mark.parametrize("r", BUILTINS, ids=IDS)
def test_canonical_series_agrees_with_canonical(r: Recognizer) -> None:
    values = SAMPLES[r.entity]
    assert r.canonical_series(pl.Series(values)).to_list() == [r.canonical(v) for v in values]


@pytest.mark.parametrize("r", BUILTINS, ids=IDS)
def test_validate_series_agrees_with_validate(r: Recognizer) -> None:
    assert isinstance(r, PatternRecognizer)
    values = [r.canonical(v) for v in SAMPLES[r.entity]] + ["12345678901", "x"]
    assert r.validate_series(pl.Series(values)).to_list() == [r.validate(v) for v in values]


def test_register_a_custom_recognizer_through_the_same_path() -> None:
    class TicketRecognizer(PatternRecognizer):
        entity = "TICKET"
        patterns = ()

    reg = Registry.default(plugins=False)
    reg.register(TicketRecognizer())
    assert reg.entities[-1] == "TICKET"
    with pytest.raises(TypeError):
        reg.register(object())  # type: ignore[arg-type]


def test_canonical_series_leaves_its_input_alone() -> None:
    # The e-mail form rebuilds only some values (scatter): the caller's series must not change.
    from baomi.engine.recognizers.generic.email import EmailRecognizer

    values = pl.Series(["Abc@Example.COM", "x@y.cn"])
    EmailRecognizer().canonical_series(values)
    assert values.to_list() == ["Abc@Example.COM", "x@y.cn"]
