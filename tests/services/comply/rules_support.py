"""Generated figures for the rule tests: a deal's data summary, profile and company facts."""

from __future__ import annotations

import csv
from pathlib import Path

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text
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


def pseudonymised_package(tmp: Path, records: Path, recipient: str = "买方A") -> None:
    """Protect a small generated customer list with a keyed pseudonym (still PI), writing the
    trace record into ``records`` (a deal's ``records_dir``)."""
    src = tmp / "in"
    src.mkdir()
    with (src / "p.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["客户编号", "城市"])
        for i in range(40):
            w.writerow([f"C{i:04d}", "深圳"])
    protect_paths(
        [src],
        load_policy_text("columns:\n  客户编号: {operator: pseudonym}\n"),
        tmp / "out",
        keys=KeyProvider(b"k" * 32),
        options=ProtectOptions(recipient=recipient, manifests_dir=records),
    )
