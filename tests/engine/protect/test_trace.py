"""Trace: name the recipient from shuffled, reordered and re-saved fragments; else "unknown"."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.contracts import codec
from baomi.engine.contracts.trace_record import TraceRecord
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.trace import NoTraceRecordsError, trace, trace_cells

from .test_package import JOIN_POLICY, customers, write_csv

#: A trace record as protect writes it, for records made up in tests.
RECORD = Path(__file__).parents[1] / "contracts" / "fixtures" / "v1" / "trace-record.json"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("trace")
    write_csv(base / "in" / "customers.csv", customers(120, seed=9))
    keys = KeyProvider(b"trace-test-key-0123456789abcdefg")
    for recipient in ("甲律所", "乙买方", "丙会计所"):
        protect_paths(
            [base / "in"],
            load_policy_text(DEFAULT_POLICY),
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    # pseudonyms only, marks off: the recipient-keyed values alone must identify the package
    no_marks = load_policy_text(
        "entities:\n  CN_RESIDENT_ID: {operator: pseudonym}\nfingerprint: {marks: false}\n"
    )
    for recipient in ("丁", "戊"):
        protect_paths(
            [base / "in"],
            no_marks,
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    assert JOIN_POLICY.entities["CN_RESIDENT_ID"].operator == "pseudonym"
    return base


def fragment(base: Path, recipient: str, rows: int = 20, seed: int = 1) -> pl.DataFrame:
    df = pl.read_csv(base / recipient / "customers.csv", infer_schema=False)
    df = df.sample(rows, seed=seed, shuffle=True)
    return df.select(list(reversed(df.columns)))  # columns reordered


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "parquet", "json"])
def test_trace_names_the_recipient_after_shuffle_reorder_and_resave(
    packages: Path, fmt: str
) -> None:
    from openpyxl import Workbook

    leak = packages / f"leak.{fmt}"
    df = fragment(packages, "乙买方")
    if fmt == "csv":
        leak.write_bytes(df.write_csv().encode("gb18030"))
    elif fmt == "xlsx":
        wb = Workbook()
        wb.active.append(df.columns)
        for row in df.iter_rows():
            wb.active.append(list(row))
        wb.save(leak)
    elif fmt == "jsonl":
        df.write_ndjson(leak)
    elif fmt == "json":
        leak.write_text(json.dumps(df.to_dicts()), encoding="utf-8")  # \\u escapes
    else:
        df.write_parquet(leak)
    result = trace(leak, packages / "manifests")
    assert result.recipient == "乙买方"
    assert result.confidence > 0.999


def test_trace_by_recipient_keyed_values_alone(packages: Path) -> None:
    df = fragment(packages, "戊").select("身份证号", "性别")
    leak = packages / "leak-ids.csv"
    df.write_csv(leak)
    result = trace(leak, packages / "manifests")
    assert result.recipient == "戊"
    assert result.candidates[0].values_matched == 20


def test_trace_says_unknown_without_evidence(packages: Path) -> None:
    leak = packages / "leak-plain.csv"
    fragment(packages, "甲律所").select("性别").write_csv(leak)  # nothing marked
    assert trace(leak, packages / "manifests").recipient is None
    other = packages / "other.csv"
    write_csv(other, customers(30, seed=77))  # data never packaged
    result = trace(other, packages / "manifests")
    assert result.recipient is None and result.confidence == 0.0


@pytest.mark.parametrize("folder", ["m-typo", "empty", "not-records"])
def test_no_trace_records_is_an_error_not_unknown(
    packages: Path, tmp_path: Path, folder: str
) -> None:
    """A mistyped or empty --manifests folder must not read as "not enough evidence"."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "not-records").mkdir()
    (tmp_path / "not-records" / "x.json").write_text('{"kind": "other"}', encoding="utf-8")
    leak = packages / "leak-any.csv"
    fragment(packages, "甲律所").write_csv(leak)
    with pytest.raises(NoTraceRecordsError, match=folder):
        trace(leak, tmp_path / folder)


# --- a package's own files trace with no disagreeing mark ---------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀"


def _short_name_notes(n: int, seed: int) -> list[str]:
    """Notes whose masked names are short (``王*``, 4 bytes): the bytes before the mark
    reach back into the text before the name."""
    rng = random.Random(seed)
    return [f"客户{rng.choice(SURNAMES)}{rng.choice(GIVEN)}来电要求退款，已处理" for _ in range(n)]


@pytest.fixture(scope="module")
def notes_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docx

    base = tmp_path_factory.mktemp("trace-notes")
    notes = _short_name_notes(200, seed=1)
    rng = random.Random(2)
    write_csv(
        base / "in" / "notes.csv",
        [
            {"编号": str(i), "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN), "备注": t}
            for i, t in enumerate(notes)
        ],
    )
    (base / "in" / "notes.txt").write_text("\n".join(notes[:40]) + "\n", encoding="utf-8")
    d = docx.Document()
    for note in notes[40:80]:
        d.add_paragraph(note)
    d.save(str(base / "in" / "notes.docx"))
    keys = KeyProvider(b"trace-notes-key-0123456789abcdefg")
    for recipient in ("A", "B", "C"):
        protect_paths(
            [base / "in"],
            load_policy_text(DEFAULT_POLICY),
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    return base


@pytest.mark.parametrize("name", ["notes.csv", "notes.txt", "notes.docx"])
def test_a_package_s_own_notes_trace_with_no_disagreeing_mark(
    notes_packages: Path, name: str
) -> None:
    """Marks after short masked names in text are computed from the same bytes that trace
    reads back (QA bug 6: the whole notes file read as "unknown")."""
    result = trace(notes_packages / "B" / name, notes_packages / "manifests")
    best = result.candidates[0]
    assert result.recipient == "B"
    assert best.marks_disagree == 0 and best.marks_agree >= 24
    assert result.confidence > 0.999


def test_a_fragment_of_notes_traces_with_no_disagreeing_mark(notes_packages: Path) -> None:
    df = pl.read_csv(notes_packages / "C" / "notes.csv", infer_schema=False)
    leak = notes_packages / "leak-notes.csv"
    df.sample(30, seed=3, shuffle=True).write_csv(leak)
    result = trace(leak, notes_packages / "manifests")
    assert result.recipient == "C" and result.candidates[0].marks_disagree == 0


def test_a_table_pasted_into_a_text_file_still_traces(notes_packages: Path) -> None:
    """Rows copied out of a spreadsheet into a text file (tab or comma separated): the mark
    after a short masked cell (``王*``) depends on that cell only, not on the cell before it."""
    df = pl.read_csv(notes_packages / "A" / "notes.csv", infer_schema=False)
    df = df.sample(60, seed=4, shuffle=True)
    assert fp.strip_marks(df["姓名"][0]).endswith("*")
    for sep, name in (("\t", "leak-pasted.txt"), (",", "leak-pasted-csv.txt")):
        leak = notes_packages / name
        leak.write_text(df.write_csv(separator=sep), encoding="utf-8")
        result = trace(leak, notes_packages / "manifests")
        assert result.recipient == "A"
        assert result.candidates[0].marks_disagree == 0


def test_the_demo_data_traces_to_its_recipient_file_by_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`baomi demo` data under the default policy: every file of a package, tables, TXT and
    DOCX contracts alike, names its recipient with no disagreeing mark."""
    from baomi.demo import generate_demo

    base = tmp_path_factory.mktemp("trace-demo")
    generate_demo(base / "demo", rows=120)
    keys = KeyProvider(b"trace-demo-key-0123456789abcdefgh")
    for recipient in ("甲", "乙"):
        protect_paths(
            [base / "demo"],
            load_policy_text(DEFAULT_POLICY),
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    files = sorted(p for p in (base / "乙").rglob("*") if p.is_file() and p.suffix != ".json")
    assert {p.suffix for p in files} >= {".csv", ".xlsx", ".jsonl", ".txt", ".docx"}
    for path in files:
        result = trace(path, base / "manifests")
        assert result.recipient == "乙", path.name
        assert result.candidates[0].marks_disagree == 0, path.name


# --- confidence -----------------------------------------------------------------------------


def _record(recipient: str, fingerprint: int) -> TraceRecord:
    return dataclasses.replace(
        codec.load_trace_record(RECORD),
        package_id=f"pkg-{recipient}",
        recipient=recipient,
        fingerprint=f"{fingerprint:016x}",
        digests="",
    )


def _marked_cells(fingerprint: int, count: int, seed: int = 0) -> list[str]:
    """``count`` masked-looking cells, each marked, with distinct bit indices."""
    rng = random.Random(seed)
    cells: dict[int, str] = {}
    while len(cells) < count:
        value = f"{rng.randint(130, 199)}****{rng.randint(0, 9999):04d}"
        marked = value + fp.mark_for(value, fingerprint)
        (idx, _bit), *_ = fp.extract_marks(marked)
        cells.setdefault(idx, marked)
    return list(cells.values())


def test_confidence_reflects_the_evidence() -> None:
    rng = random.Random(5)
    fps = [rng.getrandbits(64) for _ in range(4)]
    records = [_record(r, f) for r, f in zip("ABCD", fps, strict=True)]
    few = trace_cells(_marked_cells(fps[1], 30), records)
    many = trace_cells(_marked_cells(fps[1], 55), records)
    assert few.recipient == many.recipient == "B"
    # more agreeing marks: a wrong match is less likely, and the figure says so
    assert 0.99 < few.confidence < many.confidence < 1.0
    assert many.wrong_match < few.wrong_match / 1000
    assert few.confidence == pytest.approx(1.0 - few.wrong_match)
    # posterior with equal priors on each package and on "none of them" (docs/protect.md)
    weights = [2.0**c.bits for c in few.candidates] + [1.0]
    assert few.confidence == pytest.approx(weights[0] / sum(weights), rel=1e-9)
    # a few disagreeing marks (a damaged leak) lower the confidence
    flipped = [
        c.replace(fp.MARK0, "x").replace(fp.MARK1, fp.MARK0).replace("x", fp.MARK1)
        for c in _marked_cells(fps[1], 55)[:3]
    ]
    damaged = trace_cells(_marked_cells(fps[1], 55)[3:] + flipped, records)
    assert damaged.recipient == "B" and damaged.candidates[0].marks_disagree == 3
    assert damaged.confidence < many.confidence


def test_too_little_evidence_is_unknown_not_a_guess() -> None:
    rng = random.Random(6)
    fps = [rng.getrandbits(64) for _ in range(3)]
    records = [_record(r, f) for r, f in zip("ABC", fps, strict=True)]
    result = trace_cells(_marked_cells(fps[0], 8), records)
    assert result.recipient is None and result.confidence == 0.0
    assert result.candidates[0].recipient == "A"  # the evidence is shown, not a verdict


def test_every_mark_is_read_back_from_the_bytes_it_was_made_from() -> None:
    """Tables (vectorised) and text (spliced) mark a value from the tail trace reads back,
    whatever the value's length, what precedes it and the separators around it."""
    fingerprint = random.Random(7).getrandbits(64)
    values = ["王*", "*", "30-39", "138****5678", "+86 138-****-5678", "广东省深圳市南山区****",
              "a***@example.com", "李，*", "x\ty", "😀*", "<CN_MOBILE>", "北京市 朝阳区"]  # fmt: skip
    marked = fp.mark_series(pl.Series("v", [*values, None, ""]), fingerprint).to_list()
    assert marked[-2:] == [None, ""]
    for value, cell in zip(values, marked, strict=False):
        assert cell == value + fp.mark_for(value, fingerprint)
        assert all((fingerprint >> i) & 1 == b for i, b in fp.extract_marks(cell))
    rng = random.Random(8)
    for _ in range(300):
        text = "".join(rng.choice("客户王李 ,，\t来电abc12") for _ in range(rng.randint(0, 30)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 6)))
        edits = [
            (a, b, rng.choice(values), True) for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        ]
        out, made = fp.splice(text, edits, fingerprint)
        marks = fp.extract_marks(out)
        assert len(marks) == fp.TEXT_MARK_WIDTH * len(edits) == fp.TEXT_MARK_WIDTH * len(made)
        assert all((fingerprint >> i) & 1 == b for i, b in marks)


def test_the_seller_s_own_data_is_never_traced_to_a_recipient(tmp_path: Path) -> None:
    """Pseudonyms are real-looking values: a name pseudonym is often another customer's real
    name, and a mobile pseudonym can be one at scale. Tracing the unprotected source file (or a
    slice of it) against a single recipient's package must answer "unknown", not accuse it."""
    from baomi.engine.protect.operators.base import OperatorContext
    from baomi.engine.protect.registry import OperatorRegistry

    policy = load_policy_text(
        "entities:\n  PERSON_NAME: {operator: pseudonym}\n  CN_MOBILE: {operator: pseudonym}\n"
        "  CN_RESIDENT_ID: {operator: pseudonym}\nfingerprint: {marks: false}\n"
    )
    keys = KeyProvider(b"trace-test-key-0123456789abcdefg")
    rule = policy.rule_for_entity("PERSON_NAME")
    assert rule is not None
    op, ctx = (
        OperatorRegistry.default().get("pseudonym"),
        OperatorContext(keys=keys, recipient="甲"),
    )
    rows = customers(400, seed=21)
    for i in range(0, 40, 2):  # as in real data (Faker's names): some customers are named
        rows[i + 1]["姓名"] = op.apply(rows[i]["姓名"], "PERSON_NAME", rule.params, ctx)
    write_csv(tmp_path / "in" / "c.csv", rows)
    protect_paths(
        [tmp_path / "in"],
        policy,
        tmp_path / "pkg",
        keys=keys,
        options=ProtectOptions(recipient="甲", manifests_dir=tmp_path / "m"),
    )
    names = {r["姓名"] for r in rows}
    packaged = pl.read_csv(tmp_path / "pkg" / "c.csv", infer_schema=False)["姓名"]
    assert names & set(packaged.to_list())  # the collisions this test is about
    assert trace(tmp_path / "in" / "c.csv", tmp_path / "m").recipient is None
    slice_ = tmp_path / "slice.csv"
    pl.read_csv(tmp_path / "in" / "c.csv", infer_schema=False).head(20).write_csv(slice_)
    assert trace(slice_, tmp_path / "m").recipient is None
    # the package itself still traces, by its pseudonymised IDs and mobiles alone, as does a
    # 20-row fragment of it
    assert trace(tmp_path / "pkg" / "c.csv", tmp_path / "m").recipient == "甲"
    leak = tmp_path / "leak.csv"
    pl.read_csv(tmp_path / "pkg" / "c.csv", infer_schema=False).tail(20).write_csv(leak)
    assert trace(leak, tmp_path / "m").recipient == "甲"
