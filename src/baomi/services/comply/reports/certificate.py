"""The destruction certificate in a form people read and sign (PDF, HTML, XLSX).

The signed JSON certificate (:mod:`baomi.services.destruction`) is the proof; this report shows
its fields, the objects destroyed, the signature and how to verify it with
``baomi certificate verify``, and its PDF carries the signed JSON itself as an attached file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from baomi import clock
from baomi.errors import InputError
from baomi.i18n import current_language, tr
from baomi.services.comply.reports.charts import number
from baomi.services.comply.reports.model import (
    Attachment,
    Citation,
    Figure,
    Report,
    Section,
    Signature,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.rulebook import rules
from baomi.services.deals import find_deal
from baomi.services.destruction import CERT_FORMAT
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault
from baomi.storage.models import Certificate


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _time(value: Any) -> str:
    """A time of the certificate in China time with its zone (the signed JSON beside the PDF
    keeps it exactly); a value that is not a time, as it is."""
    try:
        return clock.zoned(value) if isinstance(value, str) else _text(value)
    except ValueError:
        return _text(value)


def certificate_report(
    source: Mapping[str, Any] | str | bytes, *, generated_at: str | None = None
) -> Report:
    """The report of a destruction certificate: its JSON text as issued (attached to the PDF
    byte for byte) or the parsed document; :class:`InputError` if it is not one."""
    if isinstance(source, str | bytes):
        original = source.encode("utf-8") if isinstance(source, str) else source
        try:
            document = json.loads(original)
        except ValueError:
            raise InputError(tr("证书无法读取", "the certificate cannot be read")) from None
        if not isinstance(document, dict):
            raise InputError(tr("不是销毁证书", "not a destruction certificate"))
    else:
        document = dict(source)
        original = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode()
    if document.get("format") != CERT_FORMAT or not isinstance(document.get("deal"), Mapping):
        raise InputError(tr("不是销毁证书", "not a destruction certificate"))
    deal = document["deal"]
    audit = document.get("audit") or {}
    objects = list(document.get("objects") or [])
    total = sum(int(o.get("size", 0)) for o in objects)
    cert_id = _text(document.get("certificate_id"))
    file_name = f"certificate-{cert_id}.json"
    fields = (
        (tr("证书编号", "Certificate id"), cert_id),
        (tr("格式", "Format"), _text(document.get("format"))),
        (tr("交易", "Deal"), _text(deal.get("name"))),
        (tr("交易编号", "Deal id"), _text(deal.get("id"))),
        (tr("交易创建时间", "Deal created"), _time(deal.get("created_at"))),
        (tr("销毁时间", "Destroyed at"), _time(document.get("destroyed_at"))),
        (tr("操作人", "Operator"), _text(document.get("operator"))),
        (tr("方法", "Method"), _text(document.get("method"))),
        (tr("审计位置", "Audit position"), _text(audit.get("position"))),
        (tr("审计事件哈希", "Audit event hash"), _text(audit.get("hash"))),
        (tr("主密钥编号", "Master key id"), _text(document.get("master_key_id"))),
    )
    object_rows = tuple(
        (
            _text(o.get("id")),
            _text(o.get("sha256")),
            _text(o.get("blob_sha256")),
            number(int(o.get("size", 0))),
        )
        for o in objects
    )
    return Report(
        kind="certificate",
        title=tr("个人信息销毁证书", "Certificate of destruction"),
        subject=_text(deal.get("name")),
        generated_at=generated_at or stamp(),
        lang=current_language(),
        summary=(
            Figure(tr("交易", "Deal"), _text(deal.get("name"))),
            Figure(tr("销毁时间", "Destroyed at"), _time(document.get("destroyed_at"))),
            Figure(tr("销毁的文件", "Objects destroyed"), number(len(objects)), Tone.GOOD),
            Figure(tr("总大小（字节）", "Total size (bytes)"), number(total)),
            Figure(tr("操作人", "Operator"), _text(document.get("operator"))),
        ),
        sections=(
            Section(
                tr("证书内容", "The certificate"),
                paragraphs=(
                    tr(
                        "交易的数据密钥已从密钥库删除（加密粉碎），密文已删除；备份从不包含数据密钥，因此任何副本都无法再解密。",
                        "The deal's data key was deleted from the key store (crypto-shredding) "
                        "and its ciphertext deleted; backups never hold the data key, so no copy "
                        "can be decrypted any more.",
                    ),
                ),
                tables=(
                    Table(
                        (tr("字段", "Field"), tr("内容", "Value")),
                        fields,
                        tr("证书字段", "Certificate fields"),
                    ),
                ),
                citations=(Citation.of(rules()["PIPL-47"]),),
            ),
            Section(
                tr("销毁的对象", "Objects destroyed"),
                paragraphs=(
                    tr(
                        "每个文件的原文哈希（SHA-256）、密文哈希和大小。",
                        "Each document's SHA-256, its ciphertext's SHA-256 and its size.",
                    ),
                ),
                tables=(
                    Table(
                        (
                            tr("对象", "Object"),
                            "SHA-256",
                            tr("密文 SHA-256", "Ciphertext SHA-256"),
                            tr("大小（字节）", "Size (bytes)"),
                        ),
                        object_rows,
                        tr("对象", "Objects"),
                    ),
                ),
            ),
            Section(
                tr("签名", "Signature"),
                paragraphs=(
                    tr(
                        f"证书由保险库的 Ed25519 签名密钥签署，签名覆盖除 signature 和 public_key 以外的全部字段（前缀 {CERT_FORMAT}，规范 JSON）。",
                        f"The vault's Ed25519 signing key signed every field but signature and "
                        f"public_key (prefix {CERT_FORMAT}, canonical JSON).",
                    ),
                ),
                tables=(
                    Table(
                        (tr("字段", "Field"), tr("内容", "Value")),
                        (
                            (tr("算法", "Algorithm"), "Ed25519"),
                            (tr("签名", "Signature"), _text(document.get("signature"))),
                            (tr("签名公钥", "Public key"), _text(document.get("public_key"))),
                        ),
                        tr("签名", "Signature"),
                    ),
                ),
            ),
            Section(
                tr("如何校验", "How to verify"),
                paragraphs=(
                    tr(
                        f"具有证明力的是签名的 JSON 证书，不是本页面；PDF 版本附带该文件（{file_name}）。",
                        f"The proof is the signed JSON certificate, not this page; the PDF "
                        f"carries it as an attached file ({file_name}).",
                    ),
                    tr(
                        f"在保险库所在机器上：baomi certificate verify {file_name} —— 用保险库的公钥校验签名，并核对审计日志中该位置的销毁事件。",
                        f"On the vault's machine: baomi certificate verify {file_name} — checks "
                        "the signature with the vault's key and the destroy event at its audit "
                        "position.",
                    ),
                    tr(
                        f"没有数据库时：baomi certificate verify {file_name} --public-key signing.pub —— 用可信的公钥文件校验签名（不要只信任证书内嵌的公钥）。",
                        f"Without the database: baomi certificate verify {file_name} "
                        "--public-key signing.pub — checks the signature against a trusted key "
                        "file (never the embedded key alone).",
                    ),
                ),
            ),
        ),
        signatures=(
            Signature(tr("操作人", "Operator"), _text(document.get("operator"))),
            Signature(tr("见证人", "Witness")),
        ),
        attachments=(
            Attachment(
                file_name,
                original,
                tr("签名的销毁证书", "The signed destruction certificate"),
            ),
        ),
    )


def deal_certificate(vault: Vault, *, actor: Actor, deal_ref: str) -> str:
    """The signed certificate issued when the deal was destroyed, its JSON text as stored."""
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
        deal_id = deal.id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    with vault.reading() as session:
        row = session.execute(
            select(Certificate)
            .where(Certificate.deal_id == deal_id)
            .order_by(Certificate.issued_at.desc())
        ).scalar()
        if row is None:
            raise InputError(
                tr("该交易没有销毁证书（尚未销毁）", "this deal has no certificate (not destroyed)")
            )
        return row.document
