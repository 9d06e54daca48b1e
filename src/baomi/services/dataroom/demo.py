"""The demo deal: a data room ready to try, built from generated seller data (no real person).

:func:`ensure_demo_room` is idempotent: the first call creates the demo deal and its room (target
company with a valid USCC), demo accounts for each side, the NDA, the stage (due diligence), a
download grant for the buyer's side, uploads the generated seller data (scanned) and makes one
protected package for the demo buyer; later calls change nothing and return ``None``.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from baomi.engine.checksums import uscc_check_char
from baomi.services import accounts, deals
from baomi.services.dataroom import documents, grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import Deal

DEMO_DEAL = "演示交易-001"
DEMO_TARGET = "示例网络科技有限公司"
_USCC17 = "91330100MA2CDE4X7"
DEMO_USCC = _USCC17 + uscc_check_char(_USCC17)
#: (user name, display name, platform role, side, deal role)
DEMO_PEOPLE = (
    ("broker", "平台经纪人", Role.BROKER, Side.PLATFORM, Role.BROKER),
    ("seller", "卖方员工", Role.SELLER, Side.SELLER, Role.SELLER),
    ("buyer", "买方审阅人", Role.BUYER, Side.BUYER, Role.BUYER),
    ("counsel", "买方律师", Role.COUNSEL, Side.BUYER, Role.COUNSEL),
)
SYSTEM = Actor("demo", Role.ADMIN)


@dataclass(frozen=True)
class DemoAccounts:
    deal: str
    passwords: dict[str, str]  # user name → password, shown once


def ensure_demo_room(vault: Vault, *, rows: int = 300) -> DemoAccounts:
    """Build the demo deal unless it exists; the demo accounts get fresh passwords each time
    (returned to be shown once: a demo, not a production home)."""
    with vault.reading() as session:
        exists = session.execute(select(Deal.id).where(Deal.name == DEMO_DEAL)).first()
    if exists is not None:
        fresh = {name: secrets.token_urlsafe(12) for name, *_ in DEMO_PEOPLE}
        for name, password in fresh.items():
            accounts.set_password(vault, actor=SYSTEM, username=name, password=password)
        return DemoAccounts(DEMO_DEAL, fresh)
    from baomi.demo import generate_demo

    deals.create(vault, actor=SYSTEM, name=DEMO_DEAL)
    rooms.open_room(
        vault, actor=SYSTEM, deal_ref=DEMO_DEAL, target_name=DEMO_TARGET, target_uscc=DEMO_USCC
    )
    passwords: dict[str, str] = {}
    users = {}
    for username, display, role, side, deal_role in DEMO_PEOPLE:
        user, token = accounts.create_user(
            vault, actor=SYSTEM, username=username, display_name=display, role=role.value
        )
        passwords[username] = secrets.token_urlsafe(12)
        accounts.complete_setup(vault, token=token, password=passwords[username])
        rooms.add_member(
            vault, actor=SYSTEM, deal_ref=DEMO_DEAL, username=username, side=side, role=deal_role
        )
        users[username] = user
    ndas.publish_nda(
        vault, actor=SYSTEM, deal_ref=DEMO_DEAL, discloser=DEMO_TARGET, recipient="演示买方有限公司"
    )
    rooms.set_stage(vault, actor=SYSTEM, deal_ref=DEMO_DEAL, stage=Stage.DUE_DILIGENCE)
    grants.set_grant(
        vault,
        actor=SYSTEM,
        deal_ref=DEMO_DEAL,
        side=Side.BUYER,
        folder="/",
        level=Level.DOWNLOAD,
        days=90,
    )
    with tempfile.TemporaryDirectory(prefix="baomi-demo-") as tmp:
        generate_demo(Path(tmp), rows=rows)
        files = [
            (p.relative_to(tmp).as_posix(), p.read_bytes())
            for p in sorted(Path(tmp).rglob("*"))
            if p.is_file()
        ]
    seller = rooms.seat(vault, users["seller"], DEMO_DEAL)
    added = documents.upload(vault, seller, DEMO_DEAL, files, folder="卖方资料")
    buyer = rooms.seat(vault, users["buyer"], DEMO_DEAL)
    current = ndas.current_nda(vault, buyer, DEMO_DEAL)
    assert current is not None
    ndas.accept_nda(vault, buyer, DEMO_DEAL, text_sha256=current[2], name="买方审阅人")
    customers = next(e for e in added if e.name.endswith("客户名单.csv"))
    documents.download(
        vault,
        buyer,
        DEMO_DEAL,
        customers.id,
        protect=room_protector(vault, rooms.deal_id(vault, DEMO_DEAL)),
        client="demo",
    )
    return DemoAccounts(DEMO_DEAL, passwords)
