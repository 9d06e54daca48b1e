"""The cross-border route at every threshold's exact boundary (XB16-5/7/8), the exemptions,
CIIO and important data, where the recipient is (XB-DEF), and the duties that follow."""

from __future__ import annotations

from typing import Any

import pytest

from baomi.services.comply.crossborder import Outcome, Route, route
from baomi.services.comply.profile import Exemption, Location
from baomi.services.comply.rulebook import rules


def _full(**changes: Any) -> Route:
    """The route of a provision abroad by an ordinary company, with ``changes``."""
    facts: dict[str, Any] = {
        "location": Location.ABROAD,
        "remote_access": False,
        "ciio": False,
        "important_data": False,
        "exemption": None,
        "individuals": 10,
        "sensitive": 0,
    }
    return route(**(facts | changes))


def _route(
    individuals: int,
    sensitive: int = 0,
    *,
    location: Location = Location.ABROAD,
    remote: bool = False,
    ciio: bool = False,
    important: bool = False,
    exemption: Exemption | None = None,
) -> Outcome:
    return _full(
        location=location,
        remote_access=remote,
        ciio=ciio,
        important_data=important,
        exemption=exemption,
        individuals=individuals,
        sensitive=sensitive,
    ).outcome


def test_thresholds_come_from_the_rule_file() -> None:
    assert rules()["XB16-5"].param("individuals_below") == 100_000
    assert rules()["XB16-7"].param("individuals") == 1_000_000
    assert rules()["XB16-7"].param("sensitive") == 10_000
    assert rules()["XB16-8"].param("individuals") == 100_000


@pytest.mark.parametrize(
    ("individuals", "expected"),
    [
        (0, Outcome.EXEMPT),
        (99_999, Outcome.EXEMPT),  # XB16-5(4): under 100,000
        (100_000, Outcome.STANDARD_CONTRACT),  # XB16-8: from 100,000
        (100_001, Outcome.STANDARD_CONTRACT),
        (999_999, Outcome.STANDARD_CONTRACT),  # under 1,000,000
        (1_000_000, Outcome.SECURITY_ASSESSMENT),  # XB16-7: 1,000,000 and more
        (1_000_001, Outcome.SECURITY_ASSESSMENT),
    ],
)
def test_individuals_boundaries(individuals: int, expected: Outcome) -> None:
    assert _route(individuals) is expected


@pytest.mark.parametrize(
    ("sensitive", "expected"),
    [
        (0, Outcome.EXEMPT),
        (1, Outcome.STANDARD_CONTRACT),  # even one person's sensitive PI (XB16-8)
        (2, Outcome.STANDARD_CONTRACT),
        (9_999, Outcome.STANDARD_CONTRACT),  # under 10,000
        (10_000, Outcome.SECURITY_ASSESSMENT),  # XB16-7: 10,000 and more
        (10_001, Outcome.SECURITY_ASSESSMENT),
    ],
)
def test_sensitive_boundaries(sensitive: int, expected: Outcome) -> None:
    assert _route(max(sensitive, 10), sensitive) is expected


def test_the_mainland_without_remote_access_is_not_an_export() -> None:
    assert _route(5_000_000, 50_000, location=Location.MAINLAND) is Outcome.DOMESTIC
    # remote access from abroad counts as export (XB-DEF)
    assert _route(5_000_000, location=Location.MAINLAND, remote=True) is Outcome.SECURITY_ASSESSMENT


@pytest.mark.parametrize(
    "location", [Location.HONG_KONG, Location.MACAO, Location.TAIWAN, Location.ABROAD]
)
def test_hong_kong_macao_and_taiwan_count_as_outside(location: Location) -> None:
    r = _full(location=location, individuals=100_000)
    assert r.abroad and r.outcome is Outcome.STANDARD_CONTRACT
    assert "XB-DEF" in r.rule_ids


def test_a_ciio_needs_the_assessment_for_any_number() -> None:
    assert _route(1, ciio=True) is Outcome.SECURITY_ASSESSMENT
    assert _route(0, ciio=True) is Outcome.SECURITY_ASSESSMENT


def test_important_data_needs_the_assessment_even_with_an_exemption() -> None:
    assert _route(1, important=True) is Outcome.SECURITY_ASSESSMENT
    assert _route(1, important=True, exemption=Exemption.HR) is Outcome.SECURITY_ASSESSMENT


@pytest.mark.parametrize("exemption", list(Exemption))
def test_the_exemptions_apply_whatever_the_numbers(exemption: Exemption) -> None:
    assert _route(2_000_000, 20_000, exemption=exemption) is Outcome.EXEMPT
    assert _route(2_000_000, ciio=True, exemption=exemption) is Outcome.EXEMPT


def test_duties_follow_the_route_and_say_what_is_unconfirmed() -> None:
    scc = _full(individuals=150_000)
    duties = {d.rule_id: d for d in scc.duties}
    assert {"PIPL-39", "PIPL-55", "NDS-12", "XB-SPLIT", "SCC-7", "SCC-5"} <= set(duties)
    assert "10" in duties["SCC-7"].text and duties["SCC-7"].note  # article number unconfirmed
    assessment = _full(ciio=True, individuals=1)
    assert {"XB16-9", "PIPL-40"} <= {d.rule_id for d in assessment.duties}
    counted = {r.rule_id: r for r in assessment.reasons}["XB-CNT"]
    assert counted.label != "XB-CNT"  # an analysis (A): labelled unconfirmed
    domestic = _full(location=Location.MAINLAND)
    assert domestic.duties == ()


def test_the_old_order_11_trigger_is_noted_not_applied() -> None:
    r = _full(handled=1_000_000)
    assert r.outcome is Outcome.EXEMPT and "XB11-4" in r.rule_ids
    below = _full(handled=999_999)
    assert "XB11-4" not in below.rule_ids
