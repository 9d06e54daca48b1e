from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from baomi.demo.generator import CUSTOMERS_CSV, generate_demo
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError, PermissionDeniedError
from baomi.services import deals
from baomi.services.comply import profile
from baomi.services.comply.notices import export as notices
from baomi.services.comply.notices import status
from baomi.services.comply.notices.texts import Channel, NoticeKind
from baomi.services.comply.profile import TransferType
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.settings import Settings
from baomi.storage.models import AuditEventRow, Notice

OPERATOR = Actor("op", Role.OPERATOR)
SELLER = Actor("seller", Role.SELLER)
ROWS = 40


def _mobile(text: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
    return digits[-11:]


def _customers(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="gbk", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, rows=ROWS)
    return folder


@pytest.fixture
def deal(vault: Vault, data: Path) -> tuple[str, str, Path]:
    """A deal selling its customer list (PIPL-23) holding the demo customer list."""
    deals.create(vault, actor=OPERATOR, name="d")
    profile.set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="d",
        transfer_type=TransferType.ASSET_SALE,
        recipient_name="承接科技有限公司",
        recipient_contact="400-800-1234",
        purpose="继续提供售后服务",
    )
    (obj,) = deals.add(vault, actor=OPERATOR, deal_ref="d", paths=[data / CUSTOMERS_CSV])
    return "d", obj.id, data / CUSTOMERS_CSV


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_export_lists_every_customer_with_their_texts(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    ref, doc, source = deal
    out = tmp_path / "notices.csv"
    result = notices.export(vault, actor=OPERATOR, deal_ref=ref, document=doc, out=out)
    assert result.kind is NoticeKind.CONSENT and result.consent_required
    rows = _read_csv(out)
    customers = _customers(source)
    assert len(rows) == result.notices == len({_mobile(c["手机"]) for c in customers})
    assert {r["name"] for r in rows} == {c["姓名"] for c in customers}
    assert {r["mobile"] for r in rows} == {_mobile(c["手机"]) for c in customers}
    assert len({r["notice_id"] for r in rows}) == len(rows)
    first = rows[0]
    assert first["name"] in first["sms"] and "承接科技有限公司" in first["letter"]
    assert "400-800-1234" in first["letter"]  # the recipient's contact, unsealed for the notice
    assert first["notice_id"] in first["letter"]
    assert int(first["sms_segments"]) >= 1
    assert (out.stat().st_mode & 0o777) == 0o600
    assert not list(tmp_path.glob(".notices.csv.*"))  # the temporary file was renamed


def test_the_xlsx_export_keeps_formulas_as_text(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    ref, doc, _ = deal
    out = tmp_path / "notices.xlsx"
    result = notices.export(vault, actor=SELLER, deal_ref=ref, document=doc, out=out)
    sheet = load_workbook(out).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(notices.COLUMNS)
    assert len(values) - 1 == result.notices
    assert all(
        cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value
    )


def test_a_formula_in_a_name_is_not_a_formula_in_the_csv() -> None:
    assert notices._safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert notices._safe("张三") == "张三"


@pytest.mark.parametrize("role", [Role.BUYER, Role.BROKER, Role.COUNSEL, Role.AUDITOR])
def test_who_may_not_export_gets_nothing(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path, role: Role
) -> None:
    ref, doc, _ = deal
    out = tmp_path / "notices.csv"
    with pytest.raises(PermissionDeniedError):
        notices.export(vault, actor=Actor("x", role), deal_ref=ref, document=doc, out=out)
    assert not out.exists() and not list(tmp_path.glob(".notices*"))
    with vault.reading() as session:
        assert session.execute(select(Notice)).first() is None
        last = session.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())).scalar()
        assert last is not None and last.action == AuditAction.ACCESS_DENIED


def test_the_export_needs_the_legal_contents(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=OPERATOR, name="e")
    with pytest.raises(InputError, match=r"转让类型|transfer type"):
        notices.preview(vault, actor=OPERATOR, deal_ref="e", channel=Channel.SMS)
    profile.set_profile(vault, actor=OPERATOR, deal_ref="e", transfer_type=TransferType.MERGER)
    with pytest.raises(InputError, match="recipient_name"):
        notices.export(vault, actor=OPERATOR, deal_ref="e", document="x", out=tmp_path / "o.csv")


def test_no_raw_contact_reaches_the_database_or_the_audit(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path, settings: Settings
) -> None:
    ref, doc, source = deal
    notices.export(vault, actor=OPERATOR, deal_ref=ref, document=doc, out=tmp_path / "n.csv")
    customers = _customers(source)
    with vault.reading() as session:
        events = session.execute(select(AuditEventRow)).scalars().all()
    details = json.dumps([json.loads(e.details) for e in events], ensure_ascii=False)
    if settings.database_url:  # PostgreSQL: the audit trail is what can be checked here
        files = [details.encode()]
    else:
        files = [p.read_bytes() for p in settings.home.glob("baomi.db*")] + [details.encode()]
    for c in customers:
        for value in (_mobile(c["手机"]), c["邮箱"], c["姓名"]):
            if value:
                assert all(value.encode() not in blob for blob in files), "raw PI stored"
    export_event = next(e for e in events if e.action == AuditAction.NOTICE_EXPORT)
    assert json.loads(export_event.details)["notices"] == len(customers)


def _status_csv(rows: list[tuple[str, str, str, str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["notice_id", "channel", "status", "timestamp"])
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _exported_ids(vault: Vault, deal: tuple[str, str, Path], out: Path) -> list[str]:
    """Export the deal's customer table to ``out`` and return the notice ids."""
    ref, doc, _ = deal
    notices.export(vault, actor=OPERATOR, deal_ref=ref, document=doc, out=out)
    return [r["notice_id"] for r in _read_csv(out)]


def test_statuses_are_imported_and_counted(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    ref = deal[0]
    ids = _exported_ids(vault, deal, tmp_path / "n.csv")
    rows = [(i, "sms", "delivered", "2026-12-01 10:00") for i in ids[:10]]
    rows += [(ids[0], "sms", "consented", "2026-12-01 11:00")]
    rows += [(ids[1], "短信", "拒绝同意", "2026/12/01 11:30")]
    rows += [("ffffffffffffffff", "sms", "sent", "2026-12-01 10:00")]
    rows += [(ids[2], "fax", "sent", "2026-12-01 10:00"), (ids[3], "sms", "sent", "yesterday")]
    got = status.import_status(
        vault, actor=OPERATOR, deal_ref=ref, name="s.csv", content=_status_csv(rows)
    )
    assert (got.rows, got.recorded, got.unknown, got.invalid, got.duplicates) == (15, 12, 1, 2, 0)
    assert any("14" in p for p in got.problems)  # the unknown id's row (header is row 1)
    again = status.import_status(
        vault, actor=OPERATOR, deal_ref=ref, name="s.csv", content=_status_csv(rows)
    )
    assert (again.recorded, again.duplicates) == (0, 12)
    view = status.campaign(vault, actor=OPERATOR, deal_ref=ref)
    assert view.notices == len(ids) and view.exports == 1 and view.imports == 2
    assert view.channels["sms"]["delivered"] == 10
    assert view.channels["sms"]["pending"] == len(ids) - 10
    assert (view.consent_required, view.consented, view.refused) == (len(ids), 1, 1)
    assert view.consent_pending == len(ids) - 2
    assert "PIPL-23" in {c.rule_id for c in view.citations}
    assert view.reask_wait_hours == 48  # S35-C.4: no new request within 48 h of a refusal


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-16", "bom+gbk"])
def test_gbk_bom_and_utf16_files_with_chinese_headers(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path, encoding: str
) -> None:
    ref = deal[0]
    first = _exported_ids(vault, deal, tmp_path / "n.csv")[0]
    text = f"通知编号,渠道,状态,时间,地址\n{first},信函,已送达,2026-12-02 09:00,某地\n"
    # a UTF-8 BOM in front of GBK bytes: a Windows tool that marks every file it saves
    content = (
        b"\xef\xbb\xbf" + text.encode("gbk") if encoding == "bom+gbk" else text.encode(encoding)
    )
    got = status.import_status(
        vault, actor=OPERATOR, deal_ref=ref, name="回执.csv", content=content
    )
    assert got.recorded == 1
    view = status.campaign(vault, actor=OPERATOR, deal_ref=ref)
    assert view.channels["letter"]["delivered"] == 1


def test_an_xlsx_status_file(vault: Vault, deal: tuple[str, str, Path], tmp_path: Path) -> None:
    import datetime as dt

    ref = deal[0]
    first = _exported_ids(vault, deal, tmp_path / "n.csv")[0]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["notice_id", "channel", "status", "timestamp"])
    ws.append([first, "email", "bounced", dt.datetime(2026, 12, 2, 9, 0)])
    buf = io.BytesIO()
    wb.save(buf)
    got = status.import_status(
        vault, actor=OPERATOR, deal_ref=ref, name="r.xlsx", content=buf.getvalue()
    )
    assert got.recorded == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty|为空"),
        (b"notice_id,channel,status\nab,sms,sent\n", "timestamp"),
        (b"\x80\xff\x80\xff,\xff\n", "encoding|编码"),
        (b"\xff\xfe" + "通知编号".encode("utf-16-le")[:-1], "encoding|编码"),  # cut UTF-16
        (b"13800000000,sms,sent,2026-12-01\n", "notice_id"),  # no header row
    ],
)
def test_a_bad_status_file_is_refused_clearly(
    vault: Vault, deal: tuple[str, str, Path], content: bytes, match: str
) -> None:
    ref, _, _ = deal
    with pytest.raises(InputError, match=match) as info:
        status.import_status(vault, actor=OPERATOR, deal_ref=ref, name="s.csv", content=content)
    assert "13800000000" not in str(info.value)  # a value from the file is never echoed


def test_the_buyer_neither_imports_nor_reads_the_campaign(
    vault: Vault, deal: tuple[str, str, Path]
) -> None:
    ref, _, _ = deal
    buyer = Actor("b", Role.BUYER)
    with pytest.raises(PermissionDeniedError):
        status.import_status(vault, actor=buyer, deal_ref=ref, name="s.csv", content=b"x")
    with pytest.raises(PermissionDeniedError):
        status.campaign(vault, actor=buyer, deal_ref=ref)


def test_the_tables_offered_are_those_with_a_name_and_a_contact(
    vault: Vault, deal: tuple[str, str, Path]
) -> None:
    ref, doc, _ = deal
    (choice,) = notices.tables(vault, actor=OPERATOR, deal_ref=ref)
    assert choice.id == doc and choice.columns == ("name", "mobile", "email", "address")
    preview = notices.preview(vault, actor=OPERATOR, deal_ref=ref, channel=Channel.EMAIL)
    assert preview.kind is NoticeKind.CONSENT and "张三" in preview.text.body


def test_notice_ids_are_random_and_never_read_as_numbers() -> None:
    ids = {notices.new_notice_id() for _ in range(200)}
    assert len(ids) == 200
    for i in ids:
        assert len(i) == 16 and i[0] == "N" and not set(i) & set("EILOU")


def _answer(vault: Vault, ref: str, notice_id: str, answer: str, at: dt.datetime) -> None:
    content = _status_csv([(notice_id, "sms", answer, at.isoformat())])
    got = status.import_status(vault, actor=OPERATOR, deal_ref=ref, name="a.csv", content=content)
    assert got.recorded == 1


def test_a_new_request_skips_who_consented_and_who_just_refused(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    ref = deal[0]
    ids = _exported_ids(vault, deal, tmp_path / "1.csv")
    now = dt.datetime.now(dt.UTC)
    _answer(vault, ref, ids[0], "consented", now - dt.timedelta(days=5))
    _answer(vault, ref, ids[1], "refused-consent", now - dt.timedelta(hours=1))
    _answer(vault, ref, ids[2], "refused-consent", now - dt.timedelta(days=5))
    again = notices.export(
        vault, actor=OPERATOR, deal_ref=ref, document=deal[1], out=tmp_path / "2.csv"
    )
    assert (again.consented_before, again.refused_recently) == (1, 1)
    assert again.notices == len(ids) - 2
    view = status.campaign(vault, actor=OPERATOR, deal_ref=ref)
    assert view.notices == 2 * len(ids) - 2
    assert view.consent_required == len(ids)  # customers, not notices
    assert (view.consented, view.refused) == (1, 2)


def test_the_re_ask_wait_at_its_boundary(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    ids = _exported_ids(vault, deal, tmp_path / "1.csv")
    refused = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    _answer(vault, deal[0], ids[0], "refused-consent", refused)
    deal_id = notices.deal_id_of(vault, deal[0])
    wait = dt.timedelta(hours=rules()["S35-C.4"].param("wait_hours"))
    second = dt.timedelta(seconds=1)
    skipped = [
        len(notices.not_to_ask(vault, deal_id, NoticeKind.CONSENT, refused + wait + d))
        for d in (-second, dt.timedelta(0), second)
    ]
    assert skipped == [1, 0, 0]  # still within the wait; at 48 h and after: may ask again


def test_a_time_without_offset_is_china_time() -> None:
    from baomi.services.comply.notices.records import utc_iso

    assert utc_iso("2026-12-01 10:00") == "2026-12-01T02:00:00+00:00"
    assert utc_iso("2026/12/01T10:00:00+00:00") == "2026-12-01T10:00:00+00:00"
    assert utc_iso("yesterday") is None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_formula_in_a_cell_stays_text(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"f{suffix}"
    row = ["N1", "consent", "=1+1", "13900000001", "", "@SUM(A1)", "sms", "", "x", "1", "", ""]
    notices._write(out, [row]).replace(out)
    if suffix == ".csv":
        got = _read_csv(out)[0]
        assert (got["name"], got["address"]) == ("'=1+1", "'@SUM(A1)")
    else:
        cell = load_workbook(out).worksheets[0]["C2"]
        assert cell.value == "=1+1" and cell.data_type == "s"


def test_a_table_without_any_contact_is_refused(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    rows = ["姓名,手机"] + [f"{n}," for n in ("张伟", "王芳", "李娜")] + ["刘洋,13900000001"]
    (src / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    deals.create(vault, actor=OPERATOR, name="n")
    profile.set_profile(vault, actor=OPERATOR, deal_ref="n", transfer_type=TransferType.EQUITY)
    deals.add(vault, actor=OPERATOR, deal_ref="n", paths=[src / "c.csv"])
    got = notices.export(
        vault, actor=OPERATOR, deal_ref="n", document="c.csv", out=tmp_path / "o.csv"
    )
    assert (got.kind, got.notices, got.incomplete) == (NoticeKind.CONTROL, 1, 3)
    (src / "d.csv").write_text("姓名,手机\n张伟,\n王芳,\n", encoding="utf-8")
    (empty,) = deals.add(vault, actor=OPERATOR, deal_ref="n", paths=[src / "d.csv"])
    with pytest.raises(InputError):
        notices.export(
            vault, actor=OPERATOR, deal_ref="n", document=empty.id, out=tmp_path / "p.csv"
        )


def test_a_future_time_and_a_channel_the_notice_lacks_are_not_recorded(
    vault: Vault, deal: tuple[str, str, Path], tmp_path: Path
) -> None:
    """A status dated 2030 was recorded, and so was an e-mail bounce for a notice that has no
    e-mail channel (it then appeared nowhere): both are problems of the file, not events."""
    ref = deal[0]
    ids = _exported_ids(vault, deal, tmp_path / "n.csv")
    with vault.reading() as session:
        channels = {
            n.id: n.channels.split(",")
            for n in session.execute(select(Notice).where(Notice.id.in_(ids))).scalars()
        }
    without_email = next(i for i in ids if "email" not in channels[i])
    rows = [
        (ids[0], "sms", "delivered", "2030-01-01 10:00"),
        (without_email, "email", "bounced", "2026-12-01 10:00"),
        (ids[1], "sms", "delivered", "2026-12-01 10:00"),
    ]
    got = status.import_status(
        vault, actor=OPERATOR, deal_ref=ref, name="s.csv", content=_status_csv(rows)
    )
    assert (got.recorded, got.invalid) == (1, 2)
