"""Upload checks: names, sizes, content against suffix, ZIP bombs, nesting, duplicates."""

from __future__ import annotations

import io
import zipfile

import pytest

from baomi.services.dataroom.uploads import Limits, UploadError, check_upload, safe_name

CSV = "姓名,手机\n张三,13912345678\n".encode()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("客户名单.csv", "客户名单.csv"),
        ("资料/2024/订单.xlsx", "资料/2024/订单.xlsx"),
        ("资料\\订单.xlsx", "资料/订单.xlsx"),
        ("  名单.csv ", "名单.csv"),
    ],
)
def test_good_names_are_kept(raw: str, clean: str) -> None:
    assert safe_name(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "../etc/passwd.csv",
        "a/../../b.csv",
        "/abs.csv",
        "C:/x.csv",
        "a//b.csv",
        "./a.csv",
        "",
        "dir/",
        "bad\x00name.csv",
        "bad\nname.csv",
        "rtl\u202egpj.csv",
        "zero\u200bwidth.csv",
        "x" * 201 + ".csv",
    ],
)
def test_bad_names_are_refused(raw: str) -> None:
    with pytest.raises(UploadError):
        safe_name(raw)


def test_plain_files_pass_with_their_content() -> None:
    (item,) = check_upload([("名单.csv", CSV)])
    assert item.name == "名单.csv" and item.data == CSV


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", b"not a pdf"),
        ("a.xlsx", b"PK-but-not-zip"),
        ("a.parquet", b"PAR0"),
        ("a.xls", b"name,phone\n"),
        ("a.csv", b"\x00\x01\x02binary"),
        ("a.exe", b"MZ"),
        ("noext", b"abc"),
        ("empty.csv", b""),
    ],
)
def test_content_must_match_the_suffix(name: str, data: bytes) -> None:
    with pytest.raises(UploadError, match=name.split(".")[0]):
        check_upload([(name, data)])


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 8,  # Excel 97-2003
        b"PK\x03\x04",  # an .xlsx under the old name
        b"\xef\xbb\xbf\r\n<html><body><table><tr><td>1</td></tr></table></body></html>",
    ],
)
def test_a_legacy_workbook_passes_in_each_form_excel_opens(data: bytes) -> None:
    """The scan reads each (readers/xls.py): an OLE workbook, a zip, a web system's 导出
    Excel page; the data room refused every .xls."""
    (item,) = check_upload([("老客户.xls", data)])
    assert item.name == "老客户.xls"


def test_size_limits_at_their_boundary() -> None:
    limits = Limits(max_file_bytes=len(CSV), max_total_bytes=2 * len(CSV))
    check_upload([("a.csv", CSV), ("b.csv", CSV)], limits=limits)
    with pytest.raises(UploadError):
        check_upload([("a.csv", CSV + b"x")], limits=limits)
    with pytest.raises(UploadError):
        check_upload([("a.csv", CSV), ("b.csv", CSV), ("c.csv", CSV)], limits=limits)


def test_zip_is_unpacked_into_its_folder() -> None:
    data = _zip({"客户/名单.csv": CSV, "说明.txt": "说明".encode()})
    names = [a.name for a in check_upload([("资料.zip", data)])]
    assert names == ["资料/客户/名单.csv", "资料/说明.txt"]


@pytest.mark.parametrize(
    "members",
    [
        {"../evil.csv": CSV},
        {"inner.zip": _zip({"a.csv": CSV})},
        {"a.pdf": b"not a pdf"},
    ],
)
def test_bad_zip_members_are_refused(members: dict[str, bytes]) -> None:
    with pytest.raises(UploadError):
        check_upload([("pack.zip", _zip(members))])


def test_zip_bomb_is_refused_without_inflating_it() -> None:
    bomb = _zip({"big.csv": b"0" * (20 * 1024 * 1024)})  # 20 MB of zeros: ratio ~1000
    assert len(bomb) < 100_000
    with pytest.raises(UploadError, match=r"big\.csv"):
        check_upload([("bomb.zip", bomb)])


def test_member_larger_than_the_cap_is_refused() -> None:
    data = _zip({"a.csv": CSV * 10}, method=zipfile.ZIP_STORED)
    with pytest.raises(UploadError):
        check_upload([("p.zip", data)], limits=Limits(max_file_bytes=len(CSV) * 5))


def test_too_many_members_and_broken_archives() -> None:
    many = _zip({f"{i}.csv": CSV for i in range(4)})
    with pytest.raises(UploadError):
        check_upload([("m.zip", many)], limits=Limits(max_members=3))
    check_upload([("m.zip", many)], limits=Limits(max_members=4))
    with pytest.raises(UploadError, match=r"broken|损坏"):
        check_upload([("b.zip", b"PK\x03\x04garbage")])


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(UploadError):
        check_upload([("a.csv", CSV), ("A.CSV", CSV)])
    with pytest.raises(UploadError):
        check_upload([("a.csv", CSV)], existing=["a.csv"])
    with pytest.raises(UploadError):
        check_upload([("x.zip", _zip({"a.csv": CSV}))], existing=["x/a.csv"])
