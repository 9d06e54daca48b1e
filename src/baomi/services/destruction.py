"""Crypto-shredding of a deal and its signed destruction certificate.

``destroy`` removes the deal's wrapped data key from the key store (the only copy; backups never
contain it), marks the deal and its objects destroyed and records the audit event in one
transaction, then deletes the blobs. The certificate lists every object's hash and size, the time,
the operator and the audit position, and is signed with the vault's Ed25519 key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction, canonical
from baomi.errors import InputError, IntegrityError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage import keystore
from baomi.storage.blobs import write_atomic
from baomi.storage.models import AuditEventRow, Certificate, StoredObject

CERT_FORMAT = "baomi-destruction-certificate/1"
_SIGNED_PREFIX = b"baomi-destruction-certificate/1\n"


@dataclass(frozen=True)
class CertificateCheck:
    ok: bool
    reason: str
    deal: str | None = None
    objects: int = 0
    audit_position: int | None = None


def _signed_bytes(body: dict[str, Any]) -> bytes:
    return _SIGNED_PREFIX + canonical(body)


def destroy(
    vault: Vault, *, actor: Actor, deal_ref: str, out: Path | None = None
) -> dict[str, Any]:
    """Shred a deal; returns the signed certificate, stored in the database and under
    ``$BAOMI_HOME/certificates`` (:func:`certificate_path`), and also written to ``out``."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    audit.require(vault, actor, Action.DEAL_DESTROY, obj=f"deal:{deal_id}", resource=deal_id)
    signing_key = vault.platform_key("signing")
    with keystore.locked(vault.keystore_path), vault.transaction() as session:
        deal = find_deal(session, deal_ref)
        if deal.status == "destroyed":
            raise InputError(tr("该交易已销毁", "this deal has already been destroyed"))
        objs = (
            session.execute(
                select(StoredObject)
                .where(StoredObject.deal_id == deal.id)
                .order_by(StoredObject.id)
            )
            .scalars()
            .all()
        )
        ts = now()
        deal.status, deal.destroyed_at = "destroyed", ts
        for obj in objs:
            obj.status = "destroyed"
        listed = [
            {"id": o.id, "sha256": o.sha256, "blob_sha256": o.blob_sha256, "size": o.size}
            for o in objs
        ]
        event = audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.DEAL_DESTROY,
            obj=f"deal:{deal.id}",
            details={"objects": len(listed)},
            checkpoint=True,
        )
        store = vault.load_keystore()
        body: dict[str, Any] = {
            "format": CERT_FORMAT,
            "certificate_id": new_id(),
            "deal": {"id": deal.id, "name": deal.name, "created_at": deal.created_at},
            "objects": listed,
            "destroyed_at": ts,
            "operator": actor.name,
            "method": "crypto-shredding: AES-256-GCM data key deleted from the key store; blobs deleted",
            "audit": {"position": event.event.seq, "hash": event.hash},
            "master_key_id": store["master_key_id"],
        }
        cert = {
            **body,
            "signature": crypto.b64(crypto.sign(signing_key, _signed_bytes(body))),
            "public_key": store["public_key"],
        }
        document = json.dumps(cert, ensure_ascii=False, indent=1, sort_keys=True)
        session.add(
            Certificate(id=body["certificate_id"], deal_id=deal.id, issued_at=ts, document=document)
        )
        session.flush()
        # The shredding itself, last before commit: a failed commit leaves the deal unreadable
        # (and `destroy` can be run again); a committed destroy always has its key gone.
        store["deals"].pop(deal.id, None)
        store["destroyed"][deal.id] = ts
        keystore.save(vault.keystore_path, store)
    vault.blobs.delete_deal(deal.id)
    # The home keeps every certificate (as the database does); ``out`` is the user's copy.
    write_atomic(certificate_path(vault, body["certificate_id"]), document.encode("utf-8"), 0o644)
    if out is not None:
        write_atomic(out, document.encode("utf-8"), 0o644)
    return cert


def certificate_path(vault: Vault, certificate_id: str) -> Path:
    """Where the home keeps a destruction certificate: ``$BAOMI_HOME/certificates/<id>.json``."""
    return vault.settings.home / "certificates" / f"{certificate_id}.json"


def verify_certificate(
    vault: Vault | None, path: Path, public_key: bytes | None = None, *, actor: Actor
) -> CertificateCheck:
    """Check a certificate's signature against the vault's key (never the embedded one alone)
    and, when a vault is given, that its audit position holds the destroy event it names."""
    if vault is None:
        authorize(actor, Action.CERTIFICATE_VERIFY)
    else:
        audit.require(vault, actor, Action.CERTIFICATE_VERIFY, obj="certificate")
    try:
        cert = json.loads(path.read_text(encoding="utf-8"))
        signature = crypto.unb64(cert.pop("signature"))
        embedded = crypto.unb64(cert.pop("public_key"))
    except (OSError, ValueError, KeyError, AttributeError, IntegrityError):
        return CertificateCheck(False, tr("证书无法读取", "the certificate cannot be read"))
    if cert.get("format") != CERT_FORMAT:
        return CertificateCheck(False, tr("不是销毁证书", "not a destruction certificate"))
    trusted = public_key if public_key is not None else (vault.public_key() if vault else None)
    if trusted is None:
        raise InputError(tr("需要公钥", "a public key is needed"))
    if not crypto.constant_time_equal(trusted, embedded):
        return CertificateCheck(
            False, tr("证书不是由本保险库签发", "the certificate was not issued by this vault")
        )
    if not crypto.verify_signature(trusted, _signed_bytes(cert), signature):
        return CertificateCheck(
            False, tr("签名无效：证书已被改动", "invalid signature: the certificate was altered")
        )
    position = int(cert["audit"]["position"])
    if vault is not None:
        with vault.reading() as session:
            row = session.get(AuditEventRow, position)
            if (
                row is None
                or not crypto.constant_time_equal(row.hash, cert["audit"]["hash"])
                or row.action != AuditAction.DEAL_DESTROY
            ):
                return CertificateCheck(
                    False,
                    tr(
                        "审计日志中找不到对应的销毁事件",
                        "the audit log does not hold the destroy event it names",
                    ),
                )
    return CertificateCheck(
        True,
        tr("证书有效", "certificate is valid"),
        cert["deal"]["name"],
        len(cert["objects"]),
        position,
    )
