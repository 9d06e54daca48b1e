"""The demo deal's assessment facts (``baomi serve --demo``): a merger with a recipient in Hong
Kong and the target company's facts, so the compliance pages have something to assess. Set once;
later calls leave what people changed."""

from __future__ import annotations

from baomi.services.comply import profile
from baomi.services.comply.profile import Location, TransferType
from baomi.services.dataroom.demo import DEMO_DEAL, DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

SYSTEM = Actor("demo", Role.ADMIN)


def ensure_demo_assessment(vault: Vault) -> bool:
    """Give the demo deal its transfer profile and company facts if it has none; True when set."""
    if profile.profile(vault, actor=SYSTEM, deal_ref=DEMO_DEAL).transfer_type is not None:
        return False
    profile.set_profile(
        vault,
        actor=SYSTEM,
        deal_ref=DEMO_DEAL,
        transfer_type=TransferType.MERGER,
        recipient_name="演示买方有限公司",
        recipient_contact="010-00000000",
        recipient_location=Location.HONG_KONG,
        purpose="尽职调查与合并后继续为客户提供服务",
    )
    profile.set_company(
        vault,
        actor=SYSTEM,
        uscc=DEMO_USCC,
        ciio=False,
        important_data=False,
        turnover_yuan=80_000_000,
        staff=120,
        pi_business=True,
    )
    return True
