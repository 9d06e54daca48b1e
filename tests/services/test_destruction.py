"""Crypto-shredding: keys and blobs gone, signed certificate, verification refuses tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baomi.engine import crypto
from baomi.errors import CryptoError, InputError
from baomi.services import audit, deals, destruction
from baomi.services.vault import Vault
from tests.services.fakes import add_files
from tests.vault_support import operator


def _deal_with_files(vault: Vault, tmp_path: Path) -> str:
    deal_id = deals.create(vault, actor=operator("ops"), name="shred-me").id
    for i in range(2):
        (tmp_path / f"f{i}.txt").write_bytes(f"content {i}".encode())
    add_files(vault, "shred-me", [tmp_path / "f0.txt", tmp_path / "f1.txt"])
    return deal_id


def test_destroy_shreds_and_certifies(vault: Vault, tmp_path: Path) -> None:
    deal_id = _deal_with_files(vault, tmp_path)
    cert_path = tmp_path / "cert.json"
    cert = destruction.destroy(vault, actor=operator("officer"), deal_ref="shred-me", out=cert_path)
    assert cert["operator"] == "officer" and len(cert["objects"]) == 2
    assert {o["sha256"] for o in cert["objects"]} == {
        crypto.sha256_hex(f"content {i}".encode()) for i in range(2)
    }
    assert not (vault.blobs.root / deal_id).exists()
    store = vault.load_keystore()
    assert deal_id not in store["deals"] and deal_id in store["destroyed"]
    with pytest.raises(CryptoError):
        vault.deal_key(deal_id)
    with pytest.raises(CryptoError):
        deals.export(vault, actor=operator("ops"), deal_ref="shred-me", out_dir=tmp_path / "out")
    detail = deals.show(vault, "shred-me", actor=operator("ops"))
    assert detail.deal.status == "destroyed" and all(o.name is None for o in detail.objects)
    with pytest.raises(InputError):
        destruction.destroy(vault, actor=operator("officer"), deal_ref="shred-me")
    check = destruction.verify_certificate(vault, cert_path, actor=operator())
    assert check.ok and check.audit_position == cert["audit"]["position"] and check.objects == 2
    assert destruction.verify_certificate(None, cert_path, vault.public_key(), actor=operator()).ok
    assert (
        audit.verify(vault, actor=operator()).ok
        and audit.verify(vault, actor=operator()).checkpoints >= 1
    )
    # The refused export was audited too.
    exported = tmp_path / "log.json"
    audit.export(vault, exported, fmt="json", actor=operator("auditor"))
    outcomes = [
        (e["action"], e["outcome"])
        for e in json.loads(exported.read_text(encoding="utf-8"))["events"]
    ]
    assert ("deal.export", "failure") in outcomes and ("deal.destroy", "success") in outcomes


def test_a_certificate_written_elsewhere_is_kept_in_the_home_too(
    vault: Vault, tmp_path: Path
) -> None:
    """``--out`` is a copy for the user; the home's ``certificates/`` keeps every certificate."""
    _deal_with_files(vault, tmp_path)
    cert_path = tmp_path / "handed-out" / "cert.json"
    cert = destruction.destroy(vault, actor=operator("officer"), deal_ref="shred-me", out=cert_path)
    kept = vault.settings.home / "certificates" / f"{cert['certificate_id']}.json"
    assert kept.is_file() and cert_path.is_file()
    assert kept.read_bytes() == cert_path.read_bytes()
    assert destruction.verify_certificate(vault, kept, actor=operator()).ok


def test_tampered_or_foreign_certificate_is_refused(vault: Vault, tmp_path: Path) -> None:
    _deal_with_files(vault, tmp_path)
    cert_path = tmp_path / "cert.json"
    cert = destruction.destroy(vault, actor=operator("officer"), deal_ref="shred-me", out=cert_path)
    tampered = dict(cert, operator="someone else")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    assert not destruction.verify_certificate(vault, bad, actor=operator()).ok
    # Re-signed with another key, embedding that key: refused, the vault's own key is trusted.
    other = crypto.generate_signing_key()
    body = {k: v for k, v in tampered.items() if k not in ("signature", "public_key")}
    forged = dict(
        body,
        signature=crypto.b64(crypto.sign(other, destruction._signed_bytes(body))),
        public_key=crypto.b64(crypto.public_key_of(other)),
    )
    bad.write_text(json.dumps(forged), encoding="utf-8")
    assert not destruction.verify_certificate(vault, bad, actor=operator()).ok
    bad.write_text("not json", encoding="utf-8")
    assert not destruction.verify_certificate(vault, bad, actor=operator()).ok
