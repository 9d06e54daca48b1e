"""Trace survives what a recipient does to the data (issue 16): the marks live in the values
(their renderings), so 20-row fragments still name their package after cleaning, NFKC,
trimming, a spreadsheet re-save, another encoding or delimiter, two columns only, sorting and
de-duplication, and pasting into a .docx or an e-mail; merged fragments name their sources or
"unknown"; a package not on file is "unknown"; and no table cell holds a zero-width character."""

from __future__ import annotations

import csv
import itertools
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import polars as pl
import pytest

from baomi.engine.contracts import codec
from baomi.engine.protect import renderings
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.trace import (
    TraceResult,
    leaked_cells,
    load_records,
    trace_cells,
)
from baomi.engine.protect.writers import load

RECIPIENTS = ("甲", "乙", "丙")
OUTSIDER = "丁"
TABLE = "客户名单.csv"
IDENTIFIERS = ("姓名", "身份证号", "手机", "邮箱", "银行卡号", "地址")
FORMAT = frozenset(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")

Frame = tuple[list[str], list[list[str]]]

pytestmark = pytest.mark.slow  # run by `make test-slow` (and CI), not `make test`


class _SeededSecrets:
    """Random package ids, fingerprints and keys, but the same in every test run."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)

    def token_hex(self, n: int) -> str:
        return self._rng.randbytes(n).hex()

    def randbits(self, k: int) -> int:
        return self._rng.getrandbits(k)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from baomi.demo import generate_demo
    from baomi.engine.protect import package

    base = tmp_path_factory.mktemp("robust")
    generate_demo(base / "seller", rows=300)
    keys = KeyProvider(b"trace-robust-key-0123456789abcdefgh")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(package, "secrets", _SeededSecrets(16))
        for recipient in (*RECIPIENTS, OUTSIDER):
            records = base / ("records" if recipient != OUTSIDER else "elsewhere")
            protect_paths(
                [base / "seller"],
                load_policy_text(DEFAULT_POLICY),
                base / recipient,
                keys=keys,
                options=ProtectOptions(recipient=recipient, manifests_dir=records),
            )
    return base


def _frame(base: Path, recipient: str, rows: int = 20, seed: int = 1) -> Frame:
    table = load(base / recipient / TABLE).tables[0].frame
    picked = random.Random(seed).sample(range(table.height), rows)
    header = list(table.columns)
    return header, [["" if v is None else str(v) for v in table.row(i)] for i in picked]


def _trace(base: Path, path: Path) -> TraceResult:
    return trace_cells(leaked_cells(path), load_records(base / "records"))


def _csv(frame: Frame, path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(frame[0])
        w.writerows(frame[1])
    return path


def _clean(frame: Frame) -> Frame:
    def clean(v: str) -> str:
        return unicodedata.normalize("NFKC", "".join(c for c in v if c not in FORMAT)).strip()

    return frame[0], [[clean(v) for v in r] for r in frame[1]]


def _columns(frame: Frame, names: tuple[str, ...]) -> Frame:
    idx = [frame[0].index(n) for n in names]
    return list(names), [[r[i] for i in idx] for r in frame[1]]


def _sorted_unique(frame: Frame) -> Frame:
    return frame[0], [list(r) for r in sorted({tuple(r) for r in frame[1]})]


def _via_xlsx(frame: Frame, tmp: Path) -> Frame:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in [frame[0], *frame[1]]:
        ws.append(row)
    wb.save(tmp / "f.xlsx")
    back = openpyxl.load_workbook(tmp / "f.xlsx").active
    assert back is not None
    rows = [["" if v is None else str(v) for v in r] for r in back.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _docx(frame: Frame, path: Path, sep: str = "\t") -> Path:
    d = docx.Document()
    d.add_paragraph("请查收以下客户资料：")
    for row in [frame[0], *frame[1]]:
        d.add_paragraph(sep.join(row))
    d.save(str(path))
    return path


def _email(frame: Frame, path: Path, sep: str = " ") -> Path:
    body = ["王总：", "名单如下。", *(sep.join(r) for r in [frame[0], *frame[1]]), "祝好"]
    path.write_text("\r\n".join(body), encoding="gb18030")
    return path


def _named(result: TraceResult, recipient: str) -> bool:
    return result.recipients == (recipient,) and result.wrong_match < 2**-20


# --- no zero-width character in any table cell ----------------------------------------------


def _table_cells(folder: Path) -> Iterator[str]:
    for path in folder.rglob("*"):
        if path.suffix in (".csv", ".xlsx", ".jsonl", ".json") and path.name != "manifest.json":
            for table in load(path).tables:
                for col in table.frame.columns:
                    yield from (v for v in table.frame[col].cast(pl.String).to_list() if v)


def test_a_default_package_has_no_zero_width_or_format_character_in_any_cell(
    packages: Path,
) -> None:
    cells = list(_table_cells(packages / "甲"))
    assert len(cells) > 5000
    assert not [c for c in cells if FORMAT & set(c)]
    # the renderings are there instead: masked values in several layouts
    assert any(" **** " in c for c in cells) and any("-****-" in c for c in cells)


def test_a_package_made_before_or_with_marks_off_reads_no_rendering_evidence(
    packages: Path,
) -> None:
    """The seller's own data (unmasked) holds nothing trace reads."""
    cells = leaked_cells(packages / "seller" / TABLE)
    assert trace_cells(cells, load_records(packages / "records")).recipients == ()


# --- each transformation alone, and all combined ---------------------------------------------


@pytest.mark.parametrize("recipient", RECIPIENTS)
def test_cleaning_nfkc_and_trimming_keep_the_marks(
    packages: Path, tmp_path: Path, recipient: str
) -> None:
    frame = _clean(_frame(packages, recipient, seed=2))
    assert _named(_trace(packages, _csv(frame, tmp_path / "f.csv")), recipient)


def test_a_spreadsheet_re_save_keeps_the_marks(packages: Path, tmp_path: Path) -> None:
    frame = _via_xlsx(_frame(packages, "乙", seed=3), tmp_path)
    assert _named(_trace(packages, _csv(frame, tmp_path / "f.csv")), "乙")


@pytest.mark.parametrize(("encoding", "delimiter"), [("gb18030", ";"), ("utf-8-sig", "\t")])
def test_another_encoding_and_delimiter_keep_the_marks(
    packages: Path, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    frame = _frame(packages, "丙", seed=4)
    path = _csv(frame, tmp_path / "f.csv", encoding, delimiter)
    assert _named(_trace(packages, path), "丙")


@pytest.mark.parametrize("pair", list(itertools.combinations(IDENTIFIERS, 2)))
def test_any_two_identifier_columns_shuffled_sorted_deduplicated(
    packages: Path, tmp_path: Path, pair: tuple[str, str]
) -> None:
    frame = _columns(_frame(packages, "甲", seed=5), pair)
    rows = list(frame[1])
    random.Random(6).shuffle(rows)
    assert _named(_trace(packages, _csv((frame[0], rows), tmp_path / "f.csv")), "甲")
    deduplicated = _sorted_unique(frame)
    assert _named(_trace(packages, _csv(deduplicated, tmp_path / "g.csv")), "甲")


@pytest.mark.parametrize("sep", ["\t", "  ", " | "])
def test_rows_pasted_into_a_docx_or_an_e_mail_keep_the_marks(
    packages: Path, tmp_path: Path, sep: str
) -> None:
    frame = _frame(packages, "乙", seed=7)
    assert _named(_trace(packages, _docx(frame, tmp_path / "f.docx", sep)), "乙")
    assert _named(_trace(packages, _email(frame, tmp_path / "f.txt", sep)), "乙")


@pytest.mark.parametrize("pair", [("姓名", "地址"), ("手机", "邮箱"), ("身份证号", "银行卡号")])
def test_every_transformation_at_once(
    packages: Path, tmp_path: Path, pair: tuple[str, str]
) -> None:
    frame = _via_xlsx(
        _sorted_unique(_columns(_clean(_frame(packages, "丙", seed=8)), pair)), tmp_path
    )
    assert _named(_trace(packages, _docx(frame, tmp_path / "f.docx", "  ")), "丙")
    assert _named(_trace(packages, _email(frame, tmp_path / "f.txt", " ")), "丙")


# --- collusion, a package not on file ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_merged_fragments_name_their_sources_or_unknown(
    packages: Path, tmp_path: Path, seed: int
) -> None:
    a, b = random.Random(seed).sample(RECIPIENTS, 2)
    fa, fb = _frame(packages, a, seed=seed), _frame(packages, b, seed=seed + 50)
    rows = fa[1] + fb[1]
    random.Random(seed).shuffle(rows)
    result = _trace(packages, _csv(_clean((fa[0], rows)), tmp_path / "f.csv"))
    named = set(result.recipients)
    assert named <= {a, b}  # never a recipient who is not a source
    assert named in (set(), {a, b}) or result.other_sources


def test_merged_fragments_with_enough_rows_name_both(packages: Path, tmp_path: Path) -> None:
    fa, fb = _frame(packages, "甲", rows=40, seed=9), _frame(packages, "丙", rows=40, seed=10)
    result = _trace(packages, _csv((fa[0], fa[1] + fb[1]), tmp_path / "f.csv"))
    assert set(result.recipients) == {"甲", "丙"} and not result.other_sources


@pytest.mark.parametrize("seed", range(4))
def test_a_fragment_of_a_package_not_on_file_is_unknown(
    packages: Path, tmp_path: Path, seed: int
) -> None:
    frame = _frame(packages, OUTSIDER, rows=60, seed=seed)
    result = _trace(packages, _csv(frame, tmp_path / "f.csv"))
    assert result.recipient is None and result.recipients == ()
    assert all(c.bits < 10 for c in result.candidates)


def test_a_merge_with_a_package_not_on_file_names_only_the_source_on_file(
    packages: Path, tmp_path: Path
) -> None:
    fa, fo = _frame(packages, "乙", rows=40, seed=11), _frame(packages, OUTSIDER, rows=40, seed=12)
    result = _trace(packages, _csv((fa[0], fa[1] + fo[1]), tmp_path / "f.csv"))
    assert result.recipients == ("乙",) and result.other_sources


# --- the renderings themselves ----------------------------------------------------------------


MASKED = [
    "138****5678",
    "+86 138-****-5678",
    "１３８****５６７８",
    "110105********002X",
    "***************0123",
    "**** **** **** 0123",
    "0755-******16",
    "021-******67",
    "a***@example.com",
    "广东省深圳市南山区****",
    "北京市朝阳区****",
    "王*",
    "张*明",
    "欧**锋",
]


@pytest.mark.parametrize("value", MASKED)
def test_a_rendering_shows_no_more_than_the_convention_and_reads_back(value: str) -> None:
    def shown(v: str) -> list[str]:  # the characters shown, in order, separators aside
        return [c for c in unicodedata.normalize("NFKC", v) if c not in " -*"]

    for seed in range(12):
        key = random.Random(seed).randbytes(32)
        out = renderings.render(value, key)
        assert shown(out) == shown(value)
        readings = list(renderings.read(out))
        assert len(readings) == 1
        r = readings[0]
        assert renderings.choose(key, r.channel, r.context, r.choices) == r.choice
        assert renderings.conventional(out) == renderings.conventional(value)


def test_digit_renderings_hide_exactly_what_the_convention_hides() -> None:
    for seed in range(20):
        key = random.Random(seed).randbytes(32)
        for value in ("138****5678", "110105********002X", "***************0123"):
            out = renderings.render(value, key)
            assert out.count("*") == value.count("*")


def test_without_marks_values_are_written_by_the_convention(tmp_path: Path) -> None:
    from .test_package import customers, write_csv

    write_csv(tmp_path / "in" / "c.csv", customers(40, seed=3))
    policy = load_policy_text(
        "entities:\n  CN_MOBILE: {operator: mask}\nfingerprint: {marks: false}\n"
    )
    result = protect_paths(
        [tmp_path / "in"],
        policy,
        tmp_path / "out",
        options=ProtectOptions(recipient="甲", manifests_dir=tmp_path / "m"),
    )
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)["手机号"].to_list()
    assert all(len(v) == 11 and v[3:7] == "****" for v in out)
    assert result.trace_record is not None
    assert codec.load_trace_record(result.trace_record).marks_key == ""


def test_zero_width_marks_in_cells_only_when_the_policy_asks(tmp_path: Path) -> None:
    from .test_package import customers, write_csv

    write_csv(tmp_path / "in" / "c.csv", customers(40, seed=3))
    for invisible, expected in (("text", False), ("cells", True)):
        policy = load_policy_text(
            f"entities:\n  CN_MOBILE: {{operator: mask}}\nfingerprint: {{invisible: {invisible}}}\n"
        )
        protect_paths([tmp_path / "in"], policy, tmp_path / invisible)
        text = (tmp_path / invisible / "c.csv").read_text(encoding="utf-8")
        assert ("\u200b" in text or "\u200c" in text) is expected


# --- recipient-keyed tokens --------------------------------------------------------------------


def test_a_token_differs_per_recipient_and_names_its_package(tmp_path: Path) -> None:
    from .test_package import customers, write_csv

    write_csv(tmp_path / "in" / "c.csv", customers(60, seed=4))
    policy = load_policy_text(
        "entities:\n  BANK_CARD: {operator: tokenize}\nfingerprint: {marks: false}\n"
    )
    keys = KeyProvider(b"token-trace-key-0123456789abcdefgh")
    for recipient in ("甲", "乙"):
        protect_paths(
            [tmp_path / "in"],
            policy,
            tmp_path / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=tmp_path / "m"),
        )
    a = pl.read_csv(tmp_path / "甲" / "c.csv", infer_schema=False)["银行卡号"]
    b = pl.read_csv(tmp_path / "乙" / "c.csv", infer_schema=False)["银行卡号"]
    assert a.str.starts_with("TKN_").all() and not set(a.to_list()) & set(b.to_list())
    frame = pl.DataFrame({"银行卡号": b.head(20)})
    frame.write_csv(tmp_path / "leak.csv")
    result = trace_cells(leaked_cells(tmp_path / "leak.csv"), load_records(tmp_path / "m"))
    assert result.recipients == ("乙",)


# --- canary records ----------------------------------------------------------------------------


def test_canaries_are_off_by_default(packages: Path) -> None:
    manifest = codec.load_manifest(packages / "甲" / "manifest.json")
    tables = [t for f in manifest.files for t in (f.tables or ())]
    assert all(t.rows_in == t.rows_out for t in tables)
    assert all(r.canaries == "" for r in load_records(packages / "records"))


def test_canary_records_are_well_formed_unique_listed_and_survive_re_masking(
    tmp_path: Path,
) -> None:
    """Synthetic customers (valid check characters, never a seller's row) added at random
    places, different per recipient; a whole table re-masked to the convention's layout (the
    renderings gone) still names its package by them."""
    from baomi.demo import generate_demo
    from baomi.engine.checksums import is_luhn_valid, is_valid_resident_id
    from baomi.engine.protect import canaries

    generate_demo(tmp_path / "seller", rows=300)
    policy = load_policy_text(
        DEFAULT_POLICY.replace("  marks: true", "  canaries: 8\n  marks: true")
    )
    assert policy.canaries == 8
    keys = KeyProvider(b"canary-test-key-0123456789abcdefgh")
    for recipient in ("甲", "乙"):
        result = protect_paths(
            [tmp_path / "seller"],
            policy,
            tmp_path / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=tmp_path / "m", verify=True),
        )
        (table,) = next(f for f in result.manifest.files if f.path == TABLE).tables or ()
        assert (table.rows_in, table.rows_out) == (300, 308)
    records = {r.recipient: r for r in load_records(tmp_path / "m")}
    assert all(len(r.canaries.split(";")) == 8 for r in records.values())
    assert records["甲"].canaries != records["乙"].canaries
    rng = random.Random(1)
    people = [canaries.synthetic(rng) for _ in range(50)]
    assert all(is_valid_resident_id(p["CN_RESIDENT_ID"]) for p in people)
    assert all(
        is_luhn_valid(p["BANK_CARD"]) and p["EMAIL"].endswith("@example.com") for p in people
    )
    # the informed recipient: every value back in the convention's layout, notes dropped
    frame = load(tmp_path / "乙" / TABLE).tables[0].frame.drop("备注")
    remasked = frame.select(
        pl.col(c).map_elements(
            lambda v: renderings.conventional(renderings.normalize(v).strip()),
            return_dtype=pl.String,
        )
        for c in frame.columns
    )
    remasked.write_csv(tmp_path / "leak.csv")
    cells = leaked_cells(tmp_path / "leak.csv")
    assert canaries.found(cells, records["乙"].canaries) == 8
    assert canaries.found(cells, records["甲"].canaries) == 0
    result = trace_cells(cells, list(records.values()))
    assert result.recipients == ("乙",)


def test_canaries_in_a_workbook_keep_its_rows_and_other_sheets(tmp_path: Path) -> None:
    from .test_package import customers

    rows = customers(60, seed=7)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws.append(list(rows[0]))
    for row in rows:
        ws.append(list(row.values()))
    wb.create_sheet("说明")["A1"] = "此表无个人信息"
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "c.xlsx")
    policy = load_policy_text(
        DEFAULT_POLICY.replace("  marks: true", "  canaries: 5\n  marks: true")
    )
    result = protect_paths(
        [tmp_path / "in"],
        policy,
        tmp_path / "out",
        options=ProtectOptions(recipient="甲", manifests_dir=tmp_path / "m", verify=True),
    )
    (table, _) = result.manifest.files[0].tables or ()
    assert (table.rows_in, table.rows_out) == (60, 65)
    book = openpyxl.load_workbook(tmp_path / "out" / "c.xlsx")
    assert book["说明"]["A1"].value == "此表无个人信息"
    out = list(book["客户"].iter_rows(values_only=True))
    assert len(out) == 66 and list(out[0]) == list(rows[0])
    names = [renderings.conventional(str(r[0])) for r in out[1:]]
    originals = {renderings.conventional(r["姓名"][0] + "*" + r["姓名"][-1]) for r in rows}
    assert sum(n not in originals for n in names) <= 5  # the seller's rows are all there
