from __future__ import annotations

from pathlib import Path

import pytest

from baomi.errors import PermissionDeniedError
from baomi.services import deals
from baomi.services.comply import exposure
from baomi.services.comply.exposure import Grade, Gravity, Higher
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.comply.rules_support import company, data

PROPERTY = "tracks_content_credit_property"
HEALTH = "accommodation_records_health_transaction"


def _group(result: exposure.Criminal, name: str) -> exposure.CrimeGroup:
    return next(g for g in result.groups if g.group == name)


# --- PIPL-66 -----------------------------------------------------------------------------------


def test_without_turnover_only_the_fixed_cap() -> None:
    f = exposure.fines(company())
    assert (f.serious_max, f.higher, f.serious_turnover_max) == (50_000_000, Higher.UNKNOWN, None)
    assert f.ordinary_max == 1_000_000
    assert f.ordinary_person == (10_000, 100_000) and f.serious_person == (100_000, 1_000_000)


@pytest.mark.parametrize(
    ("turnover", "cap", "higher"),
    [
        (999_999_999, 49_999_999, Higher.FIXED),  # 5 % = 49,999,999.95
        (1_000_000_000, 50_000_000, Higher.EQUAL),
        (1_000_000_020, 50_000_001, Higher.TURNOVER),
    ],
)
def test_both_serious_caps_are_shown_and_the_higher_named(
    turnover: int, cap: int, higher: Higher
) -> None:
    f = exposure.fines(company(turnover=turnover))
    assert f.serious_turnover_max == cap and f.higher is higher
    assert f.serious_max == max(cap, 50_000_000)
    assert {c.rule_id for c in f.citations} >= {"PIPL-66"}


# --- SPC17-5 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cards", "gravity"),
    [
        (24, Gravity.NONE),
        (25, Gravity.SERIOUS),  # 50 halved: obtained while providing services
        (26, Gravity.SERIOUS),
        (249, Gravity.SERIOUS),
        (250, Gravity.ESPECIALLY_SERIOUS),  # ten times
        (251, Gravity.ESPECIALLY_SERIOUS),
    ],
)
def test_property_records_half_threshold_in_service(cards: int, gravity: Gravity) -> None:
    c = exposure.criminal(data(cards, entities={"BANK_CARD": cards}))
    assert c.obtained_in_service
    assert _group(c, PROPERTY).serious_at == 25
    assert _group(c, PROPERTY).gravity is gravity and c.gravity is gravity


@pytest.mark.parametrize(
    ("n", "gravity"), [(2_499, Gravity.NONE), (2_500, Gravity.SERIOUS), (2_501, Gravity.SERIOUS)]
)
def test_other_pi_threshold(n: int, gravity: Gravity) -> None:
    c = exposure.criminal(data(n, entities={"CN_MOBILE": n}))
    assert _group(c, "other").gravity is gravity


@pytest.mark.parametrize(
    ("persons", "gravity"), [(249, Gravity.NONE), (250, Gravity.SERIOUS), (251, Gravity.SERIOUS)]
)
def test_health_found_from_headers_counts_the_sensitive_individuals(
    persons: int, gravity: Gravity
) -> None:
    c = exposure.criminal(data(1000, sensitive=persons, sensitive_categories=("医疗健康",)))
    g = _group(c, HEALTH)
    assert g.records == persons and g.gravity is gravity and "医疗健康" in g.members


def test_groups_add_up_in_proportion() -> None:
    # 13/25 + 1250/2500 = 1.02 → serious though no group reaches its own threshold
    c = exposure.criminal(data(1250, entities={"BANK_CARD": 13, "CN_MOBILE": 1250}))
    assert {g.gravity for g in c.groups} == {Gravity.NONE}
    assert c.aggregate == pytest.approx(1.02) and c.gravity is Gravity.SERIOUS
    c = exposure.criminal(data(1250, entities={"BANK_CARD": 12, "CN_MOBILE": 1250}))
    assert c.gravity is Gravity.NONE


def test_organisation_names_are_not_counted() -> None:
    c = exposure.criminal(data(0, entities={"ORGANIZATION": 100_000}))
    assert c.gravity is Gravity.NONE and c.aggregate == 0


@pytest.mark.parametrize(
    ("cards", "gravity"), [(49, Gravity.NONE), (50, Gravity.SERIOUS), (51, Gravity.SERIOUS)]
)
def test_full_thresholds_when_a_site_says_not_obtained_in_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards: int, gravity: Gravity
) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text("SPC17-5-MAP:\n  params: {obtained_in_service: false}\n", encoding="utf-8")
    monkeypatch.setenv("BAOMI_RULES_FILE", str(site))
    c = exposure.criminal(data(cards, entities={"BANK_CARD": cards}))
    assert not c.obtained_in_service and c.gravity is gravity
    mapping = next(x for x in c.citations if x.rule_id == "SPC17-5-MAP")
    assert mapping.unconfirmed


# --- incident grade ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "grade"),
    [
        (999_999, Grade.BELOW),
        (1_000_000, Grade.RELATIVELY_MAJOR),
        (1_000_001, Grade.RELATIVELY_MAJOR),
        (9_999_999, Grade.RELATIVELY_MAJOR),
        (10_000_000, Grade.MAJOR),
        (10_000_001, Grade.MAJOR),
        (99_999_999, Grade.MAJOR),
        (100_000_000, Grade.ESPECIALLY_MAJOR),
        (100_000_001, Grade.ESPECIALLY_MAJOR),
    ],
)
def test_incident_grade_includes_the_number(n: int, grade: Grade) -> None:
    i = exposure.incident(company(), data(n))
    assert i.grade is grade
    if grade is Grade.BELOW:
        assert i.report_hours is None and "INC-A" in {c.rule_id for c in i.citations}
        assert "立即" in i.why
    else:
        assert i.report_hours == 4 and "INC-G4" in {c.rule_id for c in i.citations}


def test_a_ciio_reports_within_one_hour() -> None:
    assert exposure.incident(company(ciio=True), data(1_000_000)).report_hours == 1


def test_the_estimate_says_it_is_one(vault: Vault) -> None:
    op = Actor("op", Role.OPERATOR)
    deals.create(vault, actor=op, name="ex1")
    e = exposure.deal_exposure(vault, actor=op, deal_ref="ex1")
    assert e.estimate and "估算" in e.note and e.incident.grade is Grade.BELOW
    with pytest.raises(PermissionDeniedError):
        exposure.deal_exposure(vault, actor=Actor("b", Role.BUYER), deal_ref="ex1")
