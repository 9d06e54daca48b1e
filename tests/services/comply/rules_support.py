"""Generated figures for the rule tests: a deal's data summary, profile and company facts."""

from __future__ import annotations

from baomi.services.comply.data import DataSummary
from baomi.services.comply.profile import CompanyFacts, Location, Profile, TransferType

USCC = "91350100M000100Y43"


def data(
    individuals: int = 0,
    *,
    at_least: int | None = None,
    sensitive: int = 0,
    entities: dict[str, int] | None = None,
    sensitive_categories: tuple[str, ...] = (),
) -> DataSummary:
    return DataSummary(
        deal_id="d",
        documents=1,
        scanned=1,
        rows=individuals,
        individuals=individuals,
        individuals_at_least=individuals if at_least is None else at_least,
        sensitive_individuals=sensitive,
        entities=entities or {},
        sensitive_categories=sensitive_categories,
    )


def profile(
    kind: TransferType | None,
    *,
    recipient: str = "承接科技有限公司",
    contact: str = "010-00000000",
    location: Location = Location.MAINLAND,
    remote: bool = False,
) -> Profile:
    return Profile("d", "交易", USCC, kind, recipient, contact, location, remote)


def company(
    *,
    important: bool = False,
    ciio: bool = False,
    turnover: int | None = None,
    staff: int | None = None,
    pi_business: bool = False,
) -> CompanyFacts:
    return CompanyFacts(USCC, ciio, important, turnover, staff, pi_business, entered=True)
