"""Where a package may be written: never over its inputs, its vault or its trace records."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.renderings import conventional
from baomi.errors import InputError

KEY = KeyProvider(b"package-path-test-key-0123456789")
CSV = "姓名,手机\n张伟,13812345678\n李娜,13987654321\n"


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _protect(paths: list[Path], out: Path, **options: object) -> None:
    policy = load_policy_text(DEFAULT_POLICY)
    protect_paths(paths, policy, out, keys=KEY, options=ProtectOptions(**options))  # type: ignore[arg-type]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "other-file.txt").write_text("important", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("inputs", "out"),
    [
        (["data"], "."),  # the output folder holds the input folder
        (["data/a.csv"], "data"),  # the output folder holds the input file
        (["data/a.csv"], "data/a.csv"),  # the output is the input
        (["data"], "data/pkg"),  # the output is inside the input (refused before)
    ],
    ids=["out-holds-input-dir", "out-holds-input-file", "out-is-input", "out-inside-input"],
)
def test_force_never_replaces_a_folder_holding_the_inputs(
    work: Path, inputs: list[str], out: str
) -> None:
    before = _tree(work)
    with pytest.raises(InputError):
        _protect([work / p for p in inputs], work / out, overwrite=True, manifests_dir=work / "m")
    assert _tree(work) == before


def test_force_replaces_only_a_package(work: Path) -> None:
    """--force replaces an earlier package, not a folder of other files."""
    (work / "docs").mkdir()
    (work / "docs" / "合同.txt").write_text("重要文件", encoding="utf-8")
    before = _tree(work)
    with pytest.raises(InputError):
        _protect([work / "data"], work / "docs", overwrite=True, manifests_dir=work / "m")
    assert _tree(work) == before
    _protect([work / "data"], work / "pkg", manifests_dir=work / "m")
    first = (work / "pkg" / "manifest.json").read_text(encoding="utf-8")
    _protect([work / "data"], work / "pkg", overwrite=True, manifests_dir=work / "m")
    assert (work / "pkg" / "manifest.json").read_text(encoding="utf-8") != first
    assert not [p for p in os.listdir(work) if p.startswith(".pkg")]  # nothing left behind


@pytest.mark.parametrize("what", ["vault_path", "manifests_dir"])
def test_the_vault_and_trace_records_stay_out_of_the_package(work: Path, what: str) -> None:
    """The token vault and the trace records must never be shipped with the package (nor be
    deleted with it when it is replaced)."""
    options: dict[str, object] = {"manifests_dir": work / "m", what: work / "pkg" / "inside"}
    with pytest.raises(InputError):
        _protect([work / "data"], work / "pkg", **options)
    assert not (work / "pkg").exists()


def test_tables_without_rows_pass_through(tmp_path: Path) -> None:
    """A header-only CSV, a one-cell "说明" sheet beside a real one, an empty JSON array and an
    empty Parquet file are protected (unchanged) instead of failing the whole package."""
    import openpyxl
    import polars as pl

    src = tmp_path / "in"
    src.mkdir()
    (src / "h.csv").write_text("姓名,手机\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "手机"])
    ws.append(["张伟", "13812345678"])
    wb.create_sheet("说明")["A1"] = "此表无个人信息"
    wb.save(src / "two.xlsx")
    (src / "e.json").write_text("[]", encoding="utf-8")
    pl.DataFrame({"name": pl.Series([], dtype=pl.String)}).write_parquet(src / "e.parquet")
    _protect([src], tmp_path / "out", manifests_dir=tmp_path / "m")
    out = tmp_path / "out"
    assert (out / "h.csv").read_text(encoding="utf-8").splitlines() == ["姓名,手机"]
    book = openpyxl.load_workbook(out / "two.xlsx")
    assert book.sheetnames == ["Sheet", "说明"]
    assert book["说明"]["A1"].value == "此表无个人信息"
    assert conventional(strip_marks(str(book["Sheet"]["B2"].value))) == "138****5678"
    assert (out / "e.json").read_text(encoding="utf-8").strip() == "[]"
    assert pl.read_parquet(out / "e.parquet").schema == {"name": pl.String}


def test_decimal_numbers_are_not_bank_cards(tmp_path: Path) -> None:
    """0.6286231544426748 passes Luhn by chance: a score column stays as it is, and a Parquet
    float column keeps its type."""
    import polars as pl

    from baomi.engine.checksums import is_luhn_valid
    from baomi.engine.recognizers.cn.bank_card import ISSUER_REGEX

    # fractions whose digits read as a UnionPay or Visa number with a valid Luhn digit
    fractions = (0.62 + i / 1e7 + i / 7919e6 for i in range(200_000))
    lucky = [
        v
        for v in fractions
        if len(d := repr(v)[2:]) >= 16 and is_luhn_valid(d) and re.match(ISSUER_REGEX, d)
    ]
    assert len(lucky) >= 10
    src = tmp_path / "in"
    src.mkdir()
    frame = pl.DataFrame({"score": lucky[:10], "age": list(range(30, 40))})
    frame.write_parquet(src / "s.parquet")
    frame.write_csv(src / "s.csv")
    _protect([src], tmp_path / "out", manifests_dir=tmp_path / "m")
    assert pl.read_parquet(tmp_path / "out" / "s.parquet").equals(frame)
    assert (tmp_path / "out" / "s.csv").read_bytes() == (src / "s.csv").read_bytes()


def test_identifiers_in_file_and_folder_names_are_protected(tmp_path: Path) -> None:
    """A folder named after a customer and a file named after a phone number must not carry the
    identifiers into the package, the manifest or the trace record."""
    import json

    folder = tmp_path / "in" / "张伟明_11010519491231002X"
    folder.mkdir(parents=True)
    (folder / "客户13812345678.csv").write_text(CSV, encoding="utf-8")
    (folder / "客户13800005678.csv").write_text(CSV, encoding="utf-8")  # masks the same way
    (folder / "说明.txt").write_text("无个人信息\n", encoding="utf-8")
    policy = load_policy_text(DEFAULT_POLICY)
    result = protect_paths(
        [tmp_path / "in"],
        policy,
        tmp_path / "out",
        keys=KEY,
        options=ProtectOptions(recipient="甲", manifests_dir=tmp_path / "m", verify=True),
    )
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    raw = ("11010519491231002X", "13812345678", "13800005678", "张伟明")
    assert not any(r in n for n in names for r in raw)
    assert "张*明_110105********002X/说明.txt" in names
    assert "张*明_110105********002X/客户138****5678.csv" in names
    assert "张*明_110105********002X/客户138****5678~2.csv" in names
    manifest = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    record = result.trace_record.read_text(encoding="utf-8") if result.trace_record else ""
    assert not any(r in manifest or r in record for r in raw)
    assert {f["path"] for f in json.loads(manifest)["files"]} <= set(names)


def test_an_input_named_twice_is_protected_once(work: Path) -> None:
    import json

    a = work / "data" / "a.csv"
    _protect([a, work / "data", a], work / "pkg", manifests_dir=work / "m")
    manifest = json.loads((work / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == ["a.csv"]


def test_a_file_name_that_is_not_utf8_is_protected_under_a_readable_name(tmp_path: Path) -> None:
    """A GBK-encoded name (copied from a Windows share or zip) must not crash the package; the
    output and the manifest carry the name decoded."""
    import json

    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.csv").write_text(CSV, encoding="utf-8")
    with open(os.path.join(os.fsencode(src), "客户名单.csv".encode("gbk")), "wb") as fh:
        fh.write(CSV.encode("utf-8"))
    with open(os.path.join(os.fsencode(src), "客户.parquet".encode("gbk")), "wb") as fh:
        pl.read_csv(io.StringIO(CSV), infer_schema=False).write_parquet(fh)
    _protect([src], tmp_path / "out", manifests_dir=tmp_path / "m")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(f["path"] for f in manifest["files"]) == [
        "ok.csv",
        "客户.parquet",
        "客户名单.csv",
    ]
    assert (tmp_path / "out" / "客户名单.csv").is_file()


def test_a_file_without_a_header_row_is_protected_from_its_first_record(tmp_path: Path) -> None:
    """A raw export with no header: its first row is a record (a validated ID in it), protected
    like the others and written back without a header row, as the scan reads it."""
    import openpyxl

    from baomi.engine import checksums

    body = "11010119900307123"
    rid = body + checksums.resident_id_check_char(body)
    rows = [f"张三,13812345678,{rid}", "李四,13987654321,"]
    src = tmp_path / "in"
    src.mkdir()
    (src / "noheader.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row.split(","))
    wb.save(src / "noheader.xlsx")
    _protect([src], tmp_path / "out", manifests_dir=tmp_path / "m", verify=True)
    text = strip_marks((tmp_path / "out" / "noheader.csv").read_text(encoding="utf-8"))
    first = [conventional(f) for f in text.splitlines()[0].split(",")]
    assert first[:2] == ["张*", "138****5678"] and first[2].startswith("110101")
    assert len(text.splitlines()) == 2 and "13812345678" not in text and rid not in text
    sheet = openpyxl.load_workbook(tmp_path / "out" / "noheader.xlsx").active
    assert sheet is not None
    assert conventional(strip_marks(str(sheet["B1"].value))) == "138****5678"
    assert conventional(strip_marks(str(sheet["B2"].value))) == "139****4321"


def test_files_are_walked_as_the_scan_walks_them_in_path_order(tmp_path: Path) -> None:
    """One walker names the files for scan and protect; protect keeps its manifest in path
    order (a folder's files and subfolders by name), hidden and lock files left out."""
    from baomi.engine.documents.files import iter_files
    from baomi.engine.protect.package import collect_files

    root = tmp_path / "in"
    for rel in ("b.csv", "a/x.csv", "a.csv", ".hidden.csv", "~$lock.docx", "notes.bin"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(CSV, encoding="utf-8")
    names = [name for _, name in collect_files([root])]
    assert names == ["a/x.csv", "a.csv", "b.csv"]
    scanned = [name for _, name in iter_files([root])]
    assert sorted(set(scanned) & set(names)) == sorted(names)


def test_english_file_names_keep_their_words(tmp_path: Path) -> None:
    """The prose model reads capitalised Latin words as names (`CustomerList` → `Custome`,
    `List`): a package's English file names must keep their words, and a name in one stays
    protected."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "CustomerList.csv").write_text(CSV, encoding="utf-8")
    (folder / "Sales Report.csv").write_text(CSV, encoding="utf-8")
    (folder / "客户张伟明.csv").write_text(CSV, encoding="utf-8")
    _protect([folder], tmp_path / "out", recipient="甲", manifests_dir=tmp_path / "m")
    names = {p.name for p in (tmp_path / "out").rglob("*.csv")}
    assert {"CustomerList.csv", "Sales Report.csv"} <= names
    assert not any("张伟明" in n for n in names)
