"""What a leak or an unlawful provision of the deal's whole data set would mean — an ESTIMATE,
with the rules it rests on:

- **fines** (PIPL-66): ordinary up to RMB 1,000,000; serious up to RMB 50,000,000 *or* 5 % of the
  previous year's turnover — both are shown, and which is higher; the responsible persons'
  ranges; DSL-45's ranges for a large leak beside them;
- **criminal thresholds** (SPC17-5 under CRIM-253-1): records per group — 50 (tracks,
  communication content, credit, property), 500 (accommodation, communication records, health,
  transactions), 5,000 (other) — halved when the data was obtained while providing services
  (a parameter, on by default: a company's customer data was), ten times for "especially
  serious"; groups are added up in proportion. baomi's entities and categories map to the
  groups by the rule SPC17-5-MAP (analysis, configurable);
- **incident grade** if the whole set leaked (INC-G1..G3; 「以上」 includes the number, INC-G4);
  below 1,000,000 persons the grade is not "relatively major" but PIPL-57's immediate notice
  still applies (INC-A).

Counts are the deal's upper bounds (documents added up). Money is in whole yuan (``int``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from baomi.engine.entities import ENTITIES
from baomi.i18n import tr
from baomi.services.comply.citations import Cited, cite
from baomi.services.comply.data import DataSummary, labels_text
from baomi.services.comply.grading import Grade, grade_of
from baomi.services.comply.inputs import basis, deal_inputs
from baomi.services.comply.profile import CompanyFacts
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Actor
from baomi.services.vault import Vault

# --- fines -------------------------------------------------------------------------------------


class Higher(StrEnum):
    """Which cap of PIPL-66's serious fine is higher."""

    FIXED = "fixed"  # RMB 50,000,000
    TURNOVER = "turnover"  # 5 % of last year's turnover
    EQUAL = "equal"
    UNKNOWN = "unknown"  # no turnover entered

    @property
    def label(self) -> str:
        """Which cap is higher, in the reader's language."""
        return {
            Higher.FIXED: tr("固定上限较高", "the fixed cap is higher"),
            Higher.TURNOVER: tr("营业额比例较高", "the turnover share is higher"),
            Higher.EQUAL: tr("两者相等", "both are equal"),
            Higher.UNKNOWN: tr("无法比较", "cannot compare"),
        }[self]


@dataclass(frozen=True)
class Fines:
    ordinary_max: int
    ordinary_person: tuple[int, int]
    serious_fixed_max: int
    #: 5 % of last year's turnover, rounded down to the yuan (``None``: no turnover entered)
    serious_turnover_max: int | None
    #: the higher of the two caps (the fixed one without a turnover)
    serious_max: int
    higher: Higher
    serious_person: tuple[int, int]
    #: DSL-45 for a large leak (beside PIPL-66)
    dsl_large_leak: tuple[int, int]
    dsl_person: tuple[int, int]
    why: str
    citations: tuple[Cited, ...]


def fines(company: CompanyFacts) -> Fines:
    p66, dsl = rules()["PIPL-66"], rules()["DSL-45"]
    fixed = int(p66.param("serious_max"))
    percent = Fraction(str(p66.param("serious_turnover_percent")))
    turnover_cap: Fraction | None = None
    if company.turnover_yuan is not None:
        turnover_cap = Fraction(company.turnover_yuan) * percent / 100
    if turnover_cap is None:
        higher, top = Higher.UNKNOWN, fixed
    elif turnover_cap > fixed:
        higher, top = Higher.TURNOVER, int(turnover_cap)
    elif turnover_cap < fixed:
        higher, top = Higher.FIXED, fixed
    else:
        higher, top = Higher.EQUAL, fixed
    turnover_text = (
        tr(
            "未录入上一年度营业额，只能按五千万元上限估算",
            "no turnover entered: the fixed cap only",
        )
        if turnover_cap is None
        else tr(
            f"上一年度营业额 {company.turnover_yuan:,} 元的 {percent}% 为 {int(turnover_cap):,} 元",
            f"{percent}% of last year's turnover of {company.turnover_yuan:,} yuan is "
            f"{int(turnover_cap):,} yuan",
        )
    )
    higher_text = higher.label
    why = tr(
        f"一般违法：责令改正、警告、没收违法所得，拒不改正的处{p66.param('ordinary_max'):,}元以下"
        f"罚款；情节严重：{fixed:,}元以下或者上一年度营业额{percent}%以下罚款（{turnover_text}；"
        f"{higher_text}）。另依数据安全法，造成大量数据泄露的处"
        f"{dsl.param('serious_min'):,}–{dsl.param('serious_max'):,}元罚款。",
        f"Ordinary: correction, warning, confiscation; refusing to correct up to "
        f"{p66.param('ordinary_max'):,} yuan. Serious: up to {fixed:,} yuan or {percent}% of last "
        f"year's turnover ({turnover_text}; {higher_text}). Under the Data Security Law a large "
        f"leak adds {dsl.param('serious_min'):,}–{dsl.param('serious_max'):,} yuan.",
    )
    return Fines(
        ordinary_max=int(p66.param("ordinary_max")),
        ordinary_person=(p66.param("ordinary_person_min"), p66.param("ordinary_person_max")),
        serious_fixed_max=fixed,
        serious_turnover_max=None if turnover_cap is None else int(turnover_cap),
        serious_max=top,
        higher=higher,
        serious_person=(p66.param("serious_person_min"), p66.param("serious_person_max")),
        dsl_large_leak=(dsl.param("serious_min"), dsl.param("serious_max")),
        dsl_person=(dsl.param("serious_person_min"), dsl.param("serious_person_max")),
        why=why,
        citations=cite("PIPL-66", "DSL-45"),
    )


# --- criminal thresholds -----------------------------------------------------------------------


class Gravity(StrEnum):
    NONE = "none"
    SERIOUS = "serious"  # 情节严重
    ESPECIALLY_SERIOUS = "especially_serious"  # 情节特别严重

    @property
    def label(self) -> str:
        return {
            Gravity.NONE: tr("未达立案标准", "below the thresholds"),
            Gravity.SERIOUS: tr("情节严重", "serious"),
            Gravity.ESPECIALLY_SERIOUS: tr("情节特别严重", "especially serious"),
        }[self]


GROUP_LABELS = {
    "tracks_content_credit_property": (
        "行踪轨迹、通信内容、征信、财产信息",
        "tracks, communication content, credit, property",
    ),
    "accommodation_records_health_transaction": (
        "住宿、通信记录、健康生理、交易信息",
        "accommodation, communication records, health, transactions",
    ),
    "other": ("其他个人信息", "other PI"),
}


@dataclass(frozen=True)
class CrimeGroup:
    group: str
    label: str
    #: records (条) of the group in the data set (upper bound)
    records: int
    #: the records from which it is 情节严重 / 情节特别严重 (after halving, if in service)
    serious_at: float
    especially_serious_at: float
    gravity: Gravity
    #: the entities and categories counted in the group (codes and standard names)
    members: tuple[str, ...]

    @property
    def members_text(self) -> str:
        """The members as the user reads them, in the current language (never a code)."""
        return labels_text(self.members, "")


@dataclass(frozen=True)
class Criminal:
    groups: tuple[CrimeGroup, ...]
    #: Σ records / threshold over the groups (SPC17-5: proportional aggregation)
    aggregate: float
    gravity: Gravity
    obtained_in_service: bool
    why: str
    citations: tuple[Cited, ...]


def _gravity(value: Fraction, serious: Fraction, factor: int) -> Gravity:
    # 「以上」 includes the number (刑法 第九十九条)
    if value >= serious * factor:
        return Gravity.ESPECIALLY_SERIOUS
    if value >= serious:
        return Gravity.SERIOUS
    return Gravity.NONE


def group_records(data: DataSummary) -> tuple[Counter[str], dict[str, set[str]]]:
    """Records per SPC17-5 group: entity cells by the mapping (SPC17-5-MAP); a sensitive category
    found without an entity (a header such as 诊断) counts the individuals with sensitive PI."""
    mapping = rules()["SPC17-5-MAP"]
    by_entity, by_category = mapping.param("entities"), mapping.param("categories")
    default = mapping.param("default")
    not_personal = set(rules()["PIPL-4"].param("not_personal_entities"))
    counts: Counter[str] = Counter()
    members: dict[str, set[str]] = {}
    entity_categories = set()
    for entity, n in data.entities.items():
        if entity in not_personal:
            continue
        info = ENTITIES.get(entity)
        category = info.category if info else None
        entity_categories.add(category)
        group = by_entity.get(entity) or by_category.get(category) or default
        counts[group] += n
        members.setdefault(group, set()).add(entity)
    for category in data.sensitive_categories:
        group = by_category.get(category)
        if group is None or category in entity_categories:
            continue
        counts[group] = max(counts[group], data.sensitive_individuals)
        members.setdefault(group, set()).add(category)
    return counts, members


def criminal(data: DataSummary) -> Criminal:
    spc = rules()["SPC17-5"]
    in_service = bool(rules()["SPC17-5-MAP"].param("obtained_in_service"))
    factor = Fraction(str(spc.param("service_factor"))) if in_service else Fraction(1)
    ten = int(spc.param("especially_serious_factor"))
    counts, members = group_records(data)
    groups = []
    aggregate = Fraction(0)
    for group, threshold in spc.param("thresholds").items():
        serious = Fraction(threshold) * factor
        records = counts.get(group, 0)
        aggregate += Fraction(records) / serious
        zh, en = GROUP_LABELS.get(group, (group, group))
        groups.append(
            CrimeGroup(
                group,
                tr(zh, en),
                records,
                float(serious),
                float(serious * ten),
                _gravity(Fraction(records), serious, ten),
                tuple(sorted(members.get(group, ()))),
            )
        )
    gravity = max(
        (g.gravity for g in groups),
        key=list(Gravity).index,
        default=Gravity.NONE,
    )
    by_sum = _gravity(aggregate, Fraction(1), ten)
    if list(Gravity).index(by_sum) > list(Gravity).index(gravity):
        gravity = by_sum
    half = (
        tr(
            f"数据系在提供服务过程中获得，标准按{float(factor):g}倍计（参数可改）。",
            f"The data was obtained while providing services: thresholds × {float(factor):g} (a parameter). ",
        )
        if in_service
        else ""
    )
    why = tr(
        f"若全部数据未经同意被出售或提供：按信息类型的条数标准判断“情节严重”，{ten}倍为“情节特别严重”，"
        f"不同类型按比例合计（合计 {float(aggregate):.2f} 倍标准）。{half}情节严重的处三年以下有期徒刑，"
        f"特别严重的三至七年。",
        f"If the whole set were sold or provided without consent: records per group against "
        f"SPC17-5's thresholds, {ten}× for especially serious, groups added in proportion "
        f"(together {float(aggregate):.2f}× the threshold). {half}Serious: up to 3 years; "
        f"especially serious: 3–7 years.",
    )
    return Criminal(
        tuple(groups),
        float(aggregate),
        gravity,
        in_service,
        why,
        cite("SPC17-5", "SPC17-5-MAP", "CRIM-253-1", "SPC17-3"),
    )


# --- incident grade (services/comply/grading.py) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    grade: Grade
    individuals: int
    #: hours to report a 较大-or-above incident (``None`` below: notify immediately, PIPL-57)
    report_hours: int | None
    why: str
    citations: tuple[Cited, ...]


def incident(company: CompanyFacts, data: DataSummary) -> Incident:
    book = rules()
    n = data.individuals
    grade, rule_id = grade_of(n, book)
    if rule_id is not None:
        threshold = book[rule_id].param("individuals")
        tx8 = book["TX-8"]
        hours = tx8.param("cii_report_hours") if company.ciio else tx8.param("report_hours")
        why = tr(
            f"若全部数据泄露：涉及 {n:,} 人，达到{threshold:,}人（含本数），属“{grade.label}”"
            f"网络安全事件；须在{hours}小时内报告，并立即通知个人。",
            f"If the whole set leaked: {n:,} persons reaches {threshold:,} (inclusive), a "
            f"{grade.label} incident; report within {hours} hour(s) and notify individuals "
            f"immediately.",
        )
        return Incident(grade, n, hours, why, cite(rule_id, "INC-G4", "TX-8"))
    g3 = book["INC-G3"].param("individuals")
    why = tr(
        f"若全部数据泄露：涉及 {n:,} 人，不足{g3:,}人，不自动属于“较大”事件，无固定报告时限；但仍须"
        f"立即采取补救措施并通知监管部门和个人。",
        f"If the whole set leaked: {n:,} persons, fewer than {g3:,}: not automatically a "
        f"relatively major incident and no fixed reporting clock, but remedy and notify the "
        f"regulator and the individuals immediately.",
    )
    return Incident(Grade.BELOW, n, None, why, cite("INC-A", "INC-G3", "INC-G4"))


# --- together ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    deal_id: str
    fines: Fines
    criminal: Criminal
    incident: Incident
    basis: str
    note: str
    #: always True: the figures are an estimate, not a legal opinion
    estimate: bool = True


def exposure(deal_id: str, company: CompanyFacts, data: DataSummary) -> Exposure:
    return Exposure(
        deal_id,
        fines(company),
        criminal(data),
        incident(company, data),
        basis(data),
        tr(
            "估算：假设整个数据集泄露或未经同意被提供；实际处罚由监管部门和法院依具体情节决定，"
            "不构成法律意见。",
            "Estimate: assumes the whole data set leaked or was provided without consent; the "
            "actual penalty depends on the circumstances, decided by regulators and courts. Not "
            "legal advice.",
        ),
    )


def deal_exposure(vault: Vault, *, actor: Actor, deal_ref: str) -> Exposure:
    """The deal's exposure estimate (COMPLY_VIEW)."""
    inputs = deal_inputs(vault, actor=actor, deal_ref=deal_ref)
    return exposure(inputs.profile.deal_id, inputs.company, inputs.data)
