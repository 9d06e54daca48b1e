"""The company's standing duties the deal's data triggers: a PI protection officer (PIPL-52 with
AUD-12; GB/T 35273 §11.1; GB/T 45574), the officer's filing (PIPO-ANN), the audit frequency
(AUD-FREQ), and the important-data rules that reach processors of 10,000,000 persons (NDS-28:
NDS-30's officer and body, NDS-32's report on a merger, division, dissolution or bankruptcy).

Each duty says whether it applies, on which figure (the upper bound of individuals — see
:func:`~baomi.services.comply.inputs.basis`), and whether only the upper bound reaches the
threshold (``upper_bound_only``: the lower bound does not, so the true count may be below).
Every threshold is a rule parameter (``rules/duties.yaml``); 「以上」 includes the number,
「超过」 does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from baomi.i18n import tr
from baomi.services.comply.citations import Cited, cite
from baomi.services.comply.data import DataSummary
from baomi.services.comply.inputs import basis, deal_inputs, meets, type_name
from baomi.services.comply.profile import CompanyFacts, Profile
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Actor
from baomi.services.vault import Vault


@dataclass(frozen=True)
class Duty:
    id: str
    title: str
    #: ``None``: cannot tell until a fact is entered (e.g. the staff count)
    applies: bool | None
    why: str
    citations: tuple[Cited, ...]
    #: it applies on the upper bound of individuals, but the lower bound stays below
    upper_bound_only: bool = False
    #: the figures it was computed on (the upper bound of individuals, conservative)
    basis: str = ""


def _individuals(data: DataSummary, threshold: int, *, inclusive: bool) -> tuple[bool, bool]:
    """(reached on the upper bound, reached on the upper bound only)."""
    upper = meets(data.individuals, threshold, inclusive=inclusive)
    lower = meets(data.individuals_at_least, threshold, inclusive=inclusive)
    return upper, upper and not lower


def reaches_nds28(data: DataSummary) -> bool:
    """Whether the deal's data (upper bound) makes the company an NDS-28 processor (1000万人以上)."""
    return meets(data.individuals, rules()["NDS-28"].param("individuals"), inclusive=True)


def officer(data: DataSummary) -> Duty:
    """PIPL-52 with AUD-12: 处理100万人以上 (inclusive) → appoint a PI protection officer."""
    n = rules()["AUD-12"].param("individuals")
    applies, upper_only = _individuals(data, n, inclusive=True)
    why = tr(
        f"处理{n:,}人以上（含本数）个人信息的须指定个人信息保护负责人。",
        f"Processors of PI of {n:,} persons or more (inclusive) appoint a PI protection officer.",
    )
    return Duty(
        "officer",
        tr("个人信息保护负责人（法定）", "PI protection officer (statutory)"),
        applies,
        why,
        cite("PIPL-52", "AUD-12"),
        upper_only,
        basis=basis(data),
    )


def officer_standard(company: CompanyFacts, data: DataSummary) -> Duty:
    """GB/T 35273 §11.1 c) (all strict, 「超过」) and GB/T 45574 (sensitive PI over 100,000):
    a full-time officer and a PI protection body."""
    s35 = rules()["S35-11.1"]
    persons, sensitive, staff = (
        s35.param("individuals"),
        s35.param("sensitive_individuals"),
        s35.param("staff"),
    )
    by_persons, upper_only = _individuals(data, persons, inclusive=False)
    by_sensitive = meets(data.sensitive_individuals, sensitive, inclusive=False)
    by_staff: bool | None
    if not company.pi_business:
        by_staff = False
    elif company.staff is None:
        by_staff = None
    else:
        by_staff = meets(company.staff, staff, inclusive=False)
    reasons = []
    if by_persons:
        reasons.append(tr(f"个人数超过{persons:,}", f"over {persons:,} persons"))
    if by_sensitive:
        reasons.append(
            tr(f"敏感个人信息超过{sensitive:,}人", f"sensitive PI of over {sensitive:,} persons")
        )
    if by_staff:
        reasons.append(
            tr(
                f"主营业务涉及个人信息且员工超过{staff}人",
                f"PI business with over {staff} staff",
            )
        )
    applies: bool | None = True if reasons else (None if by_staff is None else False)
    missing = (
        tr("员工人数未录入，无法判断员工条件。", "Staff not entered: the staff test is open. ")
        if by_staff is None
        else ""
    )
    why = tr(
        f"满足任一即应设专职负责人和工作机构：超过{persons:,}人、敏感个人信息超过{sensitive:,}人、"
        f"主营业务涉及个人信息且员工超过{staff}人（或预计{s35.param('months')}个月内达到）。"
        f"{('已满足：' + '；'.join(reasons)) if reasons else '均未满足'}。{missing}",
        f"Any of: over {persons:,} persons, sensitive PI of over {sensitive:,} persons, PI "
        f"business with over {staff} staff (or expected within {s35.param('months')} months) "
        f"requires a full-time officer and body. {('Met: ' + '; '.join(reasons)) if reasons else 'None met'}. "
        f"{missing}",
    )
    return Duty(
        "officer-standard",
        tr("专职个人信息保护负责人和工作机构（标准）", "Full-time officer and PI body (standard)"),
        applies,
        why,
        cite("S35-11.1", "S455-3"),
        bool(applies) and upper_only and not by_sensitive and not by_staff,
        basis=basis(data),
    )


def pipo_filing(data: DataSummary) -> Duty:
    """PIPO-ANN: 100万人以上 → file the officer's details within 30 working days."""
    ann = rules()["PIPO-ANN"]
    n, days = ann.param("individuals"), ann.param("working_days")
    applies, upper_only = _individuals(data, n, inclusive=True)
    why = tr(
        f"处理{n:,}人以上个人信息的，自达到之日起{days}个工作日内向设区的市级网信部门在线报送负责人"
        f"信息（{ann.param('system')}）；公告前已达到的于{ann.param('existing_deadline')}前报送；"
        f"重大变更{days}个工作日内更新。",
        f"Processors of PI of {n:,} persons or more file the officer's details with the "
        f"city-level CAC online ({ann.param('system')}) within {days} working days of reaching "
        f"it; those above it before the notice by {ann.param('existing_deadline')}; material "
        f"changes within {days} working days.",
    )
    return Duty(
        "officer-filing",
        tr("报送个人信息保护负责人信息", "File the PI protection officer's details"),
        applies,
        why,
        cite("PIPO-ANN", "AUD-12"),
        upper_only,
        basis=basis(data),
    )


def audit_frequency(data: DataSummary) -> Duty:
    """AUD-FREQ: 超过1000万人 (strict) → a compliance audit at least every two years; everyone
    audits regularly (PIPL-54). ``applies`` is whether the two-year rule applies."""
    freq = rules()["AUD-FREQ"]
    n, years = freq.param("individuals"), freq.param("every_years")
    applies, upper_only = _individuals(data, n, inclusive=False)
    why = tr(
        f"所有处理者应定期审计；处理超过{n:,}人（不含本数）个人信息的，每{years}年至少一次。",
        f"Every processor audits regularly; processors of PI of over {n:,} persons (exclusive) "
        f"at least every {years} years.",
    )
    return Duty(
        "audit-frequency",
        tr(f"合规审计至少每{years}年一次", f"Compliance audit at least every {years} years"),
        applies,
        why,
        cite("AUD-FREQ", "PIPL-54"),
        upper_only,
        basis=basis(data),
    )


def important_processor(company: CompanyFacts, data: DataSummary) -> Duty:
    """NDS-28: 1000万人以上 (inclusive), or important data → NDS-30 officer and body."""
    n = rules()["NDS-28"].param("individuals")
    by_persons, upper_only = _individuals(data, n, inclusive=True)
    applies = by_persons or company.important_data
    why = tr(
        f"处理重要数据或{n:,}人以上（含本数）个人信息的，应明确网络数据安全负责人和管理机构。"
        f"重要数据：{'是' if company.important_data else '否（按录入）'}。",
        f"Processors of important data, or of PI of {n:,} persons or more (inclusive), name a "
        f"data-security officer and management body. Important data: "
        f"{'yes' if company.important_data else 'no (as entered)'}.",
    )
    return Duty(
        "data-security-officer",
        tr("网络数据安全负责人和管理机构", "Data-security officer and management body"),
        applies,
        why,
        cite("NDS-28", "NDS-30"),
        upper_only and not company.important_data,
        basis=basis(data),
    )


def transfer_report(profile: Profile, company: CompanyFacts, data: DataSummary) -> Duty:
    """NDS-32 (with NDS-28): on a merger, division, dissolution or bankruptcy, report the
    disposal plan and the recipient's name and contact to the provincial authority."""
    n = rules()["NDS-28"].param("individuals")
    by_persons, upper_only = _individuals(data, n, inclusive=True)
    processor = by_persons or company.important_data
    kinds = rules()["NDS-32"].param("transfer_types")
    kind = profile.transfer_type
    applies: bool | None
    if not processor:
        applies = False
    elif kind is None:
        applies = None
    else:
        applies = kind.value in kinds
    type_text = type_name(kind) if kind else tr("未设置", "not set")
    why = tr(
        f"重要数据处理者及处理{n:,}人以上个人信息的处理者，在合并、分立、解散、破产时须向省级以上"
        f"主管部门报告数据处置方案及接收方名称和联系方式。转让类型：{type_text}。",
        f"Processors of important data or of PI of {n:,} persons or more report, on a merger, "
        f"division, dissolution or bankruptcy, the disposal plan and the recipient's name and "
        f"contact to the provincial authority. Transfer type: {type_text}.",
    )
    return Duty(
        "transfer-report",
        tr("报告数据处置方案和接收方", "Report the disposal plan and the recipient"),
        applies,
        why,
        cite("NDS-32", "NDS-28"),
        bool(applies) and upper_only and not company.important_data,
        basis=basis(data),
    )


def duties(profile: Profile, company: CompanyFacts, data: DataSummary) -> list[Duty]:
    return [
        officer(data),
        officer_standard(company, data),
        pipo_filing(data),
        audit_frequency(data),
        important_processor(company, data),
        transfer_report(profile, company, data),
    ]


def deal_duties(vault: Vault, *, actor: Actor, deal_ref: str) -> list[Duty]:
    """The duties the deal's data and its company's facts trigger (COMPLY_VIEW)."""
    inputs = deal_inputs(vault, actor=actor, deal_ref=deal_ref)
    return duties(inputs.profile, inputs.company, inputs.data)
