"""Wide tables (issue 17, "other layouts"): partitions bounded by bytes as well as rows, and
the short columns of one plan found together — the same findings as column by column."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.cells import CellRecognizers, column_findings, stack_key, stacked_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.contracts.codec import to_dict
from baomi.engine.readers import TableBatch
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.scan.partitions import coalesce
from tests.engine.test_scan import card, failing_id, mobile, read_findings, resident_id

COPIES = 6


def _wide_csv(path: Path, rows: int, rng: random.Random) -> None:
    """``COPIES`` copies of six kinds of column, each copy under other headers: identifiers
    whole, padded, mistyped or beside other text, so every path of an entity column's cells
    (shaped, failed checks, irregular cells with the header as context) is taken."""
    data: dict[str, list[str]] = {}
    for k in range(COPIES):
        ids, phones, notes, cards, codes, addresses = [], [], [], [], [], []
        for i in range(rows):
            ids.append(
                rng.choice([resident_id(rng), f" {resident_id(rng)} ", failing_id(rng), "", "不详"])
            )
            phones.append(
                rng.choice(
                    [
                        mobile(rng),
                        f"+86 {mobile(rng)}",
                        "021-6488 1234",
                        f"{mobile(rng)}/{mobile(rng)}",
                    ]
                )
            )
            notes.append(
                rng.choice(["无", f"客户来电，回拨{mobile(rng)}，证件{resident_id(rng)}", "已回访"])
            )
            cards.append(rng.choice([card(rng), card(rng)[:-1] + "0", ""]))
            codes.append(f"C{k}{i:05d}")
            addresses.append(f"上海市徐汇区漕溪北路{i + 1}号" + rng.choice(["", f" {mobile(rng)}"]))
        header = ["证件号码", "身份证", "证件"][k % 3]
        data[f"{header}{k}"] = ids
        data[f"{['联系电话', '手机', '电话号码'][k % 3]}_{k}"] = phones
        data[f"备注{k}"] = notes
        data[f"{['银行账号', '卡号'][k % 2]}{k}"] = cards
        data[f"编号{k}"] = codes
        data[f"地址{k}"] = addresses
    pl.DataFrame(data).write_csv(path)


def _recognizers() -> CellRecognizers:
    return CellRecognizers.of(TextAnalyzer(Registry.default().without_models(), 0.5))


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    _wide_csv(root / "宽表.csv", 90, random.Random(17))
    return root


def test_a_wide_tables_columns_found_together_give_the_column_by_column_findings(
    wide: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine.scan import kernels

    stacks: list[int] = []
    real = kernels.stacked_findings

    def spy(plans: Any, *args: Any) -> Any:
        stacks.append(len(plans))
        return real(plans, *args)

    monkeypatch.setattr(kernels, "stacked_findings", spy)
    options = ScanOptions(prose=False, explain=True)
    together = scan_paths([wide], out_dir=tmp_path / "together", options=options)
    assert stacks and max(stacks) > 1  # columns were found together
    monkeypatch.setattr(kernels, "STACK_CELLS", 0)
    stacks.clear()
    alone = scan_paths([wide], out_dir=tmp_path / "alone", options=options)
    assert not stacks
    got = read_findings(tmp_path / "together")
    assert got == read_findings(tmp_path / "alone")
    assert to_dict(together.inventory) | {"created": 0} == to_dict(alone.inventory) | {"created": 0}
    # each column's findings name its own header where the header is their context
    headed = [f for f in got if (f.get("context") or "").startswith("header:")]
    assert headed and all(f["context"] == "header:" + f["column"] for f in headed)
    shaped = [f for f in got if (f.get("pattern") or "").startswith("column:")]
    assert shaped and all(f["pattern"] == "column:" + f["column"] for f in shaped)
    assert len({f["column"] for f in shaped}) >= COPIES


def test_stacked_findings_are_each_columns_own() -> None:
    rng = random.Random(5)
    rec = _recognizers()
    columns = [
        pl.Series(
            [rng.choice([mobile(rng), "021-6488 1234", "", None, "无"]) for _ in range(n)],
            dtype=pl.String,
        )
        for n in (7, 0, 12, 5)
    ]
    plans = [
        ColumnPlan(name, "entity", "CN_MOBILE", 0.9)
        for name in ("联系电话", "电话", "客户电话", "联系电话2")
    ]
    keys = {stack_key(p, rec) for p in plans}
    assert len(keys) == 1
    stacked = stacked_findings(plans, columns, rec)
    for plan, cells, got in zip(plans, columns, stacked, strict=True):
        assert got.equals(column_findings(plan, cells, rec))


def test_headers_naming_other_recognizers_are_not_stacked_together() -> None:
    rec = _recognizers()
    skip = [ColumnPlan(name, "skip") for name in ("客户编号", "会员等级", "联系电话")]
    keys = [stack_key(p, rec) for p in skip]
    assert keys[0] == keys[1]  # headers that name no recognizer
    assert keys[2] != keys[0]  # 电话 is context for the phone recognizers
    assert stack_key(ColumnPlan("编号", "decoy", "CN_RESIDENT_ID", excluded=("X",)), rec) != (
        stack_key(ColumnPlan("编号", "decoy", "CN_RESIDENT_ID"), rec)
    )


def test_partitions_are_bounded_by_bytes_as_well_as_rows() -> None:
    frame = pl.DataFrame({f"c{k}": [f"{k}-{i}" * 20 for i in range(1000)] for k in range(30)})
    limit = frame.estimated_size() // 7
    batches = [TableBatch(None, 10, frame.head(300)), TableBatch(None, 310, frame.slice(300))]
    parts = list(coalesce(iter(batches), rows=100_000, max_bytes=limit))
    assert 7 <= len(parts) <= 9
    # about the bound: a batch is cut by rows, and later rows here are longer
    assert all(f.estimated_size() <= 1.2 * limit for _, _, f in parts)
    # consecutive, no row lost or repeated
    assert [o for _, o, _ in parts] == [
        10 + sum(f.height for _, _, f in parts[:k]) for k in range(len(parts))
    ]
    assert pl.concat([f for _, _, f in parts]).equals(frame)


def test_a_wide_file_cut_by_bytes_gives_the_same_findings(
    wide: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine.scan import partitions

    options = ScanOptions(prose=False)
    whole = scan_paths([wide], out_dir=tmp_path / "whole", options=options)
    monkeypatch.setattr(partitions, "PARTITION_BYTES", 8 << 10)
    cut = scan_paths([wide], out_dir=tmp_path / "cut", options=options)
    assert read_findings(tmp_path / "cut") == read_findings(tmp_path / "whole")
    # the same counts (the plans' confidence is from the first partition's sample, smaller here)
    assert to_dict(cut.inventory)["summary"] == to_dict(whole.inventory)["summary"]
    assert len(cut.inventory.files) == 1


def test_non_empty_cells_and_rows_with_sensitive_pi_are_counted_per_column(
    tmp_path: Path,
) -> None:
    # counted for every column of a partition in one query: blanks are empty but in free
    # text, where a cell of spaces is still a cell someone wrote
    rng = random.Random(23)
    root = tmp_path / "data"
    root.mkdir()
    rows = []
    with_id = 0
    for i in range(40):
        note = rng.choice(["", "   ", f"第{i}次回访，客户表示满意，下次再联系"])
        number = rng.choice([resident_id(rng), "", resident_id(rng)])
        with_id += bool(number)
        rows.append(
            {
                "编号": rng.choice([f"A{i:04d}", "", "  "]),
                "手机": mobile(rng),
                "证件号码": number,
                "跟进记录": note,
            }
        )
    frame = pl.DataFrame(rows)
    frame.write_csv(root / "t.csv")
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    inv = to_dict(result.inventory)
    columns = {c["name"]: c for c in inv["files"][0]["columns"]}
    codes = frame.get_column("编号").str.strip_chars()
    assert columns["编号"]["non_empty"] == int((codes.str.len_bytes() > 0).sum())
    assert columns["手机"]["non_empty"] == 40
    notes = frame.get_column("跟进记录")
    assert columns["跟进记录"]["mode"] == "text"
    assert columns["跟进记录"]["non_empty"] == int((notes.str.len_bytes() > 0).sum())
    assert 0 < with_id < 40
    assert inv["summary"]["individuals_with_sensitive"] == with_id
