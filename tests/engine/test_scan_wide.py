"""Wide tables (issue 17, "other layouts"): partitions bounded by bytes as well as rows."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.contracts.codec import to_dict
from baomi.engine.readers import TableBatch
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


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    _wide_csv(root / "宽表.csv", 90, random.Random(17))
    return root


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
