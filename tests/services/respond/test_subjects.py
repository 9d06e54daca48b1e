"""Finding a person: the index of old deals built on the first search, the scan folder's
stored index, name + phone, the response package's formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi.engine import crypto
from baomi.errors import InputError
from baomi.services import deals
from baomi.services.permissions import Actor, Role
from baomi.services.respond import person_index, requests, subjects
from baomi.services.respond.requests import Kind, Method
from baomi.services.respond.subjects import IdKind, PackageFormat
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, SubjectIndex

OP = Actor("op", Role.OPERATOR)
PEOPLE = (
    "姓名,手机,城市\n"
    "张三,13812345678,北京\n"
    "李四,13812345678,上海\n"  # the same phone, another name (a family's shared number)
    "张 三,+86 138 1234 5678,=1+2\n"  # the name spaced; a formula-like cell
    "王五,13900001111,天津\n"
)


def _deal(vault: Vault, tmp_path: Path, *, index: bool = True) -> Path:
    f = tmp_path / "客户.csv"
    f.write_text(PEOPLE, encoding="utf-8")
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None, index=index)
    return f


def _audit_text(vault: Vault) -> str:
    with vault.reading() as session:
        return " ".join(str(vars(e)) for e in session.execute(select(AuditEventRow)).scalars())


def _indexed(vault: Vault) -> list[int]:
    with vault.reading() as session:
        events = session.execute(
            select(AuditEventRow).where(AuditEventRow.action == "subject.find")
        ).scalars()
        return [json.loads(e.details)["indexed"] for e in events]


def test_a_deal_added_without_an_index_is_indexed_on_its_first_search(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path, index=False)
    with vault.reading() as session:
        assert session.execute(select(SubjectIndex)).first() is None
    for _ in range(2):
        found = subjects.find_in_deal(
            vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13900001111"
        )
        assert [h.row for h in found.hits] == [3]
    assert _indexed(vault) == [1, 0]


def test_an_index_of_the_older_format_is_rebuilt(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path)
    with vault.transaction() as session:
        row = session.execute(select(SubjectIndex)).scalar_one()
        deal_key = vault.deal_key(row.deal_id)
        # the format of 0010: a bare list, identifiers only
        row.sealed = crypto.seal(deal_key, b"[]", crypto.aad("subject-index", object=row.object_id))
    found = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13900001111"
    )
    assert [h.row for h in found.hits] == [3] and _indexed(vault) == [1]


def test_a_phone_number_abroad_is_found_as_the_scan_reports_it(
    vault: Vault, tmp_path: Path
) -> None:
    """A Hong Kong customer asks for their data by the number they gave (``+852 …``): asked
    for as a mobile, searched as a phone number of another region, however it is written; an
    index written before such numbers were indexed (format 2) is rebuilt first."""
    f = tmp_path / "香港客户.csv"
    f.write_text(
        "姓名,电话,备注\n陈大文,+852 9123 4567,香港身份证 A123456(3)\n"
        "李小明,13812345678,改用 +852-9123-4567\n"
    )
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None)
    with vault.transaction() as session:
        row = session.execute(select(SubjectIndex)).scalar_one()
        deal_key = vault.deal_key(row.deal_id)
        old = json.dumps({"v": 2, "rows": []}).encode()
        row.sealed = crypto.seal(deal_key, old, crypto.aad("subject-index", object=row.object_id))
    found = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="(+852) 9123 4567"
    )
    assert found.entity == "PHONE_NUMBER"
    assert {(h.row, h.column) for h in found.hits} == {(0, "电话"), (1, "备注")}
    assert _indexed(vault) == [1]
    assert subjects.searched_kind(IdKind.MOBILE, "+86 138 1234 5678") is IdKind.MOBILE
    assert subjects.searched_kind(IdKind.MOBILE, "+852 1234") is IdKind.MOBILE  # no such number
    # a Hong Kong identity card number given as an ID (brackets, case and blanks as typed)
    assert subjects.searched_kind(IdKind.ID, " a123456 (3)") is IdKind.HK_ID
    assert subjects.searched_kind(IdKind.ID, "A123456(4)") is IdKind.ID
    assert subjects.searched_kind(IdKind.ID, "a123456789") is IdKind.TW_ID
    assert subjects.searched_kind(IdKind.ID, "1234567（8）") is IdKind.MO_ID
    assert subjects.searched_kind(IdKind.ID, "110105199003071234") is IdKind.ID
    by_id = subjects.find_in_deal(vault, actor=OP, deal_ref="d", kind=IdKind.ID, query="a1234563")
    assert (by_id.entity, [(h.row, h.column) for h in by_id.hits]) == ("HK_ID", [(0, "备注")])


def test_a_customer_abroad_is_found_by_a_local_number_or_a_passport(
    vault: Vault, tmp_path: Path
) -> None:
    """An overseas customer gives the number as they write it at home and their passport:
    each is searched as the scan reports it, however the file and the query write it."""
    f = tmp_path / "overseas.csv"
    f.write_text(
        "Name,Phone,Passport No.,Note\n"
        "Jane Roe,(0191) 496 0528,C01X00T47,\n"
        "John Doe,415.555.0132,821993518,call (0191) 496-0528 for Jane\n",
        encoding="utf-8",
    )
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None)
    by_phone = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="0191 4960528"
    )
    assert by_phone.entity == "PHONE_NUMBER"
    assert {(h.row, h.column) for h in by_phone.hits} == {(0, "Phone"), (1, "Note")}
    by_passport = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.ID, query="c01x00t47"
    )
    assert (by_passport.entity, [(h.row, h.column) for h in by_passport.hits]) == (
        "PASSPORT",
        [(0, "Passport No.")],
    )
    assert subjects.searched_kind(IdKind.MOBILE, "010-62345678") is IdKind.MOBILE  # a landline
    assert subjects.searched_kind(IdKind.ID, "E12345678") is IdKind.CN_PASSPORT


def test_name_and_phone_find_the_rows_holding_both(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path)
    phone = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13812345678"
    )
    assert sorted({h.row for h in phone.hits}) == [0, 1, 2]
    for name in ("张三", "张 三", "张　三", " 张三 "):
        named = subjects.find_in_deal(
            vault,
            actor=OP,
            deal_ref="d",
            kind=IdKind.MOBILE,
            query="１３８ １２３４ ５６７８",
            name=name,
        )
        assert {(h.row, h.column, h.entity) for h in named.hits} == {
            (0, "手机", "CN_MOBILE"),
            (0, "姓名", "PERSON_NAME"),
            (2, "手机", "CN_MOBILE"),
            (2, "姓名", "PERSON_NAME"),
        }, name
    # a name beside another phone finds nothing; a blank name is refused
    assert not subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13900001111", name="张三"
    ).hits
    with pytest.raises(InputError):
        subjects.find_in_deal(
            vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13812345678", name="  "
        )
    text = _audit_text(vault)
    assert "张三" not in text and "13812345678" not in text and '"named": true' in text


def test_a_scan_folder_keeps_its_index_and_rereads_only_a_changed_file(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, out = tmp_path / "root", tmp_path / "out"
    root.mkdir()
    out.mkdir()
    (root / "a.csv").write_text(PEOPLE, encoding="utf-8")
    (root / "b.csv").write_text("手机\n13900001111\n", encoding="utf-8")
    files = [{"path": "a.csv"}, {"path": "b.csv"}]
    (out / "inventory.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    assert subjects.index_scan(vault, actor=OP, scan_dir=out, root=root) == 2
    stored = (out / subjects.SCAN_INDEX).read_bytes()
    assert b"13900001111" not in stored and "张三".encode() not in stored
    assert oct((out / subjects.SCAN_INDEX).stat().st_mode & 0o777) == "0o600"
    read: list[str] = []
    build = person_index.build

    def counting(path: Path, key: bytes) -> list[object]:
        read.append(path.name)
        return build(path, key)  # type: ignore[return-value]

    monkeypatch.setattr(person_index, "build", counting)

    def find(query: str, name: str | None = None) -> set[tuple[str, int]]:
        result = subjects.find_in_scan(
            vault, actor=OP, scan_dir=out, root=root, kind=IdKind.MOBILE, query=query, name=name
        )
        return {(h.file, h.row) for h in result.hits}

    assert find("13900001111") == {("a.csv", 3), ("b.csv", 0)}
    assert find("13812345678", "张三") == {("a.csv", 0), ("a.csv", 2)}
    assert read == []  # both searches read the stored index
    (root / "b.csv").write_text("手机\n13000000000\n13900001111\n", encoding="utf-8")
    assert find("13900001111") == {("a.csv", 3), ("b.csv", 1)}
    assert read == ["b.csv"]
    # a damaged index file is rebuilt, not trusted
    (out / subjects.SCAN_INDEX).write_bytes(b"garbage")
    assert find("13900001111") == {("a.csv", 3), ("b.csv", 1)}
    assert sorted(read) == ["a.csv", "b.csv", "b.csv"]


def _linked(vault: Vault, tmp_path: Path) -> str:
    _deal(vault, tmp_path)
    info = requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="a@b.cn")
    requests.verify(vault, actor=OP, request_id=info.id, method=Method.SMS_CODE, passed=True)
    found = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13812345678", name="张三"
    )
    subjects.link(vault, actor=OP, request_id=info.id, result=found)
    return info.id


def test_the_response_package_as_csv_and_xlsx(vault: Vault, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    request_id = _linked(vault, tmp_path)
    made = subjects.package(vault, actor=OP, request_id=request_id, fmt=PackageFormat.CSV)
    assert made.records == 2 and made.files == 1 and made.filename.endswith(".csv")
    assert made.content.startswith(b"\xef\xbb\xbf")  # the BOM: a spreadsheet reads UTF-8
    lines = list(csv.reader(io.StringIO(made.content[3:].decode())))
    assert lines[0] == ["文件", "工作表", "行", "列", "值"]
    cells = {(r[2], r[3]): r[4] for r in lines[1:]}
    assert cells[("0", "城市")] == "北京" and cells[("2", "城市")] == "'=1+2"
    assert "李四" not in made.content.decode() and "王五" not in made.content.decode()
    out = tmp_path / "package.xlsx"
    assert (
        subjects.export_records(
            vault, actor=OP, request_id=request_id, out=out, fmt=PackageFormat.XLSX
        )
        == 2
    )
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("文件", "工作表", "行", "列", "值")
    assert ("客户.csv", None, 0, "城市", "北京") in rows or (
        "客户.csv",
        "",
        0,
        "城市",
        "北京",
    ) in rows
    with pytest.raises(InputError):  # never overwrites
        subjects.export_records(
            vault, actor=OP, request_id=request_id, out=out, fmt=PackageFormat.JSON
        )
    assert '"format": "xlsx"' in _audit_text(vault) and "北京" not in _audit_text(vault)
