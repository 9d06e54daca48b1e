"""The scan contract (DESIGN.md "Scan output"): inventory.json and findings.jsonl."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.contracts.codec import to_dict
from baomi.engine.scan import ScanOptions, scan_paths

FINDING_KEYS = ["file", "sheet", "row", "column", "start", "end", "entity", "score"]


def resident_id(rng: random.Random) -> str:
    area = rng.choice(["110101", "310104", "440305", "510107"])
    born = f"{rng.randint(1950, 2005):04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{area}{born}{rng.randint(0, 999):03d}"
    return body + resident_id_check_char(body)


def failing_id(rng: random.Random) -> str:
    """18 digits shaped like an ID whose check character is wrong (an order number)."""
    body = resident_id(rng)[:17]
    good = resident_id_check_char(body)
    return body + rng.choice([c for c in "0123456789" if c != good])


def mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "186", "155", "177"]) + "".join(
        rng.choice("0123456789") for _ in range(8)
    )


def card(rng: random.Random) -> str:
    body = "622202" + "".join(rng.choice("0123456789") for _ in range(12))
    return body + luhn_check_digit(body)


def read_findings(out: Path) -> list[dict[str, Any]]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def customers(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    rng = random.Random(7)
    root = tmp_path / "data"
    root.mkdir()
    rows = []
    for i in range(300):
        rows.append(
            {
                "编号": str(i + 1),
                "证件号码": resident_id(rng),
                "联系电话": mobile(rng),
                "订单号": failing_id(rng),
                "备注": f"客户要求回电{mobile(rng)}，卡号{card(rng)}" if i % 2 else "无",
            }
        )
    header = list(rows[0])
    text = "\n".join([",".join(header)] + [",".join(r[h] for h in header) for r in rows]) + "\n"
    (root / "客户名单.csv").write_bytes(text.encode("gbk"))
    return root, rows


def test_findings_follow_the_contract(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, rows = customers
    out = tmp_path / "out"
    scan_paths([root], out_dir=out)
    findings = read_findings(out)
    assert findings, "nothing found"
    for f in findings:
        assert list(f) == FINDING_KEYS
        cell = rows[f["row"]][f["column"]]
        value = cell[f["start"] : f["end"]]
        if f["entity"] == "CN_RESIDENT_ID":
            assert value == rows[f["row"]]["证件号码"]
        if f["entity"] == "CN_MOBILE" and f["column"] == "联系电话":
            assert value == rows[f["row"]]["联系电话"]
    by_col = {(f["column"], f["entity"]) for f in findings}
    assert ("证件号码", "CN_RESIDENT_ID") in by_col
    assert ("联系电话", "CN_MOBILE") in by_col
    assert ("备注", "CN_MOBILE") in by_col
    assert ("备注", "BANK_CARD") in by_col
    assert not any(f["column"] == "订单号" for f in findings), "decoy order numbers flagged"
    notes = [f for f in findings if f["column"] == "备注" and f["entity"] == "CN_MOBILE"]
    assert len(notes) == 150


def test_inventory_classifies_columns_and_counts(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, _ = customers
    out = tmp_path / "out"
    scan_paths([root], out_dir=out)
    inv = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    (f,) = inv["files"]
    assert (
        f["path"] == "客户名单.csv" and f["kind"] == "table" and f["encoding"] in ("gbk", "gb18030")
    )
    assert f["rows"] == 300
    cols = {c["name"]: c for c in f["columns"]}
    assert cols["证件号码"]["entity"] == "CN_RESIDENT_ID" and cols["证件号码"]["sensitive"] is True
    assert cols["证件号码"]["matches"] == cols["证件号码"]["non_empty"] == 300
    assert cols["联系电话"]["entity"] == "CN_MOBILE"
    assert cols["订单号"]["mode"] == "decoy" and cols["订单号"]["matches"] == 0
    assert cols["编号"]["matches"] == 0
    s = inv["summary"]
    assert s["distinct"]["CN_RESIDENT_ID"] == 300
    assert s["distinct_estimated"] == []
    assert s["estimated_individuals"] == 300
    assert s["individuals_with_sensitive"] == 300


def test_outputs_hold_no_raw_value(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, rows = customers
    out = tmp_path / "out"
    scan_paths([root], out_dir=out, options=ScanOptions(explain=True))
    blob = (out / "findings.jsonl").read_text(encoding="utf-8") + (
        out / "inventory.json"
    ).read_text(encoding="utf-8")
    for r in rows[:50]:
        assert r["证件号码"] not in blob
        assert r["联系电话"] not in blob


def test_individuals_are_deduplicated_across_files(tmp_path: Path) -> None:
    rng = random.Random(3)
    people = [(resident_id(rng), mobile(rng)) for _ in range(40)]
    root = tmp_path / "d"
    root.mkdir()
    a = "身份证号,手机\n" + "\n".join(f"{i},{m}" for i, m in people[:30]) + "\n"
    b = "手机号码,身份证\n" + "\n".join(f"{m},{i}" for i, m in people[20:]) + "\n"
    (root / "a.csv").write_text(a, encoding="utf-8")
    (root / "b.csv").write_text(b, encoding="utf-8")
    result = scan_paths([root])
    assert to_dict(result.inventory)["summary"]["estimated_individuals"] == 40


def test_unreadable_files_are_listed_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    (root / "empty.csv").write_bytes(b"")
    (root / "image.bin").write_bytes(b"\x89PNG\r\n")
    (root / "ok.txt").write_text("联系电话：13812345678\n", encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out)
    skipped = {s["path"] for s in to_dict(result.inventory)["skipped"]}
    assert skipped == {"empty.csv", "image.bin"}
    assert all(s["reason"] for s in to_dict(result.inventory)["skipped"])
    (f,) = read_findings(out)
    assert f["file"] == "ok.txt" and f["row"] == 0 and f["column"] is None
    assert (f["start"], f["end"]) == (5, 16)


def test_text_offsets_are_in_the_original_line(tmp_path: Path) -> None:
    rng = random.Random(5)
    idn = resident_id(rng)
    fullwidth = idn.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    line = f"甲方：某某，身份证号{fullwidth}，住址见附件"
    (tmp_path / "合同.txt").write_text("第一行\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "out"
    scan_paths([tmp_path / "合同.txt"], out_dir=out)
    ids = [f for f in read_findings(out) if f["entity"] == "CN_RESIDENT_ID"]
    assert len(ids) == 1 and ids[0]["row"] == 1
    assert line[ids[0]["start"] : ids[0]["end"]] == fullwidth


def test_workers_give_the_same_result(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, _ = customers
    one = scan_paths([root], out_dir=tmp_path / "one", options=ScanOptions(batch_rows=64))
    two = scan_paths(
        [root], out_dir=tmp_path / "two", workers=2, options=ScanOptions(batch_rows=64)
    )
    assert sorted(read_findings(tmp_path / "one"), key=json.dumps) == sorted(
        read_findings(tmp_path / "two"), key=json.dumps
    )
    assert to_dict(one.inventory)["summary"] | {"created": 0} == to_dict(two.inventory)[
        "summary"
    ] | {"created": 0}


def test_dates_are_birth_dates_only_under_a_birth_header(tmp_path: Path) -> None:
    rng = random.Random(9)
    dates = [
        f"{rng.randint(1960, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        for _ in range(50)
    ]
    text = "出生日期,注册日期\n" + "\n".join(
        f"{a},{b}" for a, b in zip(dates, reversed(dates), strict=True)
    )
    (tmp_path / "d.csv").write_text(text + "\n", encoding="utf-8")
    result = scan_paths([tmp_path / "d.csv"])
    cols = {c["name"]: c for c in to_dict(result.inventory)["files"][0]["columns"]}
    assert cols["出生日期"]["entity"] == "DATE_OF_BIRTH" and cols["出生日期"]["matches"] == 50
    assert cols["注册日期"]["matches"] == 0


def test_a_column_of_few_repeated_words_is_not_a_name_column(tmp_path: Path) -> None:
    methods = ["银联卡", "支付宝", "微信支付", "现金"] * 30
    rng = random.Random(4)
    names = [
        rng.choice("张王李刘陈杨赵黄周吴") + rng.choice("伟芳娜洋静磊敏军杰丽强")
        for _ in range(120)
    ]
    text = "支付方式,联系人\n" + "\n".join(f"{m},{n}" for m, n in zip(methods, names, strict=True))
    (tmp_path / "p.csv").write_text(text + "\n", encoding="utf-8")
    result = scan_paths([tmp_path / "p.csv"])
    cols = {c["name"]: c for c in to_dict(result.inventory)["files"][0]["columns"]}
    assert cols["支付方式"]["matches"] == 0
    assert cols["联系人"]["entity"] == "PERSON_NAME"


def test_overlaps_are_resolved_per_cell_with_nested_spans() -> None:
    from baomi.engine.batch import _SCHEMA, _resolve

    rows = [
        # cell 0: A(0,20) wins; B(2,5) and C(10,12) both overlap A
        (0, 0, 20, 0.99),
        (0, 2, 5, 0.9),
        (0, 10, 12, 0.9),
        # cell 1: no overlap
        (1, 0, 3, 0.6),
        (1, 5, 8, 0.6),
        # cell 2: D(0,4) loses to E(2,9) which scores higher
        (2, 0, 4, 0.5),
        (2, 2, 9, 0.8),
    ]
    df = pl.DataFrame(
        {
            "idx": [r[0] for r in rows],
            "start": [r[1] for r in rows],
            "end": [r[2] for r in rows],
            "entity": ["X"] * len(rows),
            "score": [r[3] for r in rows],
            "recognizer": ["R"] * len(rows),
            "pattern": ["p"] * len(rows),
            "validation": ["unknown"] * len(rows),
            "context": [None] * len(rows),
            "value": ["v"] * len(rows),
            "rank": [0] * len(rows),
        },
        schema=_SCHEMA,
    ).sort("idx", "start")
    kept = _resolve(df).select("idx", "start", "end").rows()
    assert kept == [(0, 0, 20), (1, 0, 3), (1, 5, 8), (2, 2, 9)]


def test_irregular_cells_of_an_entity_column_get_every_recognizer(tmp_path: Path) -> None:
    rng = random.Random(21)
    cells = [mobile(rng) for _ in range(60)]
    cells[3] = "+86 138-1234-5678"
    cells[7] = "13812345678 / li.lei@example.com"
    (tmp_path / "c.csv").write_text("手机\n" + "\n".join(cells) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    scan_paths([tmp_path / "c.csv"], out_dir=out)
    by_row: dict[int, list[tuple[str, str]]] = {}
    for f in read_findings(out):
        by_row.setdefault(f["row"], []).append(
            (f["entity"], cells[f["row"]][f["start"] : f["end"]])
        )
    assert by_row[3] == [("CN_MOBILE", "+86 138-1234-5678")]
    assert by_row[7] == [("CN_MOBILE", "13812345678"), ("EMAIL", "li.lei@example.com")]
    assert len(by_row) == 60


def test_a_resident_id_typed_into_a_card_column_is_reported_as_an_id(tmp_path: Path) -> None:
    rng = random.Random(31)
    cards = [card(rng) for _ in range(40)]
    rid = resident_id(rng)
    cards[5] = rid
    cards[6] = " ".join(cards[6][i : i + 4] for i in range(0, len(cards[6]), 4))
    (tmp_path / "k.csv").write_text("银行卡号\n" + "\n".join(cards) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    scan_paths([tmp_path / "k.csv"], out_dir=out)
    found = {
        f["row"]: (f["entity"], cards[f["row"]][f["start"] : f["end"]]) for f in read_findings(out)
    }
    assert found[5] == ("CN_RESIDENT_ID", rid)
    assert found[6] == ("BANK_CARD", cards[6])
    assert len(found) == 40


def test_the_threaded_single_process_path_matches_worker_processes(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    # Without the prose model two threads scan partitions in one process and a third writes.
    root, _ = customers
    opts = ScanOptions(batch_rows=50, prose=False)
    one = scan_paths([root], out_dir=tmp_path / "t", options=opts)
    two = scan_paths([root], out_dir=tmp_path / "p", workers=2, options=opts)
    assert read_findings(tmp_path / "t") == read_findings(tmp_path / "p")
    assert to_dict(one.inventory)["summary"] == to_dict(two.inventory)["summary"]


def test_findings_are_written_in_row_order_by_the_writer_thread(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, _ = customers
    scan_paths([root], out_dir=tmp_path / "o", options=ScanOptions(batch_rows=20, prose=False))
    rows = [f["row"] for f in read_findings(tmp_path / "o")]
    assert len(rows) > 300
    # Partitions (20 rows each) are appended in order, whichever scanning thread finishes first.
    blocks = [r // 20 for r in rows]
    assert blocks == sorted(blocks)
    assert len(set(blocks)) == 15


@pytest.mark.parametrize("prose", [False, True], ids=["no-prose", "prose"])
def test_a_folder_of_small_files_is_reported_file_by_file_with_files_in_flight(
    tmp_path: Path, prose: bool
) -> None:
    # One partition per file: the scanning threads take the next files while a file's
    # partitions are still being scanned (with the prose model too: a document's lines are one
    # column); records, rows and findings stay file by file.
    rng = random.Random(12)
    root = tmp_path / "folder"
    root.mkdir()
    sizes = [rng.randint(1, 30) for _ in range(12)]
    for k, n in enumerate(sizes):
        lines = [f"第{k}号客户，手机{mobile(rng)}。" for _ in range(n)]
        (root / f"{k:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a table between them (two columns: scanned one partition at a time, side by side)
    table = [f"{k},{mobile(rng)}" for k in range(25)]
    (root / "05a.csv").write_text("编号,手机\n" + "\n".join(table) + "\n", encoding="utf-8")
    names = [f"{k:02d}.txt" for k in range(12)]
    names.insert(6, "05a.csv")
    sizes.insert(6, len(table))
    out = tmp_path / "o"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=prose))
    files = to_dict(result.inventory)["files"]
    assert [f["path"] for f in files] == names
    assert [f["rows"] for f in files] == sizes
    found = [(f["file"], f["row"]) for f in read_findings(out) if f["entity"] == "CN_MOBILE"]
    assert found == [(name, r) for name, n in zip(names, sizes, strict=True) for r in range(n)]
    everything = [(names.index(f["file"]), f["row"], f["start"]) for f in read_findings(out)]
    assert everything == sorted(everything)


@pytest.mark.parametrize("prose", [False, True], ids=["no-prose", "prose"])
def test_columns_classified_side_by_side_give_the_column_by_column_plans(
    customers: tuple[Path, list[dict[str, str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prose: bool,
) -> None:
    from baomi.engine.scan import partitions

    root, _ = customers
    opts = ScanOptions(prose=prose)
    side = scan_paths([root], out_dir=tmp_path / "side", options=opts)
    monkeypatch.setattr(partitions, "CLASSIFY_SIDE_BY_SIDE", 10**6)
    one = scan_paths([root], out_dir=tmp_path / "one", options=opts)
    assert to_dict(side.inventory)["files"] == to_dict(one.inventory)["files"]
    assert read_findings(tmp_path / "side") == read_findings(tmp_path / "one")


def test_a_failed_findings_write_stops_the_scan_and_leaves_nothing(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = customers
    calls = {"n": 0}

    def full_disk(self: pl.DataFrame, file: object = None) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_ndjson", full_disk)
    out = tmp_path / "o"
    with pytest.raises(OSError, match="No space left"):
        scan_paths([root], out_dir=out, options=ScanOptions(batch_rows=20, prose=False))
    assert list(out.iterdir()) == []


def test_offsets_in_an_entity_column_skip_leading_blanks(tmp_path: Path) -> None:
    rng = random.Random(3)
    phones = [mobile(rng) for _ in range(40)]
    padded = {5: "  ", 9: "\u3000", 12: " \t"}  # ASCII spaces, ideographic space, tab
    cells = [padded.get(i, "") + p + (" " if i == 12 else "") for i, p in enumerate(phones)]
    root = tmp_path / "d"
    root.mkdir()
    (root / "c.csv").write_text(
        "手机号\n" + "\n".join(f'"{c}"' for c in cells) + "\n", encoding="utf-8"
    )
    scan_paths([root], out_dir=tmp_path / "o", options=ScanOptions(prose=False))
    found = {f["row"]: (f["start"], f["end"]) for f in read_findings(tmp_path / "o")}
    for i, cell in enumerate(cells):
        lead = len(cell) - len(cell.lstrip())
        assert found[i] == (lead, lead + 11), (i, cell)


def test_distinct_counts_past_the_exact_limit_are_marked_as_estimates(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine import inventory

    monkeypatch.setattr(inventory, "EXACT_DISTINCT", 100)
    monkeypatch.setattr(inventory, "COMPACT_SLACK", 50)
    root, _ = customers
    s = scan_paths([root], out_dir=tmp_path / "o", options=ScanOptions(batch_rows=60)).inventory
    assert "CN_RESIDENT_ID" in s.summary.distinct_estimated
    assert abs(s.summary.distinct["CN_RESIDENT_ID"] - 300) <= 9  # HyperLogLog, 2**14 registers


def test_progress_moves_within_a_large_file(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    root, _ = customers
    calls: list[tuple[str, int, int]] = []
    scan_paths(
        [root],
        out_dir=tmp_path / "o",
        options=ScanOptions(batch_rows=50, prose=False),
        progress=lambda name, done, total: calls.append((name, done, total)),
    )
    total = (root / "客户名单.csv").stat().st_size
    within = [done for name, done, _ in calls if name == "客户名单.csv" and 0 < done < total]
    assert len(within) >= 3  # several partitions, each moves the bar
    dones = [done for _, done, _ in calls]
    assert dones == sorted(dones) and dones[-1] == total == calls[-1][2]


def test_columns_scanned_side_by_side_give_the_column_by_column_result(tmp_path: Path) -> None:
    # With the prose model one process scans a partition's columns side by side (free text
    # first); worker processes scan them one by one. Findings (in their order within each
    # row) and the inventory's columns (in the file's order) must be the same.
    rng = random.Random(11)
    surnames, given = "王李张刘陈杨赵黄", "伟芳娜敏静丽强磊军洋"
    lines = ["编号,跟进记录,联系电话,证件号码,备注"]
    for i in range(240):
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        note = f"客户{name}先生来电，回拨{mobile(rng)}" if i % 3 else "无"
        lines.append(f"{i + 1},{note},{mobile(rng)},{resident_id(rng)},联系人{name}")
    root = tmp_path / "data"
    root.mkdir()
    (root / "跟进.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    opts = ScanOptions(batch_rows=60)
    side = scan_paths([root], out_dir=tmp_path / "side", options=opts)
    one = scan_paths([root], out_dir=tmp_path / "one", workers=2, options=opts)
    found = read_findings(tmp_path / "side")
    assert found == read_findings(tmp_path / "one")
    assert {f["entity"] for f in found if f["column"] == "跟进记录"} >= {"PERSON_NAME", "CN_MOBILE"}
    columns = [c["name"] for c in to_dict(side.inventory)["files"][0]["columns"]]
    assert columns == ["编号", "跟进记录", "联系电话", "证件号码", "备注"]
    assert to_dict(side.inventory) | {"created": 0} == to_dict(one.inventory) | {"created": 0}


def test_long_columns_found_in_their_own_threads_give_the_column_by_column_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the model one process finds a partition's free-text and address columns in
    # threads of their own while its scanning thread does the others; worker processes scan
    # them one by one.
    import threading

    from baomi.engine.scan import kernels

    rng = random.Random(12)
    lines = ["编号,跟进记录,联系电话,证件号码,收货地址,备注"]
    for i in range(240):
        note = f"客户来电，回拨{mobile(rng)}，证件{resident_id(rng)}" if i % 3 else "无"
        address = f"上海市徐汇区漕溪北路{i + 1}号"
        lines.append(f"{i + 1},{note},{mobile(rng)},{resident_id(rng)},{address},备用{mobile(rng)}")
    root = tmp_path / "data"
    root.mkdir()
    (root / "跟进.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    where: list[tuple[str, str | None, str]] = []
    found = kernels.column_findings

    def spy(plan: Any, *args: Any) -> Any:
        where.append((plan.mode, plan.entity, threading.current_thread().name))
        return found(plan, *args)

    monkeypatch.setattr(kernels, "column_findings", spy)
    opts = ScanOptions(batch_rows=60, prose=False)
    threaded = scan_paths([root], out_dir=tmp_path / "threaded", options=opts)
    beside = {(mode, entity) for mode, entity, name in where if name.startswith("baomi-text")}
    assert beside == {("text", None), ("entity", "ADDRESS")}
    assert all(name.startswith("baomi-text") for mode, _, name in where if mode == "text")
    one = scan_paths([root], out_dir=tmp_path / "one", workers=2, options=opts)
    got = read_findings(tmp_path / "threaded")
    assert got == read_findings(tmp_path / "one")
    assert {f["column"] for f in got if f["entity"] == "CN_MOBILE"} >= {"跟进记录", "备注"}
    assert to_dict(threaded.inventory) | {"created": 0} == to_dict(one.inventory) | {"created": 0}


def test_a_scan_whose_links_are_spilled_gives_the_same_inventory(
    customers: tuple[Path, list[dict[str, str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine import inventory

    root, _ = customers
    options = ScanOptions(batch_rows=60)
    held = scan_paths([root], out_dir=tmp_path / "held", options=options)
    monkeypatch.setattr(inventory, "LINKS_IN_MEMORY", 100)
    spilled = scan_paths([root], out_dir=tmp_path / "spilled", options=options)
    assert to_dict(spilled.inventory) | {"created": 0} == to_dict(held.inventory) | {"created": 0}
    assert to_dict(spilled.inventory)["summary"]["estimated_individuals"] == 300
