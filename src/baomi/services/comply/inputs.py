"""What one deal's rule assessment starts from — its profile, its company's facts, its data — read
after the actor was authorized, and the threshold comparisons every rule module shares.

The law says a threshold either includes the number (「以上」「达到」, INC-G4) or not (「超过」);
:func:`meets` takes which. Individuals are counted on the deal's upper bound (documents added up,
:class:`~baomi.services.comply.data.DataSummary`): the side on which an assessment errs safely.
"""

from __future__ import annotations

from dataclasses import dataclass

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.comply.data import DataSummary, deal_data
from baomi.services.comply.profile import (
    CompanyFacts,
    Profile,
    TransferType,
    company_of,
    profile_of,
    set_company,
)
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault


@dataclass(frozen=True)
class DealInputs:
    profile: Profile
    company: CompanyFacts
    data: DataSummary


def deal_inputs(vault: Vault, *, actor: Actor, deal_ref: str) -> DealInputs:
    """The deal's profile, its target company's facts and its data, for ``actor`` (COMPLY_VIEW)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    with vault.reading() as session:
        prof = profile_of(session, vault, deal_id)
        facts = company_of(session, prof.uscc)
    return DealInputs(prof, facts, deal_data(vault, deal_id))


def _target(vault: Vault, actor: Actor, deal_ref: str, action: Action) -> str:
    """The deal's target company's code, after ``actor`` was authorized for the deal."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, action, deal_id)
    with vault.reading() as session:
        uscc = profile_of(session, vault, deal_id).uscc
    if not uscc:
        raise InputError(
            tr(
                "交易还没有数据室，不知道目标公司的统一社会信用代码",
                "the deal has no data room, so its company's code is unknown",
            )
        )
    return uscc


def deal_company(vault: Vault, *, actor: Actor, deal_ref: str) -> CompanyFacts:
    """The facts of the deal's target company (COMPLY_VIEW on the deal)."""
    uscc = _target(vault, actor, deal_ref, Action.COMPLY_VIEW)
    with vault.reading() as session:
        return company_of(session, uscc)


def set_deal_company(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    ciio: bool,
    important_data: bool,
    turnover_yuan: int | None,
    staff: int | None,
    pi_business: bool,
) -> CompanyFacts:
    """Enter the facts of the deal's target company (COMPLY_EDIT on the deal)."""
    return set_company(
        vault,
        actor=actor,
        uscc=_target(vault, actor, deal_ref, Action.COMPLY_EDIT),
        ciio=ciio,
        important_data=important_data,
        turnover_yuan=turnover_yuan,
        staff=staff,
        pi_business=pi_business,
    )


def meets(value: int, threshold: int, *, inclusive: bool) -> bool:
    """``value`` reaches ``threshold``: ``≥`` for 「以上」/「达到」, ``>`` for 「超过」."""
    return value >= threshold if inclusive else value > threshold


def basis(data: DataSummary) -> str:
    """Which count a duty was computed on (the upper bound), with the lower bound beside it."""
    return tr(
        f"个人数按上限 {data.individuals:,} 计（各文件相加，保守）；"
        f"下限 {data.individuals_at_least:,}（单个文件最大值）；"
        f"敏感个人信息涉及 {data.sensitive_individuals:,} 人（上限）",
        f"Individuals counted on the upper bound {data.individuals:,} (documents added up, "
        f"conservative); lower bound {data.individuals_at_least:,} (largest single document); "
        f"sensitive PI of {data.sensitive_individuals:,} persons (upper bound)",
    )


def type_name(kind: TransferType) -> str:
    """The transfer type's name for people."""
    return {
        TransferType.EQUITY: tr("股权转让", "equity transfer"),
        TransferType.MERGER: tr("合并", "merger"),
        TransferType.DIVISION: tr("分立", "division"),
        TransferType.ASSET_SALE: tr("资产出售（客户名单）", "asset sale (customer list)"),
        TransferType.DISSOLUTION: tr("解散、注销", "dissolution"),
        TransferType.BANKRUPTCY: tr("破产", "bankruptcy"),
    }[kind]
