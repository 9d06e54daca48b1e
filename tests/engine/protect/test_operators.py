"""Operator tables: format kept, check digits valid, consistency, per-key differences."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import polars as pl
import pytest

from baomi.demo import identifiers as ids
from baomi.engine import checksums
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.operators.fpe import fpe_decrypt, fpe_encrypt
from baomi.engine.protect.operators.generalize import generalize_value
from baomi.engine.protect.operators.mask import MaskOperator, mask_value
from baomi.engine.protect.operators.pseudonym import pseudonym_value
from baomi.engine.protect.params import (
    FpeParams,
    GeneralizeParams,
    HashParams,
    MaskParams,
    PseudonymParams,
    ReplaceParams,
    TokenizeParams,
)
from baomi.engine.protect.registry import BUILTIN_OPERATORS, OperatorRegistry
from baomi.engine.protect.tokens import TokenVault, detokenize_text

from .conftest import make_card, make_id, make_mobile

RNG = random.Random(7)
ID = make_id(RNG, 1985)
CARD = make_card(RNG)


@pytest.mark.parametrize(
    ("entity", "value", "expected"),
    [
        ("CN_MOBILE", "13812345678", "138****5678"),
        ("CN_MOBILE", "+86 138-1234-5678", "+86 138-****-5678"),
        ("CN_RESIDENT_ID", ID, ID[:6] + "********" + ID[-4:]),
        ("PERSON_NAME", "张三明", "张*明"),
        ("PERSON_NAME", "王五", "王*"),
        # a name of Latin words: masked word by word, the initials shown
        ("PERSON_NAME", "John Smith", "J*** S****"),
        ("PERSON_NAME", "SMITH, Mary-Jane", "S****, M***-J***"),
        ("PERSON_NAME", "Peter", "P***r"),  # one word: as any name
        ("BANK_CARD", CARD, "*" * (len(CARD) - 4) + CARD[-4:]),
        ("EMAIL", "alice@example.com", "a***@example.com"),
        ("ADDRESS", "广东省深圳市南山区科技园路1号", "广东省深圳市南山区****"),
        ("ADDRESS", "北京市朝阳区建国路88号", "北京市朝阳区****"),
        # no division to keep: nothing of the value survives (was kept whole when short)
        ("ADDRESS", "体育西路88号", "****"),
        ("ADDRESS", "张家院", "****"),
        # a bare place name is no one's address: shown, as any address shows its divisions
        ("ADDRESS", "深圳", "深圳"),
        ("ADDRESS", "广东深圳", "广东深圳"),
        ("ADDRESS", "美国", "美国"),
        ("ADDRESS", "深圳南山科技园", "****"),
        ("CN_LANDLINE", "010-12345678", "010-******78"),
    ],
)
def test_mask_conventions(entity: str, value: str, expected: str) -> None:
    assert mask_value(value, entity, MaskParams()) == expected


def test_mask_configurable_and_vectorised_path_agree(ctx: OperatorContext) -> None:
    assert mask_value(ID, "CN_RESIDENT_ID", MaskParams(keep_first=3, keep_last=1)) == (
        ID[:3] + "*" * 14 + ID[-1]
    )
    values = [make_mobile(RNG) for _ in range(50)] + ["", None, "+86 13812345678"]
    series = pl.Series("m", values)
    fast = MaskOperator().apply_series(series, "CN_MOBILE", MaskParams(), ctx).to_list()
    slow = [mask_value(v, "CN_MOBILE", MaskParams()) if v else v for v in values]
    assert fast == slow


def test_pseudonym_resident_id_is_well_formed_same_band_and_sex() -> None:
    key = b"k" * 32
    for _ in range(200):
        original = make_id(RNG)
        out = pseudonym_value(original, "CN_RESIDENT_ID", key, PseudonymParams())
        assert checksums.is_valid_resident_id(out)
        assert out != original
        assert int(out[6:10]) // 10 == int(original[6:10]) // 10  # birth-year band of 10
        assert int(out[16]) % 2 == int(original[16]) % 2  # sex digit parity


@pytest.mark.parametrize(
    ("entity", "make", "check"),
    [
        ("CN_MOBILE", make_mobile, lambda v: len(v) == 11 and v[0] == "1" and v.isdigit()),
        ("BANK_CARD", make_card, checksums.is_luhn_valid),
    ],
)
def test_pseudonym_keeps_format_and_is_a_permutation(entity, make, check) -> None:  # type: ignore[no-untyped-def]
    key = b"k" * 32
    originals = {make(RNG) for _ in range(2000)}
    outs = {pseudonym_value(v, entity, key, PseudonymParams()) for v in originals}
    assert all(check(v) for v in outs)
    assert len(outs) == len(originals)  # no two values share a pseudonym: joins stay exact


def test_pseudonym_name_looks_like_a_name() -> None:
    out = pseudonym_value("张三明", "PERSON_NAME", b"k" * 32, PseudonymParams())
    assert len(out) == 3 and all("\u4e00" <= c <= "\u9fff" for c in out)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("John Smith", r"[A-Z][a-z]+ [A-Z][a-z]+"),
        ("SMITH, John", r"[A-Z]+, [A-Z][a-z]+"),
        ("J. Tomaszewski", r"[A-Z]\. [A-Z][a-z]+"),
        ("Grace", r"[A-Z][a-z]+"),
        ("mary jones", r"[a-z]+ [a-z]+"),
    ],
)
def test_pseudonym_of_a_latin_name_is_another_of_its_shape(name: str, shape: str) -> None:
    """A foreign customer's name becomes another name in the same case and layout (it was a
    token, ``PER_…``, that no reader takes for a name), the same under the same key."""
    import re

    from faker.providers.person.en_US import Provider

    key = b"k" * 32
    out = pseudonym_value(name, "PERSON_NAME", key, PseudonymParams())
    assert re.fullmatch(shape, out) and out != name
    assert out == pseudonym_value(name, "PERSON_NAME", key, PseudonymParams())
    assert out != pseudonym_value(name, "PERSON_NAME", b"j" * 32, PseudonymParams())
    words = re.findall("[A-Za-z]{2,}", out)
    known = {w.lower() for w in (*Provider.first_names, *Provider.last_names)}
    assert all(w.lower() in known for w in words)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        # accented Latin letters and a surname's particles
        ("Émilie Benoit", r"[A-Z][a-z]+ [A-Z][a-z]+"),
        ("Édouard de la Torres", r"[A-Z][a-z]+ de la [A-Z][a-z]+"),
        # Korean names in Hangul, with a blank or without
        ("최지훈", "[\uac00-\ud7a3]{3}"),
        ("이 서연", "[\uac00-\ud7a3] [\uac00-\ud7a3]{2}"),
        ("남궁민수", "[\uac00-\ud7a3]{4}"),
        # a Japanese name with a blank and a three-character given name
        ("遠藤 美加子", "[\u4e00-\u9fff]{2} [\u4e00-\u9fff]{3}"),
    ],
)
def test_pseudonym_of_a_name_abroad_is_another_of_its_script(name: str, shape: str) -> None:
    """Names of customers abroad became a token (``PER_…``) that no reader takes for a name:
    now a name in the same script and layout, the same under the same key."""
    import re

    key = b"k" * 32
    out = pseudonym_value(name, "PERSON_NAME", key, PseudonymParams())
    assert re.fullmatch(shape, out) and out != name, out
    assert out == pseudonym_value(name, "PERSON_NAME", key, PseudonymParams())
    assert out != pseudonym_value(name, "PERSON_NAME", b"j" * 32, PseudonymParams())


def test_pseudonym_of_a_pinyin_name_is_pinyin_with_its_surname_first() -> None:
    from faker.providers.person.zh_CN import Provider

    out = pseudonym_value("Wang Xiaoming", "PERSON_NAME", b"k" * 32, PseudonymParams())
    surname, given = out.split()
    assert surname in Provider.last_romanized_names
    assert given in Provider.first_romanized_names


def test_pseudonym_consistent_across_runs_and_different_per_key(keys: KeyProvider) -> None:
    registry = OperatorRegistry.default()
    op = registry.get("pseudonym")
    a1 = OperatorContext(keys=keys, recipient="A")
    a2 = OperatorContext(keys=KeyProvider(b"test-master-key-0123456789abcdef"), recipient="A")
    b = OperatorContext(keys=keys, recipient="B")
    other = OperatorContext(keys=KeyProvider(b"another-master-key-0123456789abc"), recipient="A")
    p = PseudonymParams()
    same = [op.apply(ID, "CN_RESIDENT_ID", p, c) for c in (a1, a2)]
    assert same[0] == same[1]
    assert op.apply(ID, "CN_RESIDENT_ID", p, b) != same[0]  # per-recipient key
    assert op.apply(ID, "CN_RESIDENT_ID", p, other) != same[0]  # per master key


def test_fpe_round_trip_keeps_format_and_check_digit() -> None:
    key, p = b"f" * 32, FpeParams()
    enc = fpe_encrypt(ID, "CN_RESIDENT_ID", key, p)
    assert len(enc) == 18 and enc != ID
    assert checksums.resident_id_check_char(enc[:17]) == enc[17]
    assert fpe_decrypt(enc, "CN_RESIDENT_ID", key, p) == ID
    card = fpe_encrypt(CARD, "BANK_CARD", key, p)
    assert checksums.is_luhn_valid(card) and fpe_decrypt(card, "BANK_CARD", key, p) == CARD
    assert fpe_encrypt("138-1234-5678", None, key, p)[3] == "-"


def test_tokenize_vault_round_trip_needs_the_key(tmp_path: Path, keys: KeyProvider) -> None:
    path = tmp_path / "tokens.vault"
    vault = TokenVault(path, keys.key("vault", "tokens"), keys.key("token", "tokens"))
    ctx = OperatorContext(keys=keys, vault=vault)
    op = OperatorRegistry.default().get("tokenize")
    token = op.apply("13812345678", "CN_MOBILE", TokenizeParams(), ctx)
    assert token == op.apply("13812345678", "CN_MOBILE", TokenizeParams(), ctx)
    vault.save()
    assert b"13812345678" not in path.read_bytes()
    again = TokenVault(path, keys.key("vault", "tokens"), keys.key("token", "tokens"))
    assert detokenize_text(f"电话 {token}。", again) == ("电话 13812345678。", 1)
    from baomi.errors import CryptoError

    with pytest.raises(CryptoError):
        TokenVault(path, b"x" * 32, b"y" * 32)


@pytest.mark.parametrize(
    ("value", "params", "expected"),
    [
        ("1985-06-01", GeneralizeParams(to="age_band", as_of="2026-01-01"), "40-49"),
        ("1985年6月1日", GeneralizeParams(to="month"), "1985-06"),
        ("19850601", GeneralizeParams(to="year"), "1985"),
        ("广东省深圳市南山区科技园路1号", GeneralizeParams(to="city"), "广东省深圳市"),
        ("广东省深圳市南山区科技园路1号", GeneralizeParams(to="province"), "广东省"),
        ("北京市朝阳区建国路88号", GeneralizeParams(to="district"), "北京市朝阳区"),
        ("37", GeneralizeParams(to="range", width=5), "35-39"),
        # a birth date after the reference date has no age: suppressed, not "-10--1"
        ("2030-01-01", GeneralizeParams(to="age_band", as_of="2025-01-01"), "*"),
        ("2025-01-02", GeneralizeParams(to="age_band", as_of="2025-01-01"), "*"),
        ("2025-01-01", GeneralizeParams(to="age_band", as_of="2025-01-01"), "0-9"),
    ],
)
def test_generalize_builtins(value: str, params: GeneralizeParams, expected: str) -> None:
    assert generalize_value(value, params) == expected


def test_generalize_by_arx_hierarchy(tmp_path: Path, ctx: OperatorContext) -> None:
    (tmp_path / "h.csv").write_text("北京;华北;*\n上海;华东;*\n", encoding="utf-8")
    ctx.base_dir = str(tmp_path)
    op = OperatorRegistry.default().get("generalize")
    p = GeneralizeParams(to="hierarchy", hierarchy="h.csv", level=1)
    assert op.apply("上海", None, p, ctx) == "华东"
    assert op.apply("拉萨", None, p, ctx) == "*"


def test_other_operators(ctx: OperatorContext) -> None:
    reg = OperatorRegistry.default()
    assert reg.get("replace").apply("x", "CN_MOBILE", ReplaceParams(), ctx) == "<CN_MOBILE>"
    assert reg.get("redact").apply("x", "EMAIL", reg.get("redact").params_type(), ctx) == ""
    h = reg.get("hash").apply("13812345678", "CN_MOBILE", HashParams(), ctx)
    assert len(h) == 16 and h == reg.get("hash").apply("13812345678", None, HashParams(), ctx)
    assert reg.get("suppress").apply("x", None, reg.get("suppress").params_type(), ctx) == ""


def test_registry_is_the_single_list() -> None:
    reg = OperatorRegistry.default(plugins=False)
    assert len(reg.names) == len(BUILTIN_OPERATORS)
    assert {
        "mask",
        "pseudonym",
        "fpe",
        "tokenize",
        "generalize",
        "redact",
        "replace",
        "hash",
        "suppress",
    } <= set(reg.names)
    for op in reg:  # every operator's parameters are a frozen dataclass
        assert dataclasses.is_dataclass(op.params_type)
        assert op.params_type.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("entity", "make"),
    [
        ("CN_MOBILE", lambda r: ids.format_mobile(r, make_mobile(r))),
        ("CN_RESIDENT_ID", lambda r: ids.format_resident_id(r, make_id(r))),
        ("BANK_CARD", lambda r: ids.format_bank_card(r, make_card(r))),
        ("PERSON_NAME", lambda r: r.choice(["王", "欧阳", "李"]) + "小明"[: r.randint(0, 2)]),
        ("EMAIL", lambda r: r.choice(["a", "bob.smith", "x"]) + "@example.com"),
        (
            "ADDRESS",
            lambda r: r.choice(
                ["广东省深圳市南山区科技园路1号", "体育西路88号", "北京市", "深圳", "美国"]
            ),
        ),
    ],
)
def test_vectorised_mask_equals_the_value_by_value_mask(
    entity: str, make: object, ctx: OperatorContext
) -> None:
    """Protect masks a column's (and a notes column's) findings together: the result must
    be the one-value form's, also for the shapes that leave the vectorised path."""
    rng = random.Random(entity)
    values = [make(rng) for _ in range(120)]  # type: ignore[operator]
    series = pl.Series("v", values, dtype=pl.String)
    fast = MaskOperator().apply_series(series, entity, MaskParams(), ctx).to_list()
    assert fast == [mask_value(v, entity, MaskParams()) for v in values]


def _fold(value: str) -> str:
    """ASCII digits and X of a written value (full-width folded, separators dropped)."""
    wide = {chr(0xFF10 + d): str(d) for d in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X"}
    return "".join(wide.get(c, c) for c in value if c.isdecimal() or c in "XxＸｘ")


def _layout(value: str) -> str:
    """The written layout: every digit replaced by its width class."""
    return "".join(
        ("W" if ord(c) >= 0xFF00 else "d") if c.isdecimal() or c in "XxＸｘ" else c for c in value
    )


_MOBILE = make_mobile(RNG)
_SPELLINGS = [
    ("CN_MOBILE", _MOBILE, ids.to_fullwidth(_MOBILE)),
    ("CN_MOBILE", _MOBILE, f"{_MOBILE[:3]} {_MOBILE[3:7]} {_MOBILE[7:]}"),
    ("CN_MOBILE", _MOBILE, f"+86-{_MOBILE[:3]}-{_MOBILE[3:7]}-{_MOBILE[7:]}"),
    ("CN_MOBILE", _MOBILE, f"(+86){_MOBILE}"),
    ("CN_MOBILE", _MOBILE, f"0086 {_MOBILE}"),
    ("CN_MOBILE", _MOBILE, f"+86 {ids.to_fullwidth(_MOBILE)}"),
    ("BANK_CARD", CARD, " ".join(CARD[i : i + 4] for i in range(0, len(CARD), 4))),
    ("BANK_CARD", CARD, "-".join(CARD[i : i + 4] for i in range(0, len(CARD), 4))),
    ("BANK_CARD", CARD, ids.to_fullwidth(CARD)),
    ("CN_RESIDENT_ID", ID, ids.to_fullwidth(ID)),
    ("CN_RESIDENT_ID", ID, f"{ID[:6]} {ID[6:14]} {ID[14:]}"),
]


@pytest.mark.parametrize(("entity", "plain", "written"), _SPELLINGS)
def test_pseudonym_of_a_spelling_is_the_plain_pseudonym_in_the_same_layout(
    entity: str, plain: str, written: str
) -> None:
    """A spaced card, a full-width or +86 mobile: the pseudonym is the plain value's
    pseudonym written back into the value's own layout, so the format promise holds (issuer
    prefix, Luhn, mobile prefix, GB 11643 check) and two spellings still join."""
    key, p = b"k" * 32, PseudonymParams()
    expected = pseudonym_value(plain, entity, key, p)
    out = pseudonym_value(written, entity, key, p)
    assert _layout(out) == _layout(written)
    national = _fold(out)[-len(plain) :]
    assert national == expected
    assert _fold(out)[: -len(plain)] == _fold(written)[: -len(plain)]  # country code kept
    if entity == "BANK_CARD":
        assert checksums.is_luhn_valid(national) and national[:6] == plain[:6]
    elif entity == "CN_MOBILE":
        assert national[:3] == plain[:3]
    else:
        assert checksums.is_valid_resident_id(national)


@pytest.mark.parametrize(("entity", "plain", "written"), _SPELLINGS)
def test_fpe_of_a_spelling_is_the_plain_ciphertext_in_the_same_layout(
    entity: str, plain: str, written: str
) -> None:
    key, p = b"f" * 32, FpeParams()
    expected = fpe_encrypt(plain, entity, key, p)
    out = fpe_encrypt(written, entity, key, p)
    assert _layout(out) == _layout(written)
    assert _fold(out)[-len(plain) :] == expected
    assert _fold(out)[: -len(plain)] == _fold(written)[: -len(plain)]  # country code kept
    assert fpe_decrypt(out, entity, key, p) == written
