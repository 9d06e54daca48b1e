from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import deals, destruction
from baomi.services.comply.reports.certificate import certificate_report, deal_certificate
from baomi.services.comply.reports.render import render_json, render_pdf
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.fakes import add_files
from tests.vault_support import operator


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _destroyed(vault: Vault, tmp_path: Path) -> dict[str, object]:
    deals.create(vault, actor=operator(), name="星河科技转让")
    for i in range(2):
        (tmp_path / f"f{i}.txt").write_bytes(f"content {i}".encode())
    add_files(vault, "星河科技转让", [tmp_path / "f0.txt", tmp_path / "f1.txt"])
    return destruction.destroy(
        vault, actor=operator("officer"), deal_ref="星河科技转让", out=tmp_path / "cert.json"
    )


def test_the_certificate_pdf_shows_fields_signature_how_to_verify_and_carries_the_json(
    vault: Vault, tmp_path: Path
) -> None:
    cert = _destroyed(vault, tmp_path)
    stored = deal_certificate(vault, actor=operator(), deal_ref="星河科技转让")
    assert stored == (tmp_path / "cert.json").read_text(encoding="utf-8")
    report = certificate_report(stored)
    pdf = render_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    flat = "".join(text.split())  # long hashes may wrap inside a table cell
    for expected in (
        "个人信息销毁证书",
        "星河科技转让",
        "证书编号",
        "销毁时间",
        "officer",
        "审计位置",
        "Ed25519",
        "如何校验",
        "见证人",
    ):
        assert expected in text, expected
    assert "baomicertificateverify" in flat and "--public-keysigning.pub" in flat
    assert str(cert["certificate_id"]) in flat and str(cert["signature"]) in flat
    for obj in cert["objects"]:  # type: ignore[attr-defined]
        assert obj["sha256"] in flat
    # the PDF carries the signed JSON byte for byte, and it still verifies
    [(name, [attached])] = reader.attachments.items()
    assert name == f"certificate-{cert['certificate_id']}.json"
    assert attached == stored.encode("utf-8")
    (tmp_path / "extracted.json").write_bytes(attached)
    assert destruction.verify_certificate(vault, tmp_path / "extracted.json", actor=operator()).ok
    assert json.loads(render_json(report))["attachments"][0]["name"] == name


def test_a_parsed_document_renders_too_and_other_json_is_refused() -> None:
    with pytest.raises(InputError):
        certificate_report('{"format": "something else"}')
    with pytest.raises(InputError):
        certificate_report(b"{")
    with pytest.raises(InputError):
        certificate_report("[1]")
    doc = {
        "format": destruction.CERT_FORMAT,
        "certificate_id": "c1",
        "deal": {"id": "d", "name": "n", "created_at": "t"},
        "objects": [{"id": "o", "sha256": "a" * 64, "blob_sha256": "b" * 64, "size": 1234}],
        "signature": "sig",
        "public_key": "pk",
    }
    report = certificate_report(doc)
    assert report.summary[2].value == "1" and report.summary[3].value == "1,234"
    stamped = certificate_report({**doc, "destroyed_at": "2026-12-05T17:30:00+00:00"})
    assert stamped.summary[1].value == "2026-12-06 01:30 UTC+8"  # China time, not the UTC one


def test_no_certificate_before_destruction_and_none_for_the_buyer(vault: Vault) -> None:
    deals.create(vault, actor=operator(), name="alive")
    with pytest.raises(InputError):
        deal_certificate(vault, actor=operator(), deal_ref="alive")
    with pytest.raises(PermissionDeniedError):
        deal_certificate(vault, actor=Actor("b", Role.BUYER), deal_ref="alive")
