"""The protected copies a room hands out: ``protect`` with the room's policy, per recipient.

The room's keys derive from the deal's data key (HKDF), so shredding the deal's key also ends
every pseudonym and fingerprint key of its packages. Trace records (keyed digests and the
manifest, no raw value) are kept under ``$BAOMI_HOME/rooms/<deal id>/records`` — the folder to
give ``baomi trace --manifests`` when a copy leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from baomi.engine import crypto
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.services.vault import Vault
from baomi.storage.models import Room

Protector = Callable[[Path, Path, str], tuple[Path, str]]


def records_dir(vault: Vault, deal_id: str) -> Path:
    return vault.settings.home / "rooms" / deal_id / "records"


def room_protector(vault: Vault, deal_id: str) -> Protector:
    """A function that protects one source folder for one recipient and returns the protected
    file and the package id."""
    with vault.reading() as session:
        room = session.get(Room, deal_id)
        text = room.policy if room is not None and room.policy else DEFAULT_POLICY
    policy = load_policy_text(text, source="room policy")
    keys = KeyProvider(crypto.hkdf(vault.deal_key(deal_id), "baomi room protect"))
    records = records_dir(vault, deal_id)

    def run(src: Path, out: Path, recipient: str) -> tuple[Path, str]:
        result = protect_paths(
            [src],
            policy,
            out,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=records),
        )
        produced = [
            p
            for p in sorted(result.out_dir.rglob("*"))
            if p.is_file() and p.name != "manifest.json"
        ]
        if len(produced) != 1:
            raise RuntimeError(f"protect produced {len(produced)} files for one document")
        return produced[0], result.manifest.package_id

    return run
