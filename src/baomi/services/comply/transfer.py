"""What the transfer type makes the seller do, and what each package the data room made is
under the law.

:func:`obligations` lists, for the deal's transfer type (equity transfer, merger, division,
asset sale, dissolution, bankruptcy), the obligations that follow and *why*, citing the rules
(PIPL-22/23/29/47/55, NDS-12/14/32, GB/T 35273 §6.4/§9.2/§9.3, the TX-* analysis). Which types
a rule covers is its ``transfer_types`` parameter (``rules/transfer.yaml``).

:func:`package_status` says which legal case a package is, from its measured re-identification
risk and the operators it used:

- **personal information** — some identifier was handed over as it was;
- **de-identified** — pseudonymised or generalised, but still personal information (PIPL-4,
  PIPL-73): any reversible or linkable operator, or risk above GB/T 37964's thresholds;
- **not re-identifiable by the recipient** — risk within S379-B2's thresholds and nothing
  reversible or linkable handed over: a candidate for GB/T 35273 §9.2's consent exception, and
  *still personal information under the PIPL*.

baomi never calls a package it made *anonymised*: anonymisation needs data that "cannot be
restored" (PIPL-73, SPC17-3), and the seller keeps the keys and the trace record of every
package — a package is always restorable by someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from baomi.i18n import tr
from baomi.services.comply.citations import Cited, cite
from baomi.services.comply.data import DataSummary, labels_text
from baomi.services.comply.duties import reaches_nds28
from baomi.services.comply.inputs import deal_inputs, type_name
from baomi.services.comply.packages import PackageFacts, deal_packages
from baomi.services.comply.profile import CompanyFacts, Profile, TransferType
from baomi.services.comply.reports.model import heading
from baomi.services.comply.rulebook import rules
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault


class Level(StrEnum):
    """How an obligation binds."""

    REQUIRED = "required"
    RECOMMENDED = "recommended"
    #: binds if something happens (a breach, a change of purpose)
    CONDITIONAL = "conditional"
    #: the assessment needs an input first
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {
            Level.REQUIRED: tr("必须", "required"),
            Level.RECOMMENDED: tr("建议", "recommended"),
            Level.CONDITIONAL: tr("如发生", "if it happens"),
            Level.MISSING: tr("待补充", "input needed"),
        }[self]


@dataclass(frozen=True)
class Obligation:
    id: str
    level: Level
    title: str
    why: str
    citations: tuple[Cited, ...]


def covers(rule_id: str, kind: TransferType) -> bool:
    """Whether the rule's ``transfer_types`` parameter names ``kind``."""
    return kind.value in rules()[rule_id].param("transfer_types")


def _due_diligence(profile: Profile) -> Obligation:
    keep = rules()["NDS-12"].param("keep_years")
    who = profile.recipient_name or tr("买方", "the buyer")
    return Obligation(
        "due-diligence-provision",
        Level.REQUIRED,
        tr(
            "尽职调查披露：告知并取得单独同意，事前影响评估，保存提供记录",
            "Due-diligence disclosure: notice and separate consent, a PIA first, records kept",
        ),
        tr(
            f"向{who}及其顾问披露客户数据，是向其他个人信息处理者提供个人信息：须告知接收方名称、"
            f"联系方式、处理目的、方式和个人信息种类并取得单独同意，事前进行个人信息保护影响评估，"
            f"签订约定目的、方式、范围和安全义务的协议，提供记录至少保存{keep}年。去标识化数据仍是"
            f"个人信息；宜只提供接收方无法重新识别的样本（见各数据包的状态）。",
            f"Disclosing customer data to {who} and its advisers is a provision to another "
            f"processor: notify the recipient's name, contact, purpose, method and PI categories "
            f"and obtain separate consent, assess the impact first, agree purpose, method, scope "
            f"and security duties, keep the records at least {keep} years. De-identified data is "
            f"still PI; prefer samples the recipient cannot re-identify (see each package's "
            f"status).",
        ),
        cite("TX-2", "PIPL-23", "PIPL-55", "NDS-12", "PIPL-73", "S35-9.2"),
    )


def _equity() -> list[Obligation]:
    return [
        Obligation(
            "equity-same-processor",
            Level.RECOMMENDED,
            tr("股权转让：原同意继续有效，建议告知个人", "Equity transfer: inform individuals"),
            tr(
                "公司仍是同一法人、同一个人信息处理者，已取得的同意继续有效，个人信息保护法第二十二条"
                "一般不适用；GB/T 35273 第9.3条列明“收购”，建议告知个人。向新股东或其集团共享"
                "个人信息是新的提供（第二十三条）。",
                "The company stays the same legal person and PI processor: consents continue and "
                "PIPL-22 is not obviously triggered; GB/T 35273 §9.3 lists acquisitions, so "
                "informing individuals is recommended. Sharing with the new owner or its group is "
                "a new provision (PIPL-23).",
            ),
            cite("TX-1", "S35-9.3", "PIPL-23"),
        ),
        Obligation(
            "equity-new-purpose",
            Level.CONDITIONAL,
            tr("新股东改变处理目的或方式：重新取得同意", "New owners change purpose: new consent"),
            tr(
                "转让后改变处理目的、处理方式或个人信息种类的，应当重新取得个人同意。",
                "A change of purpose, method or PI categories after the transfer needs new "
                "consent.",
            ),
            cite("PIPL-14", "TX-1"),
        ),
    ]


def _successor(profile: Profile, kind: TransferType) -> list[Obligation]:
    """PIPL-22 (and NDS-14, S35-9.3) when the PI moves to a recipient on a merger, division,
    dissolution or bankruptcy."""
    s93 = ("S35-9.3",) if covers("S35-9.3", kind) else ()
    named = profile.recipient_name and profile.recipient_contact
    missing = (
        ""
        if named
        else tr(
            "交易尚未录入接收方名称和联系方式，请先补充。",
            "The deal has no recipient name and contact yet: enter them. ",
        )
    )
    return [
        Obligation(
            "notify-recipient",
            Level.REQUIRED,
            tr(
                "告知个人接收方的名称和联系方式",
                "Notify individuals of the recipient's name and contact",
            ),
            tr(
                f"因{type_name(kind)}转移个人信息的，应当向个人告知接收方的名称或者姓名和联系方式"
                f"（转移本身无需同意）。{missing}",
                f"Transferring PI on a {type_name(kind)} requires notifying individuals of the "
                f"recipient's name and contact (the transfer itself needs no consent). {missing}",
            ),
            cite("PIPL-22", *s93),
        ),
        Obligation(
            "recipient-continues",
            Level.REQUIRED,
            tr("接收方继续履行处理者义务", "The recipient continues the processor's duties"),
            tr(
                "接收方应当继续履行个人信息处理者的义务和网络数据安全保护义务。",
                "The recipient continues the PI processor's duties and the network-data security "
                "duties.",
            ),
            cite("PIPL-22", "NDS-14", *s93),
        ),
        Obligation(
            "recipient-new-purpose",
            Level.CONDITIONAL,
            tr("接收方变更目的或方式：重新取得同意", "Recipient changes purpose: new consent"),
            tr(
                "接收方变更原先的处理目的、处理方式的，应当重新取得个人同意。",
                "A recipient that changes the original purpose or method must obtain consent "
                "again.",
            ),
            cite("PIPL-22", "PIPL-14", *s93),
        ),
    ]


def _delete(kind: TransferType) -> Obligation:
    if kind is TransferType.DISSOLUTION:
        return Obligation(
            "delete-on-dissolution",
            Level.REQUIRED,
            tr("停止收集、通知个人并删除个人信息", "Stop collecting, notify, delete the PI"),
            tr(
                "解散、注销且无承接方：停止提供服务即应主动删除个人信息；停止收集，逐一送达或公告通知"
                "个人，删除或匿名化所持个人信息；法定保存期未满或删除技术上难以实现的，除存储和采取"
                "安全保护措施外停止处理。",
                "Dissolution without a successor: stopping the service triggers deletion; stop "
                "collecting, notify individuals one by one or by announcement, delete or anonymise "
                "the PI held; during a legal retention period, or where deletion is technically "
                "hard, only store it and protect it.",
            ),
            cite("PIPL-47", "S35-6.4", "TX-4"),
        )
    return Obligation(
        "delete-on-bankruptcy",
        Level.REQUIRED,
        tr("破产且无承接方：删除数据", "Bankruptcy without a successor: delete the data"),
        tr(
            "破产且无承接方的，对数据做删除处理。交易尚未录入接收方，按无承接方评估。",
            "Bankruptcy without a successor: delete the data. The deal has no recipient entered, "
            "so it is assessed as having no successor.",
        ),
        cite("S35-9.3", "TX-5"),
    )


def _asset_sale() -> Obligation:
    return Obligation(
        "asset-sale-consent",
        Level.REQUIRED,
        tr(
            "出售客户数据：逐一告知并取得单独同意",
            "Selling customer data: separate consent of each",
        ),
        tr(
            "作为资产出售客户名单不属于第二十二条的情形，是向其他处理者提供个人信息：须逐一告知并取得"
            "单独同意，事前评估，记录提供的日期、规模、目的和接收方。未经同意且未匿名化而提供的，"
            "有行政处罚和刑事责任风险（见风险敞口估算）。",
            "Selling the customer list as an asset is not a PIPL-22 event but a provision to "
            "another processor: notify each individual and obtain separate consent, assess first, "
            "log the date, scale, purpose and recipient. Providing without consent and without "
            "anonymisation risks fines and criminal liability (see the exposure estimate).",
        ),
        cite("TX-6", "PIPL-23", "S35-9.2", "NDS-12", "SPC17-3"),
    )


def _sensitive(data: DataSummary) -> Obligation:
    cats = labels_text(data.sensitive_categories)
    return Obligation(
        "sensitive-consent",
        Level.REQUIRED,
        tr("敏感个人信息：单独同意和影响评估", "Sensitive PI: separate consent and a PIA"),
        tr(
            f"数据含敏感个人信息（{cats}；涉及约 {data.sensitive_individuals:,} 人），处理和提供须取得"
            f"个人的单独同意，并事前进行影响评估。",
            f"The data holds sensitive PI ({cats}; about {data.sensitive_individuals:,} persons): "
            f"processing and providing it needs each individual's separate consent and a PIA "
            f"first.",
        ),
        cite("PIPL-29", "PIPL-55"),
    )


def _report(kind: TransferType, company: CompanyFacts, data: DataSummary) -> Obligation:
    n = rules()["NDS-28"].param("individuals")
    reason = (
        tr("公司处理重要数据", "the company processes important data")
        if company.important_data
        else tr(
            f"个人数上限 {data.individuals:,} 达到{n:,}人",
            f"the upper bound of {data.individuals:,} individuals reaches {n:,}",
        )
    )
    return Obligation(
        "report-disposal-plan",
        Level.REQUIRED,
        tr("向省级以上主管部门报告数据处置方案和接收方", "Report the disposal plan and recipient"),
        tr(
            f"{reason}：{type_name(kind)}时须向省级以上主管部门报告数据处置方案、接收方名称和"
            f"联系方式（无明确主管部门的，报省级数据安全工作协调机制）。",
            f"{reason}: on a {type_name(kind)} report the disposal plan and the recipient's name "
            f"and contact to the provincial authority (or the provincial data-security "
            f"coordination mechanism).",
        ),
        cite("NDS-32", "NDS-28", "TX-3"),
    )


def _abroad(profile: Profile) -> Obligation:
    how = (
        tr("接收方在境外（含港澳台）", "The recipient is outside the mainland")
        if profile.recipient_location.outside_mainland
        else tr("数据从境外远程访问", "The data is accessed remotely from abroad")
    )
    return Obligation(
        "cross-border",
        Level.REQUIRED,
        tr("数据出境：按出境路径办理", "Cross-border: follow the cross-border route"),
        tr(
            f"{how}，属于向境外提供个人信息：须按出境评估确定的路径（豁免、标准合同或认证、安全"
            f"评估）办理，并单独告知和同意。",
            f"{how}: this is a cross-border provision; follow the route the cross-border "
            f"assessment determines (exempt, standard contract or certification, security "
            f"assessment), with notice and separate consent.",
        ),
        cite("TX-7", "PIPL-38"),
    )


def _breach(company: CompanyFacts) -> Obligation:
    tx8 = rules()["TX-8"]
    hours = tx8.param("cii_report_hours") if company.ciio else tx8.param("report_hours")
    return Obligation(
        "breach-during-transfer",
        Level.CONDITIONAL,
        tr("转让中发现泄露：立即通知", "A breach during the transfer: notify immediately"),
        tr(
            f"发现个人信息泄露的，立即采取补救措施并通知监管部门和个人；达到“较大”以上的，"
            f"{hours}小时内报告（见风险敞口估算的事件分级）。",
            f"On a PI breach, remedy and notify the regulator and the individuals immediately; "
            f"relatively major and above: report within {hours} hour(s) (see the incident grade "
            f"in the exposure estimate).",
        ),
        cite("TX-8", "INC-A"),
    )


def obligations(profile: Profile, company: CompanyFacts, data: DataSummary) -> list[Obligation]:
    """The obligations the deal's transfer type and data lead to, each with its reasons."""
    kind = profile.transfer_type
    if kind is None:
        return [
            Obligation(
                "set-transfer-type",
                Level.MISSING,
                tr("请先设置转让类型", "Set the transfer type first"),
                tr(
                    "适用的规则取决于转让类型（股权转让、合并、分立、资产出售、解散、破产）。"
                    "请先在交易的合规页或用 baomi assess profile 设置。",
                    "Which rules apply depends on the transfer type (equity, merger, division, "
                    "asset sale, dissolution, bankruptcy). Set it on the deal's compliance page "
                    "or with baomi assess profile.",
                ),
                (),
            )
        ]
    out = [_due_diligence(profile)] if covers("TX-2", kind) else []
    has_successor = bool(profile.recipient_name)
    if covers("TX-1", kind):
        out += _equity()
    if covers("PIPL-22", kind) and (
        has_successor or kind not in (TransferType.DISSOLUTION, TransferType.BANKRUPTCY)
    ):
        out += _successor(profile, kind)
    if kind in (TransferType.DISSOLUTION, TransferType.BANKRUPTCY) and not has_successor:
        out.append(_delete(kind))
    if covers("TX-6", kind):
        out.append(_asset_sale())
    if data.sensitive_individuals or data.sensitive_categories:
        out.append(_sensitive(data))
    if covers("NDS-32", kind) and (company.important_data or reaches_nds28(data)):
        out.append(_report(kind, company, data))
    if profile.abroad:
        out.append(_abroad(profile))
    out.append(_breach(company))
    return out


def deal_obligations(vault: Vault, *, actor: Actor, deal_ref: str) -> list[Obligation]:
    """The deal's obligations (COMPLY_VIEW)."""
    inputs = deal_inputs(vault, actor=actor, deal_ref=deal_ref)
    return obligations(inputs.profile, inputs.company, inputs.data)


# --- package status ------------------------------------------------------------------------


class Case(StrEnum):
    """The legal case a package is (never "anonymised": see the module's docstring)."""

    PERSONAL = "personal_information"
    DEIDENTIFIED = "deidentified"
    NOT_REIDENTIFIABLE = "not_reidentifiable"

    @property
    def label(self) -> str:
        return {
            Case.PERSONAL: tr(
                "个人信息（保留了标识符）", "Personal information (identifiers kept)"
            ),
            Case.DEIDENTIFIED: tr(
                "去标识化／假名化（仍是个人信息）", "De-identified / pseudonymised (still PI)"
            ),
            Case.NOT_REIDENTIFIABLE: tr(
                "接收方无法重新识别（仍是个人信息）", "Recipient cannot re-identify (still PI)"
            ),
        }[self]


@dataclass(frozen=True)
class PackageStatus:
    package_id: str
    recipient: str | None
    created: str
    case: Case
    #: always True: no package baomi made leaves the PIPL (PIPL-4, PIPL-73)
    personal_information: bool
    #: candidate for GB/T 35273 §9.2's consent exception
    consent_exception_candidate: bool
    #: always False, with :attr:`why_not_anonymised`
    anonymised: bool
    k: int | None
    max_risk: float | None
    average_risk: float | None
    why: str
    why_not_anonymised: str
    citations: tuple[Cited, ...]


def _rounded(risk: float, decimals: int) -> Decimal:
    return Decimal(repr(risk)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def risk_within(max_risk: float | None, average_risk: float | None) -> bool:
    """Whether measured risks meet S379-B2 (controlled sharing): average ≤ 0.33 and maximum ≤
    0.5, compared at the standard's precision (two decimals: classes of 3 give 0.33)."""
    if max_risk is None or average_risk is None:
        return False
    b2 = rules()["S379-B2"]
    decimals = int(b2.param("decimals"))
    return _rounded(average_risk, decimals) <= Decimal(repr(b2.param("average_risk"))) and _rounded(
        max_risk, decimals
    ) <= Decimal(repr(b2.param("max_risk")))


def _not_anonymised() -> str:
    return tr(
        "不是匿名化：匿名化要求无法识别且不能复原；数据包由 baomi 用卖方的密钥生成，卖方保留密钥和"
        "追溯记录，可以复原或关联，因此仍适用个人信息保护法。",
        "Not anonymised: anonymisation requires that the data cannot identify anyone and cannot "
        "be restored; baomi made the package with the seller's keys, and the seller keeps the "
        "keys and the trace record, so it can be restored or linked — the PIPL still applies.",
    )


def package_status(p: PackageFacts) -> PackageStatus:
    """Which legal case the package is, and why."""
    b2 = rules()["S379-B2"]
    organisations = set(rules()["PIPL-4"].param("not_personal_entities"))
    kept = [e for e in p.kept if e not in organisations]
    handed: list[str] = []
    if kept:
        handed.append(tr(f"原样保留：{', '.join(kept)}", f"kept as they were: {', '.join(kept)}"))
    if p.reversible:
        handed.append(
            tr(f"可逆算子：{', '.join(p.reversible)}", f"reversible: {', '.join(p.reversible)}")
        )
    if p.pseudonymous:
        handed.append(
            tr(f"可关联算子：{', '.join(p.pseudonymous)}", f"linkable: {', '.join(p.pseudonymous)}")
        )
    if p.max_risk is None or p.average_risk is None:
        risk = tr("未测量重识别风险（未做 k 匿名）", "re-identification risk not measured (no k)")
    else:
        risk = tr(
            f"k={p.k}，最大风险 {p.max_risk:.3f}（阈值 {b2.param('max_risk')}），平均风险 "
            f"{p.average_risk:.3f}（阈值 {b2.param('average_risk')}）",
            f"k={p.k}, maximum risk {p.max_risk:.3f} (threshold {b2.param('max_risk')}), average "
            f"risk {p.average_risk:.3f} (threshold {b2.param('average_risk')})",
        )
    within = risk_within(p.max_risk, p.average_risk)
    if kept:
        case = Case.PERSONAL
        why = tr(
            f"数据包原样交付了标识符，是个人信息。{'；'.join(handed)}；{risk}。",
            f"The package hands over identifiers as they were: personal information. "
            f"{heading('; '.join(handed))}; {risk}.",
        )
        cited = cite("PIPL-4", "PIPL-73", "PIPL-23")
    elif handed or not within:
        case = Case.DEIDENTIFIED
        why = tr(
            f"去标识化数据在借助额外信息（密钥、对照表）时仍可识别，仍是个人信息。"
            f"{'；'.join(handed) or '无可逆或可关联算子'}；{risk}。",
            f"De-identified data is identifiable with additional information (keys, lookup "
            f"tables): still personal information. "
            f"{heading('; '.join(handed)) or 'Nothing reversible or linkable'}; "
            f"{risk}.",
        )
        cited = cite("PIPL-4", "PIPL-73", "S379-B2")
    else:
        case = Case.NOT_REIDENTIFIABLE
        why = tr(
            f"未交付可逆或可关联的值，重识别风险在 GB/T 37964 附录B 的阈值内：可作为 GB/T 35273 "
            f"第9.2条“接收方无法重新识别”的例外的候选；但依个人信息保护法仍是个人信息，提供仍须"
            f"告知和同意。{risk}。",
            f"Nothing reversible or linkable handed over and the re-identification risk is within "
            f"GB/T 37964 Annex B: a candidate for GB/T 35273 §9.2's exception for data the "
            f"recipient cannot re-identify; under the PIPL it is still personal information and "
            f"providing it still needs notice and consent. {risk}.",
        )
        cited = cite("S35-9.2", "S379-B2", "PIPL-4", "PIPL-73")
    return PackageStatus(
        package_id=p.package_id,
        recipient=p.recipient,
        created=p.created,
        case=case,
        personal_information=True,
        consent_exception_candidate=case is Case.NOT_REIDENTIFIABLE,
        anonymised=False,
        k=p.k,
        max_risk=p.max_risk,
        average_risk=p.average_risk,
        why=why,
        why_not_anonymised=_not_anonymised(),
        citations=cited + cite("SPC17-3"),
    )


def deal_package_statuses(vault: Vault, *, actor: Actor, deal_ref: str) -> list[PackageStatus]:
    """The legal case of every package the deal's data room made (COMPLY_VIEW)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    return [package_status(p) for p in deal_packages(vault, deal_id)]
