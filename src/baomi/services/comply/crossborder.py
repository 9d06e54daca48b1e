"""The cross-border route (CAC Order 16): exempt, standard contract or certification, or the
security assessment — from where the recipient is, the company's CIIO and important-data flags,
the exemption claimed, and the individuals provided abroad since 1 January, cumulated over the
company's deals and counted once per person (:func:`provisions.abroad_totals`).

:func:`route` is the decision alone (pure, every threshold from ``rules/crossborder.yaml``);
:func:`assess` gathers the facts and adds the "what if" — the route once this deal's planned
provision is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from baomi.i18n import tr
from baomi.services.comply import provisions
from baomi.services.comply.data import deal_data
from baomi.services.comply.profile import (
    CompanyFacts,
    Exemption,
    Location,
    Profile,
    company_of,
    profile_of,
)
from baomi.services.comply.provisions import AbroadTotals
from baomi.services.comply.rulebook import Rule, rules
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault


class Outcome(StrEnum):
    #: nothing leaves the mainland: no cross-border mechanism
    DOMESTIC = "domestic"
    #: no assessment, contract or certification needed (XB16-5)
    EXEMPT = "exempt"
    #: the standard contract (filed) or certification (XB16-8, CERT-1)
    STANDARD_CONTRACT = "standard_contract"
    #: the CAC security assessment (XB16-7)
    SECURITY_ASSESSMENT = "security_assessment"

    @property
    def label(self) -> str:
        return {
            Outcome.DOMESTIC: tr("不涉及出境", "not an export"),
            Outcome.EXEMPT: tr("免予申报（豁免）", "exempt"),
            Outcome.STANDARD_CONTRACT: tr(
                "订立标准合同或通过个人信息保护认证", "standard contract or certification"
            ),
            Outcome.SECURITY_ASSESSMENT: tr("申报数据出境安全评估", "CAC security assessment"),
        }[self]


@dataclass(frozen=True)
class Point:
    """A reason or a duty: its text and the rule it applies (with the rule's label, which says
    when the rule is unconfirmed, and a note when only its article number is)."""

    text: str
    rule_id: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Route:
    outcome: Outcome
    abroad: bool
    individuals: int
    sensitive_individuals: int
    reasons: tuple[Point, ...]
    duties: tuple[Point, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.rule_id for p in (*self.reasons, *self.duties)))


def _point(rule_id: str, text: str) -> Point:
    rule: Rule = rules()[rule_id]
    note = tr("条文号未确认", "article number unconfirmed") if rule.status == "S-art?" else ""
    return Point(text, rule_id, rule.label(), note)


_WHERE = {
    Location.HONG_KONG: ("香港", "Hong Kong"),
    Location.MACAO: ("澳门", "Macao"),
    Location.TAIWAN: ("台湾", "Taiwan"),
    Location.ABROAD: ("境外", "abroad"),
}
_EXEMPTIONS = {
    Exemption.CONTRACT: ("(1)", "订立、履行个人作为一方当事人的合同所必需", "necessary for a contract with the individual"),
    Exemption.HR: ("(2)", "跨境人力资源管理所必需", "cross-border human-resources management"),
    Exemption.EMERGENCY: ("(3)", "紧急情况下保护自然人生命健康和财产安全", "an emergency protecting life, health or property"),
}  # fmt: skip


def _where(location: Location, remote_access: bool) -> list[Point]:
    out = []
    if location.outside_mainland:
        zh, en = _WHERE[location]
        out.append(
            _point(
                "XB-DEF",
                tr(
                    f"接收方位于{zh}，视为境外（港澳台视为境外）",
                    f"the recipient is in {en}: outside the mainland (Hong Kong, Macao and "
                    "Taiwan count as outside)",
                ),
            )
        )
    if remote_access:
        out.append(
            _point(
                "XB-DEF",
                tr(
                    "境外可远程查询、调取、下载数据，视为出境",
                    "people abroad can query, retrieve or download the data: an export",
                ),
            )
        )
    return out


def _decide(
    *,
    ciio: bool,
    important_data: bool,
    exemption: Exemption | None,
    general: int,
    sensitive: int,
) -> tuple[Outcome, list[Point]]:
    """The route and why, for a provision that leaves the mainland."""
    x7, x8, x5 = rules()["XB16-7"], rules()["XB16-8"], rules()["XB16-5"]
    at_7, sens_7 = int(x7.param("individuals")), int(x7.param("sensitive"))
    at_8, sens_8 = int(x8.param("individuals")), int(x8.param("sensitive"))
    below_5 = int(x5.param("individuals_below"))
    if important_data:
        return Outcome.SECURITY_ASSESSMENT, [
            _point(
                "XB16-7",
                tr(
                    "公司持有已被告知或公开发布为重要数据的数据：出境须申报安全评估（个人信息豁免"
                    "不适用于重要数据）",
                    "the company holds data notified or published as important: exporting it "
                    "needs the security assessment (PI exemptions do not cover important data)",
                ),
            ),
            _point("NDS-37", tr("重要数据出境须通过安全评估", "important data: assessment")),
        ]
    if exemption is not None:
        item, zh, en = _EXEMPTIONS[exemption]
        return Outcome.EXEMPT, [
            _point(
                "XB16-5",
                tr(f"豁免情形{item}：{zh}", f"exemption {item}: {en}"),
            ),
            _point("NDS-35", tr("出境条件之一", "one of the conditions for export")),
        ]
    if ciio:
        return Outcome.SECURITY_ASSESSMENT, [
            _point(
                "XB16-7",
                tr(
                    "关键信息基础设施运营者向境外提供个人信息（任何数量）",
                    "a CIIO provides PI abroad (any number)",
                ),
            ),
            _point("PIPL-40", tr("关键信息基础设施运营者", "CIIO")),
        ]
    if general >= at_7:
        return Outcome.SECURITY_ASSESSMENT, [
            _point(
                "XB16-7",
                tr(
                    f"当年累计 {general:,} 人 ≥ {at_7:,} 人个人信息",
                    f"{general:,} individuals this year ≥ {at_7:,}",
                ),
            )
        ]
    if sensitive >= sens_7:
        return Outcome.SECURITY_ASSESSMENT, [
            _point(
                "XB16-7",
                tr(
                    f"当年累计 {sensitive:,} 人敏感个人信息 ≥ {sens_7:,} 人",
                    f"{sensitive:,} individuals with sensitive PI this year ≥ {sens_7:,}",
                ),
            )
        ]
    if general >= at_8 or sensitive >= sens_8:
        why = (
            tr(
                f"当年累计 {general:,} 人，在 {at_8:,} 至不满 {at_7:,} 人之间",
                f"{general:,} individuals this year: from {at_8:,} to under {at_7:,}",
            )
            if general >= at_8
            else tr(
                f"当年累计 {sensitive:,} 人敏感个人信息（不满 {sens_7:,} 人，即使只有一人）",
                f"{sensitive:,} individuals with sensitive PI this year (under {sens_7:,}, "
                "even one)",
            )
        )
        return Outcome.STANDARD_CONTRACT, [
            _point("XB16-8", why),
            _point("CERT-1", tr("或通过个人信息保护认证", "or certification instead")),
        ]
    return Outcome.EXEMPT, [
        _point(
            "XB16-5",
            tr(
                f"豁免情形(4)：非关键信息基础设施运营者，当年累计 {general:,} 人 < {below_5:,} 人，"
                "且不含敏感个人信息",
                f"exemption (4): not a CIIO, {general:,} individuals this year < {below_5:,}, "
                "no sensitive PI",
            ),
        )
    ]


def _duties(outcome: Outcome, exemption: Exemption | None, ciio: bool) -> list[Point]:
    if outcome is Outcome.DOMESTIC:
        return []
    consent = (
        tr(
            "告知境外接收方名称、联系方式、目的、方式、种类及行权方式；以同意为合法性基础时取得单独同意",
            "tell the individuals the foreign recipient, purpose, method, categories and how to "
            "exercise their rights; separate consent where consent is the legal basis",
        )
        if exemption is not None
        else tr(
            "告知境外接收方名称、联系方式、目的、方式、种类及行权方式，并取得个人单独同意",
            "tell the individuals the foreign recipient, purpose, method, categories and how to "
            "exercise their rights, and obtain their separate consent",
        )
    )
    out = [
        _point("PIPL-39", consent),
        _point(
            "PIPL-55",
            tr("事前进行个人信息保护影响评估（第五十五条第四项）", "a PIA beforehand (Art. 55(4))"),
        ),
        _point(
            "NDS-12",
            tr("提供记录至少保存 3 年", "keep the provision records at least 3 years"),
        ),
        _point(
            "XB-SPLIT",
            tr(
                "不得以数量拆分等方式规避安全评估或标准合同",
                "do not split volumes to avoid the assessment or the standard contract",
            ),
        ),
    ]
    if outcome is Outcome.STANDARD_CONTRACT:
        days = int(rules()["SCC-7"].param("working_days"))
        years = int(rules()["CERT-2"].param("valid_years"))
        out += [
            _point(
                "SCC-7",
                tr(
                    f"标准合同生效之日起 {days} 个工作日内向省级网信部门备案",
                    f"file the standard contract with the provincial CAC within {days} working "
                    "days after it takes effect",
                ),
            ),
            _point(
                "SCC-5",
                tr("备案时附个人信息保护影响评估报告", "file the PIA report with it"),
            ),
            _point(
                "CERT-2",
                tr(f"如选择认证：证书有效期 {years} 年", f"if certified: valid {years} years"),
            ),
        ]
    if outcome is Outcome.SECURITY_ASSESSMENT:
        x9 = rules()["XB16-9"]
        out.append(
            _point(
                "XB16-9",
                tr(
                    f"通过省级网信部门申报；评估结果有效期 {x9.param('valid_years')} 年，届满前 "
                    f"{x9.param('extend_within_working_days')} 个工作日内可申请延长 "
                    f"{x9.param('extension_years')} 年",
                    f"declare through the provincial CAC; the result is valid "
                    f"{x9.param('valid_years')} years, extendable by "
                    f"{x9.param('extension_years')} years if applied for within "
                    f"{x9.param('extend_within_working_days')} working days before expiry",
                ),
            )
        )
        if ciio:
            out.append(
                _point(
                    "PIPL-40",
                    tr("个人信息应存储在境内", "store the PI in China"),
                )
            )
    return out


def route(
    *,
    location: Location,
    remote_access: bool,
    ciio: bool,
    important_data: bool,
    exemption: Exemption | None,
    individuals: int,
    sensitive: int,
    handled: int | None = None,
) -> Route:
    """The cross-border route for a provision to a recipient at ``location`` (with or without
    remote access from abroad) by a company with these flags, when ``individuals`` (of whom
    ``sensitive`` with sensitive PI) were provided abroad since 1 January, this one included.
    ``handled``: the individuals the company processes, for the Order 11 note (XB11-4)."""
    abroad = location.outside_mainland or remote_access
    cnt = rules()["XB-CNT"]
    general = individuals if cnt.param("general_includes_sensitive") else individuals - sensitive
    general = max(general, 0)
    if not abroad:
        reasons = [
            _point(
                "XB-DEF",
                tr(
                    "接收方在境内且境外无法远程访问：不属于数据出境",
                    "the recipient is in the mainland and nobody abroad can reach the data: "
                    "not an export",
                ),
            )
        ]
        return Route(Outcome.DOMESTIC, False, individuals, sensitive, tuple(reasons), ())
    reasons = _where(location, remote_access)
    outcome, why = _decide(
        ciio=ciio,
        important_data=important_data,
        exemption=exemption,
        general=general,
        sensitive=sensitive,
    )
    reasons += why
    reasons.append(
        _point(
            "XB-CNT",
            tr(
                "人数自当年 1 月 1 日起累计（公司全部交易），按自然人去重",
                "persons counted since 1 January across the company's deals, each once",
            ),
        )
    )
    x11 = rules()["XB11-4"]
    if handled is not None and handled >= int(x11.param("handled_individuals")):
        reasons.append(
            _point(
                "XB11-4",
                tr(
                    f"注意：公司处理约 {handled:,} 人个人信息；旧办法下处理100万人以上即须评估，"
                    "令16下是否仍适用未明确",
                    f"note: the company handles about {handled:,} individuals' PI; under Order 11 "
                    "handling 1,000,000 required an assessment — whether that still applies "
                    "under Order 16 is not stated",
                ),
            )
        )
    duties = _duties(outcome, exemption, ciio)
    return Route(outcome, True, individuals, sensitive, tuple(reasons), tuple(duties))


# --- the assessment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossBorder:
    profile: Profile
    company: CompanyFacts
    location: Location
    remote_access: bool
    year: int
    totals: AbroadTotals
    route: Route
    #: this deal's planned provision (its documents, added up: an upper bound)
    planned_individuals: int
    planned_sensitive: int
    #: the route once the planned provision is added ("what if")
    what_if: Route


def _route_for(
    cb_location: Location,
    remote: bool,
    facts: CompanyFacts,
    exemption: Exemption | None,
    individuals: int,
    sensitive: int,
    handled: int | None,
) -> Route:
    return route(
        location=cb_location,
        remote_access=remote,
        ciio=facts.ciio,
        important_data=facts.important_data,
        exemption=exemption,
        individuals=individuals,
        sensitive=sensitive,
        handled=handled,
    )


def assess(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    year: int | None = None,
    planned: tuple[int, int] | None = None,
) -> CrossBorder:
    """The deal's cross-border assessment for ``year`` (default: this year in China).
    ``planned``: (individuals, sensitive) of the provision planned; default the deal's
    documents (their inventories added up)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    today = provisions.today_in_china()
    year = year or today.year
    with vault.reading() as session:
        profile = profile_of(session, vault, deal_id)
        facts = company_of(session, profile.uscc)
        _, location, remote, _ = provisions.recipient_facts(session, vault, deal_id)
        totals = provisions.abroad_totals(
            session,
            uscc=profile.uscc,
            deal_id=deal_id,
            year=year,
            until=today if year == today.year else None,
        )
    data = deal_data(vault, deal_id)
    if planned is None:
        planned = (data.individuals, data.sensitive_individuals)
    abroad = location.outside_mainland or remote
    add_i, add_s = planned if abroad else (0, 0)
    handled = data.individuals or None
    where, reach = location, remote
    if not abroad and totals.provisions:
        # this deal's recipient is in the mainland, but the company exported this year: the
        # route of those provisions (where the latest went)
        where, reach = totals.provisions[-1].region, totals.provisions[-1].remote_access
    now_route = _route_for(
        where,
        reach,
        facts,
        profile.exemption,
        totals.individuals,
        totals.sensitive_individuals,
        handled,
    )
    what_if = _route_for(
        where,
        reach,
        facts,
        profile.exemption,
        totals.individuals + add_i,
        totals.sensitive_individuals + add_s,
        handled,
    )
    return CrossBorder(
        profile, facts, location, remote, year, totals, now_route, add_i, add_s, what_if
    )
