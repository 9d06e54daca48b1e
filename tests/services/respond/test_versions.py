"""Correction and deletion as new versions: the requester's rows gone from the current
versions (and only theirs), the originals sealed until their retention ends, then shredded."""

from __future__ import annotations

import datetime as _dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import deals
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Actor, Role
from baomi.services.respond import requests, subjects, versions
from baomi.services.respond.requests import Kind, Method
from baomi.services.respond.subjects import IdKind
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, StoredObject

OP = Actor("op", Role.OPERATOR)
PEOPLE = (
    "姓名,手机,城市\n"
    "张三,13812345678,北京\n"
    "李四,13812345678,上海\n"  # the same phone, another person: stays
    "张三,+86 138 1234 5678,天津\n"
    "王五,13900001111,广州\n"
)
MOBILE, NAME = "13812345678", "张三"


def _xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws.append(["姓名", "手机", "备注"])
    ws.append(["王五", "13900001111", "a"])
    ws.append(["张 三", "138-1234-5678", "b"])
    ws.append(["赵六", "13700002222", "c"])
    other = wb.create_sheet("订单")
    other.append(["订单号", "手机"])
    other.append(["A1", "13812345678"])  # the phone without a name: not the requester's row
    wb.save(path)


def _setup(vault: Vault, tmp_path: Path, kind: Kind = Kind.DELETION) -> str:
    data = tmp_path / "data"
    data.mkdir()
    (data / "客户.csv").write_text(PEOPLE, encoding="utf-8")
    _xlsx(data / "名单.xlsx")
    (data / "会员.jsonl").write_text(
        '{"姓名": "张三", "手机": "13812345678"}\n{"姓名": "钱七", "手机": "13600003333"}\n',
        encoding="utf-8",
    )
    (data / "备忘.txt").write_text(f"张三 的电话 {MOBILE}\n", encoding="utf-8")
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[data])
    info = requests.receive(vault, actor=OP, kind=kind, contact="a@b.cn")
    requests.verify(vault, actor=OP, request_id=info.id, method=Method.SMS_CODE, passed=True)
    found = _find(vault, NAME)
    subjects.link(vault, actor=OP, request_id=info.id, result=found)
    return info.id


def _find(vault: Vault, name: str | None = None) -> subjects.SearchResult:
    return subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query=MOBILE, name=name
    )


def _current(vault: Vault) -> dict[str, bytes]:
    deal_id = deals.list_deals(vault, actor=OP)[0].id
    return {
        o.name or "": deals.open_object(vault, deal_id, o.id)[1]
        for o in deals.objects(vault, deal_id)
    }


def _audit_text(vault: Vault) -> str:
    with vault.reading() as session:
        return " ".join(str(vars(e)) for e in session.execute(select(AuditEventRow)).scalars())


def test_a_deletion_leaves_no_occurrence_in_the_new_versions(vault: Vault, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    request_id = _setup(vault, tmp_path)
    # name + phone: the name cell and the phone cell of each of the requester's rows (the
    # text file's prose is not searched for names: it holds no row with both)
    assert _find(vault, NAME).per_file() == {"客户.csv": 4, "名单.xlsx": 2, "会员.jsonl": 2}
    applied = versions.apply(vault, actor=OP, request_id=request_id)
    assert {(v.file, v.rows) for v in applied.versions} == {
        ("客户.csv", 2),
        ("名单.xlsx", 1),
        ("会员.jsonl", 1),
    }
    assert applied.skipped == ()
    assert "DSR-KEEP" in applied.rule and (
        "未确认" in applied.rule or "unconfirmed" in applied.rule
    )
    # the current versions: no row with the requester; the others' rows intact
    assert _find(vault, NAME).hits == ()
    assert {(h.file, h.sheet, h.row) for h in _find(vault).hits} == {
        ("客户.csv", None, 0),  # 李四, now the first data row
        ("名单.xlsx", "订单", 0),
        ("备忘.txt", None, 0),
    }
    current = _current(vault)
    assert (
        current["客户.csv"].decode()
        == "姓名,手机,城市\n李四,13812345678,上海\n王五,13900001111,广州\n"
    )
    wb = load_workbook(io.BytesIO(current["名单.xlsx"]))
    assert [r for r in wb["客户"].iter_rows(values_only=True) if any(r)] == [
        ("姓名", "手机", "备注"),
        ("王五", "13900001111", "a"),
        ("赵六", "13700002222", "c"),
    ]
    assert current["会员.jsonl"].decode() == '{"姓名": "钱七", "手机": "13600003333"}\n'
    assert [r for r in wb["订单"].iter_rows(values_only=True)] == [
        ("订单号", "手机"),
        ("A1", "13812345678"),
    ]
    # the originals still decrypt, superseded, until their retention ends
    deal_id = deals.list_deals(vault, actor=OP)[0].id
    with vault.reading() as session:
        old = {
            o.id: o
            for o in session.execute(
                select(StoredObject).where(StoredObject.status == "superseded")
            ).scalars()
        }
    assert set(old) == {v.original for v in applied.versions}
    for v in applied.versions:
        assert deals.open_object(vault, deal_id, v.original)[1] != current[v.file]
        assert old[v.original].retain_until == applied.retain_until
    # the package still reads the versions the search found: the requester's rows only
    made = subjects.package(vault, actor=OP, request_id=request_id)
    records = json.loads(made.content)["records"]
    assert len(records) == 4
    assert sorted(r["values"]["姓名"] for r in records) == ["张 三", "张三", "张三", "张三"]
    text = _audit_text(vault)
    assert "subject.apply" in text and MOBILE not in text and NAME not in text
    # applying again: the search's documents have newer versions
    with pytest.raises(InputError):
        versions.apply(vault, actor=OP, request_id=request_id)


def test_the_originals_are_shredded_when_their_retention_ends(vault: Vault, tmp_path: Path) -> None:
    request_id = _setup(vault, tmp_path)
    applied = versions.apply(vault, actor=OP, request_id=request_id)
    until = _dt.datetime.fromisoformat(applied.retain_until)
    days = int(rules()["DSR-KEEP"].param("days"))
    applied_at = until - _dt.timedelta(days=days)
    assert abs((_dt.datetime.now(_dt.UTC) - applied_at).total_seconds()) < 60
    tick = _dt.timedelta(microseconds=1)
    assert versions.due_for_purge(vault, until - tick) == []
    assert len(versions.due_for_purge(vault, until)) == len(applied.versions)
    assert len(versions.due_for_purge(vault, until + tick)) == len(applied.versions)
    with pytest.raises(PermissionDeniedError):
        versions.purge(vault, actor=Actor("s", Role.SELLER), at=until)
    assert versions.purge(vault, actor=OP, at=until - tick) == []
    deal_id = deals.list_deals(vault, actor=OP)[0].id
    for v in applied.versions:
        deals.open_object(vault, deal_id, v.original)  # still there
    shredded = versions.purge(vault, actor=OP, at=until)
    assert {s.object_id for s in shredded} == {v.original for v in applied.versions}
    for v in applied.versions:
        assert not vault.blobs.exists(deal_id, v.original)
        with pytest.raises(InputError):
            deals.open_object(vault, deal_id, v.original)
    assert versions.purge(vault, actor=OP, at=until + tick) == []
    # the current versions are untouched
    assert set(_current(vault)) == {"客户.csv", "名单.xlsx", "会员.jsonl", "备忘.txt"}
    assert "object.shred" in _audit_text(vault)


def test_a_correction_changes_the_named_column_of_the_requesters_rows(
    vault: Vault, tmp_path: Path
) -> None:
    request_id = _setup(vault, tmp_path, Kind.CORRECTION)
    with pytest.raises(InputError):  # a correction needs the column and the value
        versions.apply(vault, actor=OP, request_id=request_id)
    applied = versions.apply(vault, actor=OP, request_id=request_id, column="城市", value="深圳")
    assert [(v.file, v.rows) for v in applied.versions] == [("客户.csv", 2)]
    skipped = dict(applied.skipped)
    assert "名单.xlsx" in skipped and "会员.jsonl" in skipped  # no column 城市 there
    assert _current(vault)["客户.csv"].decode() == (
        "姓名,手机,城市\n"
        "张三,13812345678,深圳\n"
        "李四,13812345678,上海\n"
        "张三,+86 138 1234 5678,深圳\n"
        "王五,13900001111,广州\n"
    )
    assert "深圳" not in _audit_text(vault)


def test_what_cannot_be_applied_is_refused(vault: Vault, tmp_path: Path) -> None:
    request_id = _setup(vault, tmp_path)
    access = requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="a@b.cn")
    with pytest.raises(InputError):  # an access request changes nothing
        versions.apply(vault, actor=OP, request_id=access.id)
    fresh = requests.receive(vault, actor=OP, kind=Kind.DELETION, contact="a@b.cn")
    with pytest.raises(InputError):  # not verified
        versions.apply(vault, actor=OP, request_id=fresh.id)
    requests.verify(vault, actor=OP, request_id=fresh.id, method=Method.SMS_CODE, passed=True)
    with pytest.raises(InputError):  # no linked search
        versions.apply(vault, actor=OP, request_id=fresh.id)
    with pytest.raises(PermissionDeniedError):
        versions.apply(vault, actor=Actor("c", Role.COUNSEL), request_id=request_id)
    # a refusal states its reasons (PIPL-50) — the register's refusal, for a deletion too
    refused = requests.set_status(
        vault,
        actor=OP,
        request_id=request_id,
        status=requests.Status.REFUSED,
        reason="法定保存期限未届满",
    )
    assert refused.reason == "法定保存期限未届满"
    with pytest.raises(InputError):  # a refused request is not applied
        versions.apply(vault, actor=OP, request_id=request_id)


def test_a_phone_only_deletion_takes_every_row_and_leaves_text_to_a_person(
    vault: Vault, tmp_path: Path
) -> None:
    request_id = _setup(vault, tmp_path)
    subjects.link(vault, actor=OP, request_id=request_id, result=_find(vault))
    applied = versions.apply(vault, actor=OP, request_id=request_id)
    assert {(v.file, v.rows) for v in applied.versions} == {
        ("客户.csv", 3),
        ("名单.xlsx", 2),
        ("会员.jsonl", 1),
    }
    assert [f for f, _why in applied.skipped] == ["备忘.txt"]
    assert {h.file for h in _find(vault).hits} == {"备忘.txt"}


def test_the_original_of_a_deletion_cannot_be_added_back(vault: Vault, tmp_path: Path) -> None:
    """After a deletion on request, `deal add` of the original file brought the person back
    (the search found them again), with no warning although the file's SHA-256 is that of the
    superseded version."""
    request_id = _setup(vault, tmp_path)
    versions.apply(vault, actor=OP, request_id=request_id)
    with pytest.raises(InputError):
        deals.add(vault, actor=OP, deal_ref="d", paths=[tmp_path / "data" / "客户.csv"])
    assert _find(vault, NAME).hits == ()
