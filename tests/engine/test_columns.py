"""Column classification (engine/columns.py) and how the scan treats each mode."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from baomi.engine import columns as columns_module
from baomi.engine.checksums import resident_id_check_char
from baomi.engine.columns import _masks, classify_column, classify_columns
from baomi.engine.contracts.codec import to_dict
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths

REGISTRY = Registry.default(plugins=False).without_models()
NO_PROSE = ScanOptions(prose=False)


def resident_id(rng: random.Random, *, valid: bool = True) -> str:
    area = rng.choice(["110101", "310104", "440305", "510107"])
    born = f"{rng.randint(1950, 2005):04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{area}{born}{rng.randint(0, 999):03d}"
    good = resident_id_check_char(body)
    return body + (good if valid else rng.choice([c for c in "0123456789" if c != good]))


def mobile(rng: random.Random) -> str:
    return "139" + f"{rng.randrange(10**8):08d}"


def scan_csv(tmp_path: Path, header: list[str], rows: list[list[str]], **kw: Any) -> Any:
    root = tmp_path / "in"
    root.mkdir(exist_ok=True)
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    (root / "t.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=kw.pop("options", NO_PROSE), **kw)
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    cols = {c["name"]: c for c in to_dict(result.inventory)["files"][0]["columns"]}
    return cols, [json.loads(line) for line in lines]


FILLERS = {
    "status": lambda i: ["已发货", "待付款", "已完成"][i % 3],
    "ok": lambda i: "正常",
    "fruit": lambda i: ["苹果", "香蕉", "橙子", "西瓜"][i % 4],
    "sku": lambda i: f"SKU-{i:05d}",
    "int": lambda i: str(i),
    "date": lambda i: f"2024-01-{1 + i % 28:02d}",
    "english": lambda i: "pending",
    "yesno": lambda i: "是" if i % 2 else "否",
}


def test_ordinary_columns_are_not_decoys_of_names_addresses_or_organisations(
    tmp_path: Path,
) -> None:
    """Names, addresses and organisations have no check that fails at chance: "cannot tell"
    is no evidence of a decoy, and the mobiles in such columns are found."""
    rng = random.Random(4)
    rows = [
        [mobile(rng) if i % 5 == 0 else fill(i) for fill in FILLERS.values()] for i in range(200)
    ]
    cols, findings = scan_csv(tmp_path, list(FILLERS), rows)
    for name in FILLERS:
        assert cols[name]["mode"] != "decoy", (name, cols[name].get("note"))
        assert "shape of" not in (cols[name].get("note") or ""), name
        found = [f for f in findings if f["column"] == name and f["entity"] == "CN_MOBILE"]
        assert len(found) == 40, name


def test_codes_and_integers_are_not_decoys() -> None:
    for values in (
        [f"K{20000 + i}" for i in range(300)],
        [str(i) for i in range(300)],
        [f"2024-03-{1 + i % 28:02d}" for i in range(300)],
    ):
        plan = classify_column("客户ID", pl.Series(values), REGISTRY)
        assert plan.mode == "skip" and plan.note and "shape" not in plan.note


def test_order_numbers_passing_at_chance_rate_are_a_decoy(tmp_path: Path) -> None:
    """18 digits with an area code and a birth date, check character at random: about 1 in 11
    passes GB 11643. No ID header: a decoy; the few that pass are not reported."""
    rng = random.Random(11)
    orders = [(lambda b: b + rng.choice("0123456789X"))(resident_id(rng)[:17]) for _ in range(300)]
    cols, findings = scan_csv(tmp_path, ["订单号"], [[o] for o in orders])
    assert cols["订单号"]["mode"] == "decoy"
    assert not [f for f in findings if f["column"] == "订单号"]


def test_a_decoy_column_is_still_scanned_for_other_entities(tmp_path: Path) -> None:
    rng = random.Random(12)
    cells = [mobile(rng) if i % 5 == 0 else resident_id(rng, valid=False) for i in range(200)]
    cols, findings = scan_csv(tmp_path, ["单号"], [[c] for c in cells])
    assert cols["单号"]["mode"] == "decoy"
    assert cols["单号"]["entities"] == {"CN_MOBILE": 40}
    assert {(f["row"], f["entity"]) for f in findings} == {
        (i, "CN_MOBILE") for i in range(0, 200, 5)
    }
    for f in findings:
        assert cells[f["row"]][f["start"] : f["end"]] == cells[f["row"]]


def test_an_id_column_named_by_its_header_reports_its_ids_valid_or_not(tmp_path: Path) -> None:
    """身份证号 with 10 valid IDs and 30 with a wrong check character: an ID column (the
    header says so), the valid IDs are confirmed findings, the others findings whose check
    failed (a typo still points at the person, and protect masks them: issue 16), and the
    inventory notes the invalid ones."""
    rng = random.Random(13)
    ids = [resident_id(rng, valid=i % 4 == 0) for i in range(40)]
    cols, findings = scan_csv(
        tmp_path,
        ["姓名", "身份证号"],
        [[f"客户{i}", v] for i, v in enumerate(ids)],
        options=ScanOptions(prose=False, explain=True),
    )
    col = cols["身份证号"]
    assert col["mode"] == "entity" and col["entity"] == "CN_RESIDENT_ID"
    assert "fail" in col["note"] and col["entities"] == {"CN_RESIDENT_ID": 40}
    ids_found = [f for f in findings if f["entity"] == "CN_RESIDENT_ID"]
    confirmed = {f["row"] for f in ids_found if f["validation"] == "confirmed"}
    rejected = {f["row"] for f in ids_found if f["validation"] == "rejected"}
    assert confirmed == set(range(0, 40, 4))
    assert rejected == set(range(40)) - confirmed
    assert {f["score"] for f in ids_found if f["row"] in rejected} == {0.5}


def test_ids_stored_as_excel_numbers_do_not_hide_the_valid_ones(tmp_path: Path) -> None:
    """Excel keeps 15 significant digits of an ID typed as a number; the X-ending IDs stay
    text and are valid."""
    openpyxl = pytest.importorskip("openpyxl")
    rng = random.Random(14)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    valid_rows = []
    for i in range(40):
        rid = resident_id(rng)
        while (i % 8 == 0) != rid.endswith("X"):
            rid = resident_id(rng)
        if rid.endswith("X"):
            ws.append([f"客户{i}", rid])
            valid_rows.append(i)
        else:
            ws.append([f"客户{i}", int(rid)])  # read back as a float: 15-17 digits kept
    root = tmp_path / "in"
    root.mkdir()
    wb.save(root / "ids.xlsx")
    result = scan_paths([root], out_dir=tmp_path / "out", options=NO_PROSE)
    (col,) = [
        c for c in to_dict(result.inventory)["files"][0]["columns"] if c["name"] == "身份证号"
    ]
    assert col["mode"] == "entity" and col["entity"] == "CN_RESIDENT_ID"
    lines = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    got = {json.loads(x)["row"] for x in lines if json.loads(x)["entity"] == "CN_RESIDENT_ID"}
    assert set(valid_rows) <= got


def test_identifiers_after_many_placeholders_are_classified_and_found(tmp_path: Path) -> None:
    """The sample is not the head of the column: 600 placeholders then 400 IDs and mobiles."""
    rng = random.Random(15)
    rows = [[f"C{i}", "未登记", "无"] for i in range(600)]
    rows += [[f"C{i}", resident_id(rng), mobile(rng)] for i in range(600, 1000)]
    cols, findings = scan_csv(tmp_path, ["编号", "身份证号", "手机号"], rows)
    assert cols["身份证号"]["mode"] == "entity" and cols["手机号"]["mode"] == "entity"
    got = {(f["column"], f["entity"]) for f in findings}
    assert got == {("身份证号", "CN_RESIDENT_ID"), ("手机号", "CN_MOBILE")}
    assert len(findings) == 800


def test_an_unclassified_column_is_scanned_in_every_partition(tmp_path: Path) -> None:
    """The plan comes from the first partition (all placeholders: skip); identifiers that
    appear in later partitions are still found cell by cell."""
    rng = random.Random(16)
    cells = ["无"] * 300 + [mobile(rng) if i % 10 == 0 else "无" for i in range(300)]
    opts = ScanOptions(prose=False, batch_rows=100)
    cols, findings = scan_csv(tmp_path, ["附注"], [[c] for c in cells], options=opts)
    assert {f["row"] for f in findings} == {300 + i for i in range(0, 300, 10)}
    assert cols["附注"]["matches"] == 30
    # the note does not claim the column holds nothing
    assert cols["附注"]["mode"] == "skip" and "scanned" in cols["附注"]["note"]


def test_a_notes_column_with_addresses_is_text_not_an_address_column() -> None:
    notes = [f"备注：客户{i}电话见上，地址上海市徐汇区漕溪北路{i + 1}号" for i in range(30)]
    plan = classify_column("备注", pl.Series(notes), REGISTRY)
    assert plan.mode == "text"
    # the same without a notes header: cells that only mention an address are not addresses
    plan = classify_column("附加", pl.Series(notes), REGISTRY)
    assert plan.mode != "entity"


def test_an_address_column_is_still_an_address_column() -> None:
    cells = [f"上海市徐汇区漕溪北路{i + 1}号" for i in range(30)]
    plan = classify_column("收货地址", pl.Series(cells), REGISTRY)
    assert plan.mode == "entity" and plan.entity == "ADDRESS"
    plan = classify_column("col3", pl.Series(cells), REGISTRY)
    assert plan.mode == "entity" and plan.entity == "ADDRESS"


def test_columns_classified_together_get_the_plans_each_gets_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scan classifies a partition's columns together (their samples' regex tests in one
    query): each column's tests are its own cells' and its own header's (an address header
    widens the address prefilter to digits), whatever the columns beside it."""
    rng = random.Random(11)
    columns = {
        "证件号码": [resident_id(rng) for _ in range(60)],
        "收货地址": [f"徐汇区漕溪北路{i + 1}号" for i in range(60)],
        "备注": [
            f"备注：客户{i}电话{mobile(rng)}，地址上海市徐汇区漕溪北路{i + 1}号" for i in range(60)
        ],
        "空": [""] * 60,
        "订单号": [resident_id(rng, valid=i % 11 == 0) for i in range(60)],
        "编号": [str(1000 + i) for i in range(60)],
        "门牌": [f"{i + 1}号" for i in range(60)],
        "联系电话": [mobile(rng) for _ in range(40)] + [""] * 20,
    }
    alone = [classify_column(h, pl.Series(h, v), REGISTRY) for h, v in columns.items()]
    assert {p.mode for p in alone} == {"entity", "text", "skip", "decoy"}
    assert [p.entity for p in alone[:2]] == ["CN_RESIDENT_ID", "ADDRESS"]
    series = [(h, pl.Series(h, v)) for h, v in columns.items()]
    for threads in (1, 2):
        assert classify_columns(series, REGISTRY, threads=threads) == alone
        assert classify_columns(series[::-1], REGISTRY, threads=threads) == alone[::-1]
    # a wide table's columns a few at a time: the same plans, in order
    monkeypatch.setattr(columns_module, "CLASSIFY_CHUNK", 3)
    assert classify_columns(series, REGISTRY, threads=2) == alone
    # the tests of one query: a digit passes the address prefilter under an address header only
    address = next(r for r in REGISTRY if r.entity == "ADDRESS")
    cells = pl.Series(["上海徐汇1", "备注"])
    (plain,), (widened,) = _masks([address], [(cells, "编号"), (cells, "地址")])
    assert plain.prefiltered is not None and widened.prefiltered is not None
    assert plain.prefiltered.tolist() == [False, False]
    assert widened.prefiltered.tolist() == [True, False]


def test_each_samples_plain_shapes_are_counted_and_checked_on_their_own() -> None:
    # the shaped cells of every sample are checked in one call, and counted per sample
    rng = random.Random(3)
    ids = next(r for r in REGISTRY if r.entity == "CN_RESIDENT_ID")
    samples = [
        pl.Series([resident_id(rng), resident_id(rng, valid=False), "不详"]),
        pl.Series(["无", "—"]),
        pl.Series([resident_id(rng, valid=False)] * 2 + [resident_id(rng)] * 3),
    ]
    got = [m for (m,) in _masks([ids], [(s, "证件号码") for s in samples])]
    assert [(m.shaped, m.valid) for m in got] == [(2, 1), (0, 0), (5, 3)]
    assert [m.fast.tolist() for m in got if m.fast is not None] == [
        [True, True, False],
        [False, False],
        [True] * 5,
    ]


MEMBER_LEVELS = ("普通", "银卡", "金卡", "铂金", "钻石")


def test_a_column_of_a_few_category_words_is_no_name_column_for_the_prose_model(
    tmp_path: Path,
) -> None:
    # The prose model reads the isolated word 金卡 (a gold card) as a person's name; a column
    # of five membership levels repeated over every row is a category, not prose.
    rng = random.Random(17)
    levels = [rng.choice(MEMBER_LEVELS) for _ in range(400)]
    plan = classify_column("会员等级", pl.Series(levels), Registry.default(plugins=False))
    assert plan.mode == "skip"
    rows = [[lvl, mobile(rng)] for lvl in levels]
    cols, findings = scan_csv(tmp_path, ["会员等级", "手机"], rows, options=ScanOptions())
    assert cols["会员等级"]["matches"] == 0
    assert {f["entity"] for f in findings} == {"CN_MOBILE"}


def test_a_few_names_repeated_under_a_name_header_are_still_names(tmp_path: Path) -> None:
    # Five account managers over 400 orders: not diverse, but the header says they are names.
    rng = random.Random(18)
    managers = ("张伟", "王芳", "李娜", "刘洋", "陈静")
    rows = [[rng.choice(managers), rng.choice(MEMBER_LEVELS)] for _ in range(400)]
    for options in (NO_PROSE, ScanOptions()):
        cols, findings = scan_csv(tmp_path, ["经办人", "会员等级"], rows, options=options)
        assert cols["经办人"]["entity"] == "PERSON_NAME"
        assert cols["经办人"]["matches"] == 400
        assert cols["会员等级"]["matches"] == 0
        assert {f["entity"] for f in findings} == {"PERSON_NAME"}


def _latin_names(rng: random.Random, n: int) -> list[str]:
    """Names in Latin letters built from Faker's lists and pinyin (no real person)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(rng.randrange(10**6))
    pinyin = ["Wang Xiaoming", "Zhang Wei", "Li Na", "CHEN Jing", "Liu Yang"]
    return [fake.name() if i % 3 else pinyin[i % len(pinyin)] for i in range(n)]


@pytest.mark.parametrize("header", ["姓名", "客户名称", "Name"])
def test_a_column_of_names_in_latin_letters_is_a_name_column(header: str) -> None:
    """Foreign customers, or names written in pinyin: the column was no name column (the
    recognizer read Chinese characters only), and protect shipped every name."""
    names = _latin_names(random.Random(7), 60)
    plan = classify_column(header, pl.Series(names), REGISTRY)
    assert (plan.mode, plan.entity) == ("entity", "PERSON_NAME")


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("产品", ["Apple iPhone", "Dell XPS", "Office Suite", "Paper Towels", "USB Cable"]),
        # `name` is in every English header of a thing's name, and these words spell names
        ("Company Name", ["Apple", "Dell", "Ford", "Huawei", "Xiaomi"]),
        ("Product Name", ["Galaxy", "Mate", "Pixel", "Ford"]),
    ],
)
def test_english_things_are_no_name_column(header: str, values: list[str]) -> None:
    plan = classify_column(header, pl.Series(values * 8), REGISTRY)
    assert plan.entity != "PERSON_NAME"


def test_names_in_latin_letters_are_found_in_a_name_column(tmp_path: Path) -> None:
    names = _latin_names(random.Random(8), 30)
    rows = [[n, mobile(random.Random(i))] for i, n in enumerate(names)]
    _, findings = scan_csv(tmp_path, ["姓名", "手机"], rows)
    found = {f["row"] for f in findings if f["entity"] == "PERSON_NAME" and f["column"] == "姓名"}
    assert found == set(range(len(names)))


@pytest.mark.parametrize(
    "cities",
    [
        ["Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Wuhan"],
        ["Paris", "London", "Sydney", "Austin", "Berlin", "Madrid", "Florence"],
    ],
    ids=["pinyin", "english"],
)
def test_a_column_of_cities_in_latin_letters_is_no_name_column(cities: list[str]) -> None:
    """Pinyin spells Shanghai as it spells a name, and Paris and Sydney are names too: one word
    alone is no evidence of a name column."""
    plan = classify_column("城市", pl.Series(cities * 6), REGISTRY)
    assert plan.entity != "PERSON_NAME"


def test_first_and_last_names_of_an_english_export_are_name_columns(tmp_path: Path) -> None:
    """A CRM export in English splits the name over two columns, one word a cell: the header
    names people, so the words are names there (a column of cities, headed otherwise, is not)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(9)
    rows = [[fake.first_name(), fake.last_name(), mobile(random.Random(i))] for i in range(40)]
    cols, findings = scan_csv(tmp_path, ["First Name", "Last Name", "Phone"], rows)
    assert cols["First Name"]["entity"] == cols["Last Name"]["entity"] == "PERSON_NAME"
    named = {(f["row"], f["column"]) for f in findings if f["entity"] == "PERSON_NAME"}
    assert named == {(r, c) for r in range(40) for c in ("First Name", "Last Name")}
