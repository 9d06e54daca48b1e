"""A home of its own for a module's tests over HTTP: one deal with its room in due diligence,
and users signed in through the services (no HTTP login, so no login throttle)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from baomi.services import accounts, deals, keys
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from tests.vault_support import fresh_database_url

SYSTEM = Actor("system", Role.ADMIN)
PASSWORD = "correct horse battery staple"


@contextmanager
def room_home(
    tmp: Path, deal: str, target_name: str = "示例科技"
) -> Iterator[tuple[Settings, Vault]]:
    """Settings and an open vault under ``tmp`` (or the test PostgreSQL database) holding
    ``deal`` with its data room (the target company ``target_name``), in due diligence."""
    with fresh_database_url() as url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            home=tmp / "home",
            database_url=url,
            master_key_file=tmp / "secrets" / "master.key",
            env="test",
        )
        keys.generate_key_file(settings.master_key_file)
        keys.init(settings, actor=SYSTEM)
        with open_vault(settings) as vault:
            deals.create(vault, actor=SYSTEM, name=deal)
            rooms.open_room(
                vault, actor=SYSTEM, deal_ref=deal, target_name=target_name, target_uscc=DEMO_USCC
            )
            rooms.set_stage(vault, actor=SYSTEM, deal_ref=deal, stage=Stage.DUE_DILIGENCE)
            yield settings, vault


def signed_in(vault: Vault, username: str, role: Role) -> str:
    """A new user of ``role`` with :data:`PASSWORD`, and a session token for them."""
    _, link = accounts.create_user(
        vault, actor=SYSTEM, username=username, display_name=username, role=role.value
    )
    accounts.complete_setup(vault, token=link, password=PASSWORD)
    return accounts.login(vault, username=username, password=PASSWORD).token
