from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text
from baomi.errors import PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import deals
from baomi.services.comply import transfer
from baomi.services.comply.packages import PackageFacts, read_records
from baomi.services.comply.profile import Location, TransferType
from baomi.services.comply.transfer import Case, Level, obligations, package_status
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.comply.rules_support import company, data, profile

ALL = list(TransferType)


def _ids(kind: TransferType | None, **kw: object) -> list[str]:
    d = kw.pop("d", data(1000))
    c = kw.pop("c", company())
    return [o.id for o in obligations(profile(kind, **kw), c, d)]  # type: ignore[arg-type]


def test_without_a_transfer_type_the_answer_is_to_set_it_first() -> None:
    [only] = obligations(profile(None), company(), data(5))
    assert only.id == "set-transfer-type" and only.level is Level.MISSING
    assert "转让类型" in only.title


@pytest.mark.parametrize("kind", ALL)
def test_due_diligence_disclosure_is_a_provision_in_every_type(kind: TransferType) -> None:
    o = obligations(profile(kind), company(), data(10))[0]
    assert o.id == "due-diligence-provision"
    cited = {c.rule_id for c in o.citations}
    assert {"PIPL-23", "PIPL-55", "NDS-12", "TX-2"} <= cited
    tx2 = next(c for c in o.citations if c.rule_id == "TX-2")
    assert tx2.unconfirmed and "未确认" in tx2.label  # analysis, said so


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        (
            TransferType.EQUITY,
            {"equity-same-processor"},
            {"notify-recipient", "asset-sale-consent"},
        ),
        (
            TransferType.MERGER,
            {"notify-recipient", "recipient-continues"},
            {"equity-same-processor"},
        ),
        (TransferType.DIVISION, {"notify-recipient", "recipient-new-purpose"}, set()),
        (TransferType.ASSET_SALE, {"asset-sale-consent"}, {"notify-recipient"}),
        (TransferType.DISSOLUTION, {"notify-recipient"}, {"delete-on-dissolution"}),
        (TransferType.BANKRUPTCY, {"notify-recipient"}, {"delete-on-bankruptcy"}),
    ],
)
def test_each_type_brings_its_own_obligations(
    kind: TransferType, present: set[str], absent: set[str]
) -> None:
    ids = set(_ids(kind))
    assert present <= ids
    assert not absent & ids


def test_merger_notice_names_pipl22_and_the_recipient_continues_under_nds14() -> None:
    obs = {o.id: o for o in obligations(profile(TransferType.MERGER), company(), data(10))}
    assert {c.rule_id for c in obs["notify-recipient"].citations} >= {"PIPL-22", "S35-9.3"}
    assert {c.rule_id for c in obs["recipient-continues"].citations} >= {"PIPL-22", "NDS-14"}
    missing = obligations(profile(TransferType.MERGER, contact=""), company(), data(10))
    assert "尚未录入接收方" in next(o.why for o in missing if o.id == "notify-recipient")


def test_dissolution_without_successor_deletes() -> None:
    ids = _ids(TransferType.DISSOLUTION, recipient="")
    assert "delete-on-dissolution" in ids and "notify-recipient" not in ids
    o = next(
        o
        for o in obligations(profile(TransferType.DISSOLUTION, recipient=""), company(), data(1))
        if o.id == "delete-on-dissolution"
    )
    assert {c.rule_id for c in o.citations} >= {"PIPL-47", "S35-6.4"}


def test_bankruptcy_without_successor_deletes_under_s35_9_3() -> None:
    obs = obligations(profile(TransferType.BANKRUPTCY, recipient=""), company(), data(1))
    o = next(o for o in obs if o.id == "delete-on-bankruptcy")
    assert {c.rule_id for c in o.citations} >= {"S35-9.3"}
    assert "notify-recipient" not in {o.id for o in obs}


@pytest.mark.parametrize(
    ("individuals", "expected"), [(9_999_999, False), (10_000_000, True), (10_000_001, True)]
)
def test_nds32_report_from_ten_million_inclusive(individuals: int, expected: bool) -> None:
    assert ("report-disposal-plan" in _ids(TransferType.MERGER, d=data(individuals))) is expected


def test_nds32_report_for_important_data_and_never_for_an_equity_transfer() -> None:
    assert "report-disposal-plan" in _ids(TransferType.DIVISION, c=company(important=True))
    assert "report-disposal-plan" not in _ids(
        TransferType.EQUITY, c=company(important=True), d=data(20_000_000)
    )


def test_sensitive_pi_needs_separate_consent() -> None:
    assert "sensitive-consent" not in _ids(TransferType.MERGER)
    d = data(100, sensitive=3, sensitive_categories=("医疗健康",))
    o = next(
        o
        for o in obligations(profile(TransferType.MERGER), company(), d)
        if o.id == "sensitive-consent"
    )
    assert {c.rule_id for c in o.citations} >= {"PIPL-29"}


def test_cross_border_applies_abroad_or_with_remote_access() -> None:
    assert "cross-border" not in _ids(TransferType.EQUITY)
    assert "cross-border" in _ids(TransferType.EQUITY, location=Location.HONG_KONG)
    assert "cross-border" in _ids(TransferType.EQUITY, remote=True)


def test_english_when_asked() -> None:
    set_language("en")
    try:
        [only] = obligations(profile(None), company(), data(5))
        assert only.title == "Set the transfer type first"
    finally:
        set_language(None)


def test_the_service_asks_the_permission_table(vault: Vault) -> None:
    deals.create(vault, actor=Actor("op", Role.OPERATOR), name="t1")
    obs = transfer.deal_obligations(vault, actor=Actor("op", Role.OPERATOR), deal_ref="t1")
    assert [o.id for o in obs] == ["set-transfer-type"]
    with pytest.raises(PermissionDeniedError):
        transfer.deal_obligations(vault, actor=Actor("b", Role.BUYER), deal_ref="t1")
    with pytest.raises(PermissionDeniedError):
        transfer.deal_package_statuses(vault, actor=Actor("b", Role.BUYER), deal_ref="t1")
    assert (
        transfer.deal_package_statuses(vault, actor=Actor("a", Role.AUDITOR), deal_ref="t1") == []
    )
    from baomi.services.comply.overview import overview

    assert overview(vault, actor=Actor("a", Role.AUDITOR), deal_ref="t1").subject == "t1"
    with pytest.raises(PermissionDeniedError):
        overview(vault, actor=Actor("b", Role.BUYER), deal_ref="t1")


# --- package status ----------------------------------------------------------------------------


def _facts(
    *,
    k: int | None = 5,
    max_risk: float | None = 0.2,
    average_risk: float | None = 0.1,
    reversible: tuple[str, ...] = (),
    pseudonymous: tuple[str, ...] = (),
    kept: tuple[str, ...] = (),
) -> PackageFacts:
    return PackageFacts(
        "pkg",
        "买方",
        "2026-01-01T00:00:00+00:00",
        k,
        5,
        max_risk,
        average_risk,
        reversible,
        pseudonymous,
        kept,
        True,
    )


def _never_anonymous(status: transfer.PackageStatus) -> None:
    assert status.personal_information and not status.anonymised
    assert "不能复原" in status.why_not_anonymised
    assert "SPC17-3" in {c.rule_id for c in status.citations}


def test_kept_identifiers_are_personal_information() -> None:
    s = package_status(_facts(kept=("CN_MOBILE",)))
    assert s.case is Case.PERSONAL
    _never_anonymous(s)


def test_organisation_names_kept_do_not_make_a_package_personal() -> None:
    assert package_status(_facts(kept=("ORGANIZATION",))).case is Case.NOT_REIDENTIFIABLE


@pytest.mark.parametrize(
    "facts",
    [
        _facts(pseudonymous=("pseudonym",)),
        _facts(reversible=("tokenize",)),
        _facts(pseudonymous=("hash",)),
    ],
)
def test_a_pseudonymised_package_is_never_called_anonymous(facts: PackageFacts) -> None:
    s = package_status(facts)
    assert s.case is Case.DEIDENTIFIED and not s.consent_exception_candidate
    assert "匿名化" not in s.case.label
    _never_anonymous(s)
    assert {"PIPL-4", "PIPL-73"} <= {c.rule_id for c in s.citations}


def test_unmeasured_risk_is_not_a_consent_exception() -> None:
    s = package_status(_facts(k=None, max_risk=None, average_risk=None))
    assert s.case is Case.DEIDENTIFIED and "未测量" in s.why


@pytest.mark.parametrize(("max_risk", "expected"), [(0.49, True), (0.5, True), (0.51, False)])
def test_maximum_risk_threshold_s379_b2(max_risk: float, expected: bool) -> None:
    s = package_status(_facts(max_risk=max_risk, average_risk=0.1))
    assert s.consent_exception_candidate is expected
    assert s.case is (Case.NOT_REIDENTIFIABLE if expected else Case.DEIDENTIFIED)
    _never_anonymous(s)


@pytest.mark.parametrize(
    ("average", "expected"), [(0.32, True), (0.33, True), (1 / 3, True), (0.34, False)]
)
def test_average_risk_threshold_s379_b2(average: float, expected: bool) -> None:
    # classes of 3 (average 1/3) meet the standard's "0.33, i.e. minimum class size 3"
    s = package_status(_facts(max_risk=0.34, average_risk=average))
    assert s.consent_exception_candidate is expected
    if expected:
        assert "仍是个人信息" in s.why and "S35-9.2" in {c.rule_id for c in s.citations}


def _protect(tmp: Path, policy: str) -> PackageFacts:
    rng = random.Random(7)
    src = tmp / "in"
    src.mkdir()
    with (src / "p.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["客户编号", "年龄", "性别", "城市"])
        for i in range(300):
            w.writerow(
                [f"C{i:05d}", rng.randint(20, 70), rng.choice("男女"), rng.choice(["深圳", "成都"])]
            )
    protect_paths(
        [src],
        load_policy_text(policy),
        tmp / "out",
        keys=KeyProvider(b"k" * 32),
        options=ProtectOptions(recipient="买方A", manifests_dir=tmp / "records"),
    )
    [facts] = read_records(tmp / "records")
    return facts


def test_a_real_pseudonymised_package_is_deidentified_not_anonymous(tmp_path: Path) -> None:
    facts = _protect(
        tmp_path,
        "columns:\n  客户编号: {operator: pseudonym}\n"
        "quasi_identifiers:\n  columns: [年龄, 性别, 城市]\n  k: 5\n",
    )
    s = package_status(facts)
    assert facts.pseudonymous and s.case is Case.DEIDENTIFIED
    _never_anonymous(s)


def test_the_overview_report_cites_its_rules_and_says_what_is_unconfirmed() -> None:
    from baomi.services.comply.inputs import DealInputs
    from baomi.services.comply.overview import build

    inputs = DealInputs(
        profile(TransferType.MERGER), company(turnover=1), data(1_000_000, sensitive=5)
    )
    report = build(inputs, [package_status(_facts(pseudonymous=("pseudonym",)))])
    assert report.kind == "overview"
    headings = [s.heading for s in report.sections]
    assert headings == [
        "转让带来的义务",
        "数据包的法律状态",
        "负责人、审计和报告义务",
        "风险敞口（估算）",
    ]
    assert {"TX-2", "SPC17-5-MAP", "INC-A"} <= {c.rule_id for c in report.unconfirmed}
    assert "PIPL-22" in {c.rule_id for c in report.sections[0].citations}
    assert "估算" in report.sections[3].paragraphs[0]


def test_english_sentences_start_with_a_capital() -> None:
    """ "the recipient is outside the mainland: …" began an obligation, and a package's case
    read "still personal information. kept as they were: …" and "de-identified / …"."""
    import re

    set_language("en")
    try:
        said = [
            o.why
            for o in obligations(
                profile(TransferType.MERGER, location=Location.HONG_KONG), company(), data(500)
            )
        ]
        for facts in (_facts(kept=("CN_MOBILE",)), _facts(reversible=("encrypt",)), _facts()):
            status = package_status(facts)
            said += [status.case.label, status.why]
        from baomi.services.comply.inputs import basis

        said.append(basis(data(500)))  # the duties' and the exposure's basis, a sentence alone
        assert said
        for text in said:
            assert not text[:1].islower(), text
            assert not re.search(r"\. (?!k=)[a-z]", text), text  # k=5 is a symbol
    finally:
        set_language(None)
