from __future__ import annotations

import pytest

from baomi.errors import PermissionDeniedError
from baomi.services import deals
from baomi.services.comply import duties
from baomi.services.comply.profile import TransferType
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.comply.rules_support import company, data, profile

#: one below, at, one above
AROUND_1M = [(999_999, False), (1_000_000, True), (1_000_001, True)]


@pytest.mark.parametrize(("n", "expected"), AROUND_1M)
def test_officer_from_one_million_inclusive(n: int, expected: bool) -> None:
    d = duties.officer(data(n))
    assert d.applies is expected
    assert {c.rule_id for c in d.citations} == {"PIPL-52", "AUD-12"}
    assert "上限" in d.basis  # says which bound it used


@pytest.mark.parametrize(("n", "expected"), AROUND_1M)
def test_officer_filing_from_one_million_inclusive(n: int, expected: bool) -> None:
    d = duties.pipo_filing(data(n))
    assert d.applies is expected and "30" in d.why


def test_only_the_upper_bound_reaching_is_said() -> None:
    assert duties.officer(data(1_000_000, at_least=999_999)).upper_bound_only
    assert not duties.officer(data(1_000_000, at_least=1_000_000)).upper_bound_only


@pytest.mark.parametrize(
    ("n", "expected"), [(999_999, False), (1_000_000, False), (1_000_001, True)]
)
def test_standard_officer_over_one_million_strict(n: int, expected: bool) -> None:
    assert duties.officer_standard(company(), data(n)).applies is expected


@pytest.mark.parametrize(
    ("sensitive", "expected"), [(99_999, False), (100_000, False), (100_001, True)]
)
def test_standard_officer_over_100k_sensitive_strict(sensitive: int, expected: bool) -> None:
    d = duties.officer_standard(company(), data(200_000, sensitive=sensitive))
    assert d.applies is expected
    assert {"S35-11.1", "S455-3"} <= {c.rule_id for c in d.citations}


@pytest.mark.parametrize(("staff", "expected"), [(199, False), (200, False), (201, True)])
def test_standard_officer_pi_business_over_200_staff(staff: int, expected: bool) -> None:
    d = duties.officer_standard(company(staff=staff, pi_business=True), data(10))
    assert d.applies is expected


def test_standard_officer_staff_unknown_or_no_pi_business() -> None:
    assert duties.officer_standard(company(pi_business=True), data(10)).applies is None
    assert duties.officer_standard(company(staff=5000), data(10)).applies is False


@pytest.mark.parametrize(
    ("n", "expected"), [(9_999_999, False), (10_000_000, False), (10_000_001, True)]
)
def test_audit_every_two_years_over_ten_million_strict(n: int, expected: bool) -> None:
    d = duties.audit_frequency(data(n))
    assert d.applies is expected and "AUD-FREQ" in {c.rule_id for c in d.citations}


@pytest.mark.parametrize(
    ("n", "expected"), [(9_999_999, False), (10_000_000, True), (10_000_001, True)]
)
def test_nds28_from_ten_million_inclusive(n: int, expected: bool) -> None:
    assert duties.important_processor(company(), data(n)).applies is expected
    d = duties.transfer_report(profile(TransferType.MERGER), company(), data(n))
    assert d.applies is expected


def test_nds32_depends_on_the_transfer_type_and_important_data() -> None:
    big = data(10_000_000)
    assert duties.transfer_report(profile(None), company(), big).applies is None
    assert duties.transfer_report(profile(TransferType.EQUITY), company(), big).applies is False
    assert duties.transfer_report(profile(TransferType.BANKRUPTCY), company(), big).applies
    small = data(10)
    assert duties.transfer_report(
        profile(TransferType.DISSOLUTION), company(important=True), small
    ).applies
    assert duties.important_processor(company(important=True), small).applies


def test_the_service_reads_the_deal(vault: Vault) -> None:
    op = Actor("op", Role.OPERATOR)
    deals.create(vault, actor=op, name="du1")
    listed = duties.deal_duties(vault, actor=op, deal_ref="du1")
    assert listed[0].id == "officer" and not listed[0].applies
    with pytest.raises(PermissionDeniedError):
        duties.deal_duties(vault, actor=Actor("b", Role.BUYER), deal_ref="du1")
