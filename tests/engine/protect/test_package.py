"""The protect pipeline: same formats and encodings, manifest, verify, atomic output."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import polars as pl
import pytest

from baomi.engine import checksums
from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect import package as package_mod
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, VerifyError, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.renderings import conventional
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.errors import InputError

from .conftest import make_card, make_id, make_mobile

POLICY = load_policy_text(DEFAULT_POLICY)
JOIN_POLICY = load_policy_text(
    "entities:\n  CN_RESIDENT_ID: {operator: pseudonym}\n  CN_MOBILE: {operator: mask}\n"
    "  PERSON_NAME: {operator: mask}\n  EMAIL: {operator: mask}\n  BANK_CARD: {operator: mask}\n"
    "  ADDRESS: {operator: mask}\n"
)


def customers(n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            {
                "姓名": rng.choice("王李张刘陈")
                + rng.choice("伟芳娜敏静")
                + rng.choice("强磊军洋"),
                "身份证号": make_id(rng),
                "手机号": make_mobile(rng),
                "银行卡号": make_card(rng),
                "地址": rng.choice(["广东省深圳市南山区科技园路1号", "北京市朝阳区建国路88号"]),
                "性别": rng.choice("男女"),
                "备注": f"客户来电，回拨{make_mobile(rng)}" if i % 2 else "无",
            }
        )
    return rows


def write_csv(
    path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", sep: str = ","
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=sep)
        w.writeheader()
        w.writerows(rows)


def write_record_formats(src: Path, rows: list[dict[str, str]]) -> None:
    """``rows`` as ``c.json`` (nested), ``c.jsonl`` and ``c.parquet`` under ``src``."""
    (src / "c.json").write_text(
        json.dumps(
            [{"buyer": {"phone": r["手机号"], "age": 30}, "id": r["身份证号"]} for r in rows],
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    (src / "c.jsonl").write_text(
        "\n".join(json.dumps({"手机号": r["手机号"], "n": 1}) for r in rows) + "\n",
        encoding="utf-8",
    )
    pl.DataFrame(
        {"手机号": [r["手机号"] for r in rows], "n": list(range(len(rows)))}
    ).write_parquet(src / "c.parquet")


def run(src: Path, out: Path, policy=POLICY, **kw):  # type: ignore[no-untyped-def]
    return protect_paths(
        [src],
        policy,
        out,
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient=kw.pop("recipient", "甲"), **kw),
    )


def test_csv_gb18030_tsv_and_manifest(tmp_path: Path) -> None:
    rows = customers(60)
    write_csv(tmp_path / "in" / "客户.csv", rows, encoding="gb18030")
    write_csv(tmp_path / "in" / "sub" / "t.tsv", rows, sep="\t")
    before = (tmp_path / "in" / "客户.csv").read_bytes()
    result = run(tmp_path / "in", tmp_path / "out", verify=True)
    assert (tmp_path / "in" / "客户.csv").read_bytes() == before  # input untouched
    text = (tmp_path / "out" / "客户.csv").read_bytes().decode("gb18030")
    assert "\t" in (tmp_path / "out" / "sub" / "t.tsv").read_text(encoding="utf-8")
    out = pl.read_csv(
        (tmp_path / "out" / "客户.csv").read_bytes().decode("gb18030").encode(), infer_schema=False
    )
    for original, masked in zip(rows, out.iter_rows(named=True), strict=True):
        assert (
            conventional(strip_marks(masked["手机号"]))
            == original["手机号"][:3] + "****" + original["手机号"][-4:]
        )
        assert strip_marks(masked["姓名"])[1] == "*"
        assert masked["性别"] == original["性别"]
        assert original["身份证号"] not in text
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == to_dict(result.manifest)
    entry = next(f for f in manifest["files"] if f["path"] == "客户.csv")
    assert entry["encoding"].lower().replace("_", "") in ("gb18030", "gbk")
    assert len(entry["source_sha256"]) == 64 and len(entry["output_sha256"]) == 64
    assert manifest["policy"]["sha256"] == POLICY.sha256
    assert manifest["recipient"] == "甲" and manifest["verify"]["leftover"] == 0
    assert {"sub/t.tsv", "客户.csv"} == {f["path"] for f in manifest["files"]}
    raw = json.dumps(manifest, ensure_ascii=False)
    assert not any(r["手机号"] in raw or r["身份证号"] in raw for r in rows)  # no PI


def test_pseudonyms_join_across_files_and_runs(tmp_path: Path) -> None:
    rows = customers(30)
    write_csv(tmp_path / "a" / "customers.csv", rows)
    orders = [{"身份证号": r["身份证号"], "金额": str(i * 10)} for i, r in enumerate(rows)]
    write_csv(tmp_path / "a" / "orders.csv", orders)
    run(tmp_path / "a", tmp_path / "o1", policy=JOIN_POLICY)
    run(tmp_path / "a", tmp_path / "o2", policy=JOIN_POLICY)
    c1 = pl.read_csv(tmp_path / "o1" / "customers.csv", infer_schema=False)["身份证号"].to_list()
    o1 = pl.read_csv(tmp_path / "o1" / "orders.csv", infer_schema=False)["身份证号"].to_list()
    c2 = pl.read_csv(tmp_path / "o2" / "customers.csv", infer_schema=False)["身份证号"].to_list()
    assert c1 == o1 == c2  # same key → same pseudonym in every file and run
    assert all(checksums.is_valid_resident_id(v) for v in c1)
    assert not set(c1) & {r["身份证号"] for r in rows}


def test_verify_catches_a_leftover_identifier(tmp_path: Path) -> None:
    write_csv(tmp_path / "in" / "c.csv", customers(20))
    leaky = load_policy_text(
        "entities:\n  CN_MOBILE: {operator: mask, keep_first: 11}\n  CN_RESIDENT_ID: {operator: mask}\n"
    )
    with pytest.raises(VerifyError) as err:
        run(tmp_path / "in", tmp_path / "out", policy=leaky, verify=True)
    assert "c.csv:手机号" in str(err.value)
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out.partial") for p in tmp_path.iterdir())


def test_interrupted_protect_leaves_no_half_package(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_csv(tmp_path / "in" / "a.csv", customers(10))
    write_csv(tmp_path / "in" / "b.csv", customers(10))
    real = package_mod.load
    calls = {"n": 0}

    def flaky(path: Path):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(path)

    monkeypatch.setattr(package_mod, "load", flaky)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "in", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_xlsx_formatting_json_jsonl_parquet_txt_docx(tmp_path: Path) -> None:
    import docx
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font

    rows = customers(12)
    src = tmp_path / "in"
    src.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    ws["B2"].font = Font(bold=True, color="FF0000")
    ws.column_dimensions["B"].width = 30
    wb.save(src / "c.xlsx")
    write_record_formats(src, rows)
    (src / "notes.txt").write_text(
        f"第一行 联系 {rows[0]['手机号']}\r\n身份证 {rows[1]['身份证号']} 已核验\r\n",
        encoding="utf-8",
    )
    d = docx.Document()
    p = d.add_paragraph("客户手机：")
    run_ = p.add_run(rows[2]["手机号"])
    run_.bold = True
    p.add_run("，请回电。")
    d.save(str(src / "memo.docx"))

    run(src, tmp_path / "out", verify=True)
    out = tmp_path / "out"
    wb2 = load_workbook(out / "c.xlsx")
    ws2 = wb2["客户"]
    assert ws2["B2"].font.bold and ws2.column_dimensions["B"].width == 30
    assert (
        conventional(strip_marks(ws2["B2"].value))
        == rows[0]["身份证号"][:6] + "*" * 8 + rows[0]["身份证号"][-4:]
    )
    data = json.loads((out / "c.json").read_text(encoding="utf-8"))
    assert data[0]["buyer"]["age"] == 30  # untouched values keep their JSON type
    assert strip_marks(data[0]["buyer"]["phone"]).count("*") == 4
    lines = (out / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["n"] == 1 and "****" in lines[0]
    pq = pl.read_parquet(out / "c.parquet")
    assert pq.schema["n"] == pl.Int64 and "****" in pq["手机号"][0]
    txt = (out / "notes.txt").read_bytes().decode()
    assert "\r\n" in txt and rows[0]["手机号"] not in txt and "已核验" in txt
    d2 = docx.Document(str(out / "memo.docx"))
    runs = d2.paragraphs[0].runs
    assert runs[1].bold and rows[2]["手机号"] not in d2.paragraphs[0].text
    assert "****" in runs[1].text and runs[2].text == "，请回电。"


def test_kanon_in_protect_reaches_k_and_reports(tmp_path: Path) -> None:
    rng = random.Random(5)
    rows = [
        {
            "年龄": str(rng.randint(20, 70)),
            "性别": rng.choice("男女"),
            "城市": rng.choice(["深圳", "广州", "北京", "上海", "成都"]),
            "诊断": rng.choice("ABCD"),
        }
        for _ in range(300)
    ]
    write_csv(tmp_path / "in" / "p.csv", rows)
    pol = load_policy_text(
        "quasi_identifiers:\n  columns: [年龄, 性别, 城市]\n  sensitive: [诊断]\n  k: 5\n  l: 2\n"
        "  suppression_limit: 0.1\n"
    )
    result = run(tmp_path / "in", tmp_path / "out", policy=pol)
    k = to_dict(result.manifest)["k_anonymity"][0]
    out = pl.read_csv(tmp_path / "out" / "p.csv", infer_schema=False)
    kept = out.filter(
        ~((pl.col("年龄") == "*") & (pl.col("性别") == "*") & (pl.col("城市") == "*"))
    )
    sizes = kept.group_by(["年龄", "性别", "城市"]).len()["len"]
    assert sizes.min() >= 5 == k["criteria"]["k"]
    assert k["suppressed_records"] == out.height - kept.height <= 30
    assert 0 <= k["information_loss"] <= 1 and "LM" in k["metric"]


def test_verify_catches_a_leftover_in_prose(tmp_path: Path) -> None:
    rng = random.Random(3)
    mobile = make_mobile(rng)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text(f"请回电 {mobile} 谢谢\n", encoding="utf-8")
    leaky = load_policy_text("entities:\n  CN_MOBILE: {operator: mask, keep_first: 11}\n")
    with pytest.raises(VerifyError) as err:
        run(tmp_path / "in", tmp_path / "out", policy=leaky, verify=True)
    assert "notes.txt" in str(err.value) and mobile not in str(err.value)


def test_column_rules_suppress_drop_and_generalize(tmp_path: Path) -> None:
    rows = customers(30)
    for i, r in enumerate(rows):
        r["出生日期"] = f"19{60 + i % 30}-05-0{1 + i % 9}"
        r["黑名单"] = "是" if i % 5 == 0 else ""
    write_csv(tmp_path / "in" / "c.csv", rows)
    pol = load_policy_text(
        "columns:\n  黑名单: {operator: suppress, drop_record: true}\n"
        "  出生日期: {operator: generalize, to: year}\n  性别: {operator: redact}\n"
        "fingerprint: {marks: false}\n"
    )
    result = run(tmp_path / "in", tmp_path / "out", policy=pol)
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert out.height == 24 == to_dict(result.manifest)["files"][0]["tables"][0]["rows_out"]
    assert out["黑名单"].drop_nulls().len() == 0
    assert out["出生日期"][0] == "1961" and (out["性别"].fill_null("") == "").all()


def test_identifiers_beyond_the_classification_sample_are_protected(tmp_path: Path) -> None:
    rng = random.Random(11)
    rows = customers(300)
    late = {}
    for i, r in enumerate(rows):
        r["附言"] = f"备注第{i}条" if i < 250 else f"电话{make_mobile(rng)}"
        if i >= 250:
            late[i] = r["附言"]
    write_csv(tmp_path / "in" / "c.csv", rows)
    run(tmp_path / "in", tmp_path / "out", verify=True)
    text = (tmp_path / "out" / "c.csv").read_text(encoding="utf-8")
    assert not any(v[2:] in text for v in late.values())


def test_verify_rescans_with_the_scan(tmp_path: Path) -> None:
    # a "replacement" that is itself a well-formed mobile: not an original value, but the scan
    # still sees a mobile number where the policy removes mobiles
    write_csv(tmp_path / "in" / "c.csv", customers(20))
    odd = load_policy_text(
        "entities:\n  CN_MOBILE: {operator: replace, text: '13900001111'}\n"
        "  CN_RESIDENT_ID: {operator: mask}\n"
    )
    with pytest.raises(VerifyError) as err:
        run(tmp_path / "in", tmp_path / "out", policy=odd, verify=True)
    assert "手机号" in str(err.value) and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "policy_text",
    [DEFAULT_POLICY, "entities:\n  PERSON_NAME: {operator: replace}\n"],
    ids=["default-policy", "names-replaced"],
)
def test_verify_scan_view_runs_without_the_prose_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy_text: str
) -> None:
    """The scan view of --verify re-scans the whole package; with the prose model that is the
    slowest part of a verified protect, and all it could add is the model's misreadings of the
    transformed text (a hashed name read as a name): names, addresses and organisations in
    text are the values view's question (is an original still there?)."""
    from baomi.engine import scan

    rows = customers(20)
    for row in rows:
        row["备注"] = f"已与{row['姓名']}确认"
    write_csv(tmp_path / "in" / "c.csv", rows)
    seen: list[bool] = []
    original = scan.scan_paths

    def spy(paths, **kw):  # type: ignore[no-untyped-def]
        seen.append(kw["options"].prose)
        return original(paths, **kw)

    monkeypatch.setattr(scan, "scan_paths", spy)
    run(tmp_path / "in", tmp_path / "out", policy=load_policy_text(policy_text), verify=True)
    assert seen == [False]


def test_verify_passes_hashed_names_in_notes(tmp_path: Path) -> None:
    """客户3a28689b…来电: the prose model may read a hash after 客户 as a name; no original name
    is left, so the package is not a leftover."""
    rows = customers(40, seed=7)
    for row in rows:
        row["备注"] = f"客户{row['姓名']}来电，请回访"
    write_csv(tmp_path / "in" / "c.csv", rows)
    hashed = load_policy_text("entities:\n  PERSON_NAME: {operator: hash}\n")
    run(tmp_path / "in", tmp_path / "out", policy=hashed, verify=True)
    out = (tmp_path / "out" / "c.csv").read_text(encoding="utf-8")
    assert not any(r["姓名"] in out for r in rows)


def test_verify_reads_columns_the_policy_keeps(tmp_path: Path) -> None:
    """A column kept as it is (columns: {备注: keep}) still must not show a mobile that the
    policy removes elsewhere: the package would hold it in the clear."""
    rows = customers(20, seed=5)
    for row in rows:
        row["备注"] = f"联系电话{row['手机号']}请回电"
    write_csv(tmp_path / "in" / "c.csv", rows)
    kept = load_policy_text(
        "entities:\n  CN_MOBILE: {operator: mask}\n  PERSON_NAME: {operator: mask}\n"
        "columns:\n  备注: {operator: keep}\n"
    )
    with pytest.raises(VerifyError) as err:
        run(tmp_path / "in", tmp_path / "out", policy=kept, verify=True)
    assert "备注" in str(err.value) and not (tmp_path / "out").exists()


def test_a_notes_column_is_tagged_in_one_batch_and_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine.prose import backends

    rows = customers(60, seed=4)
    for i, row in enumerate(rows):
        row["备注"] = f"已与{row['姓名']}确认，第{i}单由深圳市南山区仓库发货"
    write_csv(tmp_path / "in" / "c.csv", rows)
    batches: list[int] = []
    original = backends.CachedBackend.prefetch

    def spy(self: backends.CachedBackend, texts: list[str]) -> list[str]:
        batches.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(backends.CachedBackend, "prefetch", spy)
    run(tmp_path / "in", tmp_path / "out")
    assert 60 in batches  # every distinct note of the column in one batch
    assert backends.get_backend("crf")._preloaded == {}  # released after the column
    out = (tmp_path / "out" / "c.csv").read_text(encoding="utf-8")
    assert all(r["姓名"] not in out for r in rows)


def _mixed_notes(n: int, seed: int) -> list[str]:
    """Notes with identifiers in messy forms, names, addresses and companies in prose."""
    from baomi.demo import identifiers as ids
    from baomi.engine.prose.generator import SentenceGenerator

    rng = random.Random(seed)
    prose = [s.text for s in SentenceGenerator(seed).sentences(n) if "\n" not in s.text]
    out = []
    for i, sentence in enumerate(prose):
        mobile = ids.format_mobile(rng, make_mobile(rng))
        pieces = [
            sentence,
            f"电话{mobile}",
            f"身份证号{ids.format_resident_id(rng, make_id(rng))}",
            f"卡号{ids.format_bank_card(rng, make_card(rng))}",
            f"邮箱user{i}@example.com",
            ids.to_fullwidth(make_mobile(rng)),
        ]
        rng.shuffle(pieces)
        out.append("，".join(pieces[: rng.randint(1, len(pieces))]))
    return out


@pytest.mark.parametrize("policy", [POLICY, JOIN_POLICY])
def test_a_notes_column_is_protected_as_the_same_text_in_a_document(
    tmp_path: Path, policy: object
) -> None:
    """The column path (all distinct notes analysed together, each entity's findings
    protected together) gives, note for note, what the text path gives line by line."""
    notes = _mixed_notes(240, seed=4)
    write_csv(
        tmp_path / "in" / "notes.csv", [{"编号": str(i), "备注": t} for i, t in enumerate(notes)]
    )
    (tmp_path / "in" / "notes.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    result = run(tmp_path / "in", tmp_path / "out", policy=policy)
    table = to_dict(result.manifest)["files"][0]["tables"][0]
    assert {c["name"]: c["mode"] for c in table["columns"]}["备注"] == "text"
    column = pl.read_csv(tmp_path / "out" / "notes.csv", infer_schema=False)["备注"].to_list()
    lines = (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8").splitlines()
    # the same renderings; the text file also has zero-width marks (``invisible: text``)
    assert not any(fp.MARKS & set(c) for c in column)
    assert column == [fp.strip_marks(line) for line in lines]
    changed = sum(a != b for a, b in zip(notes, column, strict=True))
    assert changed > 200  # the notes did hold identifiers, and they were protected


def test_verify_passes_a_value_the_policy_leaves_as_it_is(tmp_path: Path) -> None:
    """An address that is only a division ("北京市朝阳区") keeps all of it under the mask
    convention (cut after the district): it is not a removed value, so verify must not count
    it as a leftover."""
    rows = customers(30, seed=6)
    rows[3]["地址"] = "北京市朝阳区"
    write_csv(tmp_path / "in" / "c.csv", rows)
    result = run(tmp_path / "in", tmp_path / "out", verify=True)
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert strip_marks(out["地址"][3]) == "北京市朝阳区"
    assert conventional(strip_marks(out["地址"][0])).endswith("****")


def test_verify_passes_a_place_name_kept_elsewhere(tmp_path: Path) -> None:
    """A bare place name removed as an address (深圳, redacted) is still written where the
    policy keeps it (a city column), and the prose model reads 中国 or 美国 as an address in
    one note and not in the next: a place name alone identifies no one, so verify does not
    count its other mentions as leftovers (a --verify of a CRM export with Faker notes failed
    on them)."""
    rows = [
        {"地址": a, "城市": "深圳"}
        for a in ["广东省深圳市南山区科技园路1号", "北京市朝阳区建国路88号"] * 10
    ]
    rows[3]["地址"] = "深圳"
    write_csv(tmp_path / "in" / "c.csv", rows)
    policy = load_policy_text(
        "entities:\n  ADDRESS: {operator: redact}\ncolumns:\n  城市: {operator: keep}\n"
    )
    result = run(tmp_path / "in", tmp_path / "out", policy=policy, verify=True)
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert out["城市"].map_elements(strip_marks, return_dtype=pl.String).to_list() == ["深圳"] * 20
    assert "科技园" not in "".join(out["地址"].fill_null("").to_list())


def test_verify_passes_a_pseudonym_that_is_another_customers_name(tmp_path: Path) -> None:
    """Name pseudonyms come from a small space of plausible names: one may be another customer's
    real name. That customer's own row shows their pseudonym, so nothing of them is left."""
    from baomi.engine.protect.operators.base import OperatorContext
    from baomi.engine.protect.registry import OperatorRegistry

    policy = load_policy_text("entities:\n  PERSON_NAME: {operator: pseudonym}\n")
    rule = policy.rule_for_entity("PERSON_NAME")
    assert rule is not None
    ctx = OperatorContext(keys=KeyProvider(b"package-test-key-0123456789abcd"), recipient="甲")
    op = OperatorRegistry.default().get("pseudonym")
    rows = customers(10, seed=9)
    # a customer whose real name is the pseudonym of the first customer's name
    twin = dict(rows[1], 姓名=op.apply(rows[0]["姓名"], "PERSON_NAME", rule.params, ctx))
    assert twin["姓名"] != rows[0]["姓名"]
    write_csv(tmp_path / "in" / "c.csv", [*rows, twin])
    run(tmp_path / "in", tmp_path / "out", policy=policy, verify=True)
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert rows[0]["姓名"] not in set(out["姓名"].map_elements(strip_marks, return_dtype=pl.String))


def _twin_of_pseudonym(rows: list[dict[str, str]], policy_text: str) -> dict[str, str]:
    """A customer whose real name is what ``policy_text`` writes for ``rows[0]``'s name."""
    from baomi.engine.protect.operators.base import OperatorContext
    from baomi.engine.protect.registry import OperatorRegistry

    rule = load_policy_text(policy_text).rule_for_entity("PERSON_NAME")
    assert rule is not None
    ctx = OperatorContext(keys=KeyProvider(b"package-test-key-0123456789abcd"), recipient="甲")
    twin_name = (
        OperatorRegistry.default()
        .get(rule.operator)
        .apply(rows[0]["姓名"], "PERSON_NAME", rule.params, ctx)
    )
    assert twin_name != rows[0]["姓名"]
    return dict(rows[1], 姓名=twin_name, 备注="无")


def test_verify_passes_a_pseudonym_written_into_a_note_that_is_another_customers_name(
    tmp_path: Path,
) -> None:
    """A name pseudonym written into a note (户名…) may be another customer's real name: it is
    protect's own output there, not a leftover (`--verify` failed on 760 notes of 20,000 with
    `PERSON_NAME: {operator: pseudonym}`). The same name left in the clear still fails."""
    policy_text = "entities:\n  PERSON_NAME: {operator: pseudonym}\n  CN_MOBILE: {operator: mask}\n"
    rows = customers(10, seed=9)
    rows[0]["备注"] = f"退款请打到卡上，户名{rows[0]['姓名']}。"
    twin = _twin_of_pseudonym(rows, policy_text)
    write_csv(tmp_path / "in" / "c.csv", [*rows, twin])
    run(tmp_path / "in", tmp_path / "out", policy=load_policy_text(policy_text), verify=True)
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    note = strip_marks(out["备注"][0])
    assert rows[0]["姓名"] not in note
    assert twin["姓名"] in note  # written there by the pseudonym operator

    # a document: the same pseudonym in a contract line is protect's output too
    doc = tmp_path / "in2"
    write_csv(doc / "c.csv", [*rows[1:], twin])
    (doc / "合同.txt").write_text(f"乙方联系人：{rows[0]['姓名']}，电话另告。\n", encoding="utf-8")
    run(doc, tmp_path / "out2", policy=load_policy_text(policy_text), verify=True)
    line = strip_marks((tmp_path / "out2" / "合同.txt").read_text(encoding="utf-8"))
    assert twin["姓名"] in line and rows[0]["姓名"] not in line


def test_a_column_rule_without_entity_uses_the_classified_entity(tmp_path: Path) -> None:
    """`身份证号: {operator: pseudonym}` (no `entity:`) must keep the entity's format promise
    (valid GB 11643 IDs, Luhn cards) and `mask` its display convention; `entity:` still
    overrides what the classification finds."""
    rows = customers(30, seed=8)
    for r in rows:
        r["邮箱"] = f"user{r['手机号'][-4:]}@example.com"
    rows[0]["姓名"] = "李娜"
    write_csv(tmp_path / "in" / "c.csv", rows)
    pol = load_policy_text(
        "columns:\n  身份证号: {operator: pseudonym}\n  银行卡号: {operator: fpe}\n"
        "  手机号: {operator: mask}\n  邮箱: {operator: mask}\n  姓名: {operator: mask}\n"
        "  地址: {operator: mask, entity: PERSON_NAME}\n  备注: {operator: redact}\n"
        "fingerprint: {marks: false}\n"
    )
    result = run(tmp_path / "in", tmp_path / "out", policy=pol)
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert all(checksums.is_valid_resident_id(v) for v in out["身份证号"])
    assert all(checksums.is_luhn_valid(v) for v in out["银行卡号"])
    for r, o in zip(rows, out.iter_rows(named=True), strict=True):
        assert o["手机号"] == r["手机号"][:3] + "****" + r["手机号"][-4:]
        assert o["邮箱"] == "u***@example.com"
        name = r["姓名"]
        assert o["姓名"] == (name[0] + "*" if len(name) == 2 else name[0] + "*" + name[-1])
        assert o["地址"] == r["地址"][0] + "*" * (len(r["地址"]) - 2) + r["地址"][-1]
    columns = {c["name"]: c for c in to_dict(result.manifest)["files"][0]["tables"][0]["columns"]}
    assert columns["身份证号"]["entity"] == "CN_RESIDENT_ID"
    assert columns["手机号"]["entity"] == "CN_MOBILE" and columns["手机号"]["mode"] == "rule"
    assert columns["地址"]["entity"] == "PERSON_NAME"  # the explicit override wins


def test_xlsx_numbers_stay_numbers_after_pseudonym(tmp_path: Path) -> None:
    """Mobiles stored as Excel numbers come back as numbers (a new value, same cell type);
    a masked value cannot be a number and becomes text."""
    from openpyxl import Workbook, load_workbook

    rng = random.Random(9)
    mobiles = [int(make_mobile(rng)) for _ in range(30)]
    src = tmp_path / "in"
    src.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["手机", "备用手机"])
    for m in mobiles:
        ws.append([m, float(m)])
    wb.save(src / "n.xlsx")
    pol = load_policy_text(
        "columns:\n  手机: {operator: pseudonym}\n  备用手机: {operator: mask}\n"
        "fingerprint: {marks: false}\n"
    )
    run(src, tmp_path / "out", policy=pol)
    ws2 = load_workbook(tmp_path / "out" / "n.xlsx").active
    new = [c.value for c in ws2["A"][1:]]
    assert all(type(v) is int for v in new)
    assert not set(new) & set(mobiles) and all(
        str(v)[:3] == str(m)[:3] for v, m in zip(new, mobiles, strict=True)
    )
    assert all(isinstance(c.value, str) and "****" in c.value for c in ws2["B"][1:])


class _MaskSensitiveFake:
    """A prose model that reads 东西 as a name at the start of a note, and anywhere once the
    note holds a mask: what the real model does with Faker's word salad (谢谢中* read as 谢中)."""

    name = "fake-mask"

    def tag(self, text: str) -> list:  # type: ignore[type-arg]
        from baomi.engine.prose.backends import EntitySpan

        out = []
        for word in ("东西", "王芳"):
            i = text.find(word)
            if i >= 0 and (i == 0 or "*" in text):
                out.append(EntitySpan(i, i + len(word), "PER", 0.7))
        return out


def _verified_with(tmp_path: Path, model: object, policy=POLICY):  # type: ignore[no-untyped-def]
    """``run(..., verify=True)`` of ``tmp_path / "in"`` with ``model`` as the prose model (names)."""
    from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
    from baomi.engine.recognizers.registry import Registry

    names = ProsePersonNameRecognizer(model)  # type: ignore[arg-type]
    return protect_paths(
        [tmp_path / "in"],
        policy,
        tmp_path / "out",
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient="甲", verify=True),
        registry=Registry([*Registry.default().without_models(), names]),
    )


class _ReadsOnceMasked:
    """A prose model that reads ``word`` as a name only in a text holding a mask."""

    name = "fake-once-masked"

    def __init__(self, word: str) -> None:
        self.word = word

    def tag(self, text: str) -> list:  # type: ignore[type-arg]
        from baomi.engine.prose.backends import EntitySpan

        i = text.find(self.word)
        return [EntitySpan(i, i + len(self.word), "PER", 0.9)] if i >= 0 and "*" in text else []


def test_verify_still_fails_on_a_name_left_in_a_note_it_was_not_written_into(
    tmp_path: Path,
) -> None:
    """The exemption of a written pseudonym is for the text it was written into: the same name
    left in the clear in another note is a leftover (another customer's real name there)."""
    policy_text = "entities:\n  PERSON_NAME: {operator: pseudonym}\n  CN_MOBILE: {operator: mask}\n"
    rng = random.Random(4)
    rows = customers(10, seed=9)
    rows[0]["备注"] = f"户名{rows[0]['姓名']}"  # its own name: written over with its pseudonym
    twin = _twin_of_pseudonym(rows, policy_text)
    rows[2]["备注"] = f"{twin['姓名']}，回电{make_mobile(rng)}"  # read only once masked
    write_csv(tmp_path / "in" / "c.csv", [*rows, twin])
    with pytest.raises(VerifyError, match="备注"):
        _verified_with(tmp_path, _ReadsOnceMasked(twin["姓名"]), load_policy_text(policy_text))
    # without that note, the name written into the first note passes
    rows[2]["备注"] = "无"
    write_csv(tmp_path / "in" / "c.csv", [*rows, twin])
    result = _verified_with(tmp_path, _ReadsOnceMasked(twin["姓名"]), load_policy_text(policy_text))
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert strip_marks(out["备注"][0]) == f"户名{twin['姓名']}"


class _ReadsAtStart:
    """A prose model that reads ``word`` as a name at the start of a text only."""

    name = "fake-at-start"

    def __init__(self, word: str) -> None:
        self.word = word

    def tag(self, text: str) -> list:  # type: ignore[type-arg]
        from baomi.engine.prose.backends import EntitySpan

        n = len(self.word)
        return [EntitySpan(0, n, "PER", 0.9)] if text.startswith(self.word) else []


def test_verify_passes_a_written_pseudonym_equal_to_a_model_only_value(tmp_path: Path) -> None:
    """A pseudonym written after a trigger word (户名…) that equals a word the model alone
    removed elsewhere is protect's output in that note, not a leftover (1 of the bench
    customers CSV's 200,000 notes failed `--verify` with names pseudonymised)."""
    policy_text = "entities:\n  PERSON_NAME: {operator: pseudonym}\n  CN_MOBILE: {operator: mask}\n"
    rows = customers(10, seed=9)
    rows[0]["备注"] = f"户名{rows[0]['姓名']}"
    word = _twin_of_pseudonym(rows, policy_text)["姓名"]
    rows[3]["备注"] = f"{word}来电问进度"  # the model alone reads it (no trigger word)
    write_csv(tmp_path / "in" / "c.csv", rows)
    result = _verified_with(tmp_path, _ReadsAtStart(word), load_policy_text(policy_text))
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert strip_marks(out["备注"][0]) == f"户名{word}"
    assert word not in strip_marks(out["备注"][3])


def test_verify_passes_a_part_of_a_written_pseudonym_read_as_another_name(
    tmp_path: Path,
) -> None:
    """The model may read part of a pseudonym written into a note (张明 in 张明枝) as a name,
    and that part may be another customer's real name: still protect's own output there."""
    policy_text = "entities:\n  PERSON_NAME: {operator: pseudonym}\n  CN_MOBILE: {operator: mask}\n"
    rows = customers(40, seed=9)
    # a customer whose pseudonym has three characters
    k = next(
        i for i in range(len(rows)) if len(_twin_of_pseudonym(rows[i:], policy_text)["姓名"]) == 3
    )
    rows[0], rows[k] = rows[k], rows[0]
    word = _twin_of_pseudonym(rows, policy_text)["姓名"]
    rows[0]["备注"] = f"{rows[0]['姓名']}的手机号改了"  # its own name: written over
    twin = dict(rows[1], 姓名=word[:2], 备注="无")  # a real name, the pseudonym's first two
    write_csv(tmp_path / "in" / "c.csv", [*rows[:10], twin])
    result = _verified_with(tmp_path, _ReadsAtStart(word[:2]), load_policy_text(policy_text))
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert strip_marks(out["备注"][0]).startswith(word)


def test_verify_reports_a_model_only_reading_of_masked_text_apart(tmp_path: Path) -> None:
    """The prose model alone read 东西 as a name in one note (masked there) and, once a phone
    beside it was masked, in another note where protect had not: a word the model alone reads
    differently in masked text is an unconfirmed value, counted in the manifest, not a
    leftover that fails the run (a --verify of the unique-notes CSV failed on 中文, 东西, 谢中)."""
    rng = random.Random(21)
    rows = [{"备注": "东西不错"}, {"备注": f"买了东西，回电{make_mobile(rng)}"}, {"备注": "无"}]
    write_csv(tmp_path / "in" / "c.csv", rows)
    result = _verified_with(tmp_path, _MaskSensitiveFake())
    assert result.leaks == []
    verify = to_dict(result.manifest)["verify"]
    assert verify == {"ran": True, "leftover": 0, "unconfirmed": 1}
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    assert "东西" in strip_marks(out["备注"][1])  # left as protect read it


def test_verify_still_fails_on_a_confirmed_name_left_in_masked_text(tmp_path: Path) -> None:
    """The same reading fails the run when the name was removed with support elsewhere (after a
    trigger word): a name the rules confirm must not be in the clear anywhere."""
    rng = random.Random(22)
    rows = [{"备注": "联系人：王芳"}, {"备注": f"已约王芳，回电{make_mobile(rng)}"}]
    write_csv(tmp_path / "in" / "c.csv", rows)
    with pytest.raises(VerifyError) as err:
        _verified_with(tmp_path, _MaskSensitiveFake())
    assert "c.csv:备注 (1)" in str(err.value) and "王芳" not in str(err.value)


class _ReadsItsOwnMasks:
    """A prose model that reads 东西 as a name, and 谢东 once a mask follows it: 谢谢东西 masked
    as 谢谢东* reads as the name 谢东, made of the word before and the mask's first character."""

    name = "fake-own-masks"

    def tag(self, text: str) -> list:  # type: ignore[type-arg]
        from baomi.engine.prose.backends import EntitySpan

        word = "谢东" if "*" in text else "东西"
        i = text.find(word)
        return [EntitySpan(i, i + 2, "PER", 0.7)] if i >= 0 else []


def test_verify_reports_a_model_reading_of_a_mask_and_its_neighbour_apart(tmp_path: Path) -> None:
    """谢东 is a customer's name (its column is masked), and the model alone reads 谢东 in
    谢谢东*, which protect wrote for 谢谢东西: a reading that takes in a mask character reads
    protect's own output, not the customer's name. Unconfirmed, not a leftover; the same name
    met in text the masks did not touch still fails the run (the test above)."""
    rows = [{"姓名": "谢东", "备注": "无"}, {"姓名": "韩梅", "备注": "谢谢东西"}]
    write_csv(tmp_path / "in" / "c.csv", rows)
    result = _verified_with(tmp_path, _ReadsItsOwnMasks())
    assert to_dict(result.manifest)["verify"] == {"ran": True, "leftover": 0, "unconfirmed": 1}
    assert result.unconfirmed == [{"file": "c.csv", "sheet": None, "column": "备注", "count": 1}]


def test_a_name_removed_from_its_column_is_removed_from_the_records_notes(
    tmp_path: Path,
) -> None:
    """The prose model misses a customer's name in a note (客户苏丹要求…: 苏丹 is a country
    too, so no name without a trigger; 商玉的手机号… at a rare start): the name protect removed
    from the record's name column is removed from the record's text cells as well, as that
    column writes it; another record's note keeps a word that is only someone else's name."""
    from baomi.engine.recognizers.registry import Registry

    rows = [
        {"姓名": "苏丹", "手机号": "", "备注": "客户苏丹要求发票寄到公司"},
        {"姓名": "商玉", "手机号": "", "备注": "商玉的手机号改了，旧号停用；商玉已确认"},
        {"姓名": "王五", "手机号": "", "备注": "客户说苏丹的咖啡不错"},
        {"姓名": "", "手机号": "", "备注": "无"},
    ] * 5
    write_csv(tmp_path / "in" / "c.csv", rows)
    result = protect_paths(
        [tmp_path / "in"],
        POLICY,
        tmp_path / "out",
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient="甲", verify=True),
        registry=Registry.default().without_models(),
    )
    assert result.leaks == []
    out = pl.read_csv(tmp_path / "out" / "c.csv", infer_schema=False)
    notes = [strip_marks(n) for n in out["备注"].to_list()]
    names = [strip_marks(n or "") for n in out["姓名"].to_list()]
    assert notes[0] == f"客户{names[0]}要求发票寄到公司" and "苏丹" not in notes[0]
    assert notes[1] == f"{names[1]}的手机号改了，旧号停用；{names[1]}已确认"
    assert notes[2] == "客户说苏丹的咖啡不错"  # 苏丹 is not this record's name
    assert notes[3] == "无"


def test_identifiers_in_headers_and_sheet_names_are_protected(tmp_path: Path) -> None:
    """A mobile typed into a CSV header and a customer's name and mobile as a sheet's name were
    written to the package, and to its manifest, as they were (a QA pass): a table's labels
    are protected as its file name is, and the manifest names them as written."""
    import openpyxl

    rng = random.Random(31)
    mobile, other = make_mobile(rng), make_mobile(rng)
    src = tmp_path / "in"
    rows = customers(6, seed=5)
    write_csv(
        src / "c.csv",
        [{**{k: v for k, v in r.items() if k != "手机号"}, f"备用{mobile}": "有"} for r in rows],
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"王伟强{other}"
    ws.append(["姓名", "手机"])
    for r in rows:
        ws.append([r["姓名"], r["手机号"]])
    wb.save(src / "w.xlsx")
    result = run(src, tmp_path / "out", verify=True)
    assert result.leaks == []
    head = (tmp_path / "out" / "c.csv").read_text(encoding="utf-8").splitlines()[0]
    assert mobile not in head and mobile[-4:] in head  # masked as the column's values are
    out = openpyxl.load_workbook(tmp_path / "out" / "w.xlsx")
    assert all(other not in t and "王伟强" not in t for t in out.sheetnames)
    manifest = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert mobile not in manifest and other not in manifest and "王伟强" not in manifest


def zipped_text(path: Path) -> str:
    """Every part of a zipped file (XLSX, DOCX) as text, to look for a value anywhere in it."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_comments_headers_footers_and_properties_are_protected(tmp_path: Path) -> None:
    """An XLSX cell comment, a page header and the workbook's author, a DOCX comment and the
    document's author held a mobile and a resident ID, and reached the package as they were
    (a QA pass): the text in them is protected as a document's is; who wrote the file (and
    each comment) is a person, and is left out."""

    import docx
    import openpyxl
    from openpyxl.comments import Comment

    rng = random.Random(41)
    mobiles = [make_mobile(rng) for _ in range(5)]
    rid = make_id(rng)
    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "备注"])
    ws.append(["王伟", "无"])
    ws["B2"].comment = Comment(f"回电{mobiles[0]}，身份证{rid}", "张经理")
    ws.oddHeader.center.text = f"联系人电话{mobiles[1]}"
    wb.properties.creator = f"李娜{mobiles[2]}"
    wb.save(src / "w.xlsx")
    d = docx.Document()
    p = d.add_paragraph("甲方：示例有限公司。")
    d.add_comment(p.runs, text=f"乙方联系人电话{mobiles[3]}", author="法务")
    d.core_properties.author = f"刘洋{mobiles[4]}"
    d.save(src / "c.docx")
    result = run(src, tmp_path / "out", verify=True)
    assert result.leaks == []
    for name in ("w.xlsx", "c.docx"):
        text = zipped_text(tmp_path / "out" / name)
        assert not [m for m in mobiles if m in text], name
        assert rid not in text and "李娜" not in text and "刘洋" not in text, name
    out = openpyxl.load_workbook(tmp_path / "out" / "w.xlsx").active
    assert out is not None and out["B2"].comment is not None
    assert mobiles[0][-4:] in strip_marks(out["B2"].comment.text)  # masked, still there
    # the manifest counts the texts protected beside the cells: the comment and the header in
    # the workbook; the Word comment is a paragraph (``replaced_spans``), the authors not counted
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"w.xlsx": 2, "c.docx": None}


def test_every_property_the_scan_reads_is_protected(tmp_path: Path) -> None:
    """The scan reads the status property and, in a Word file, the manager and company
    (``readers/properties.py``): protect leaves no identifier and no manager's name there."""
    import zipfile

    import docx
    import openpyxl

    rng = random.Random(43)
    mobiles = [make_mobile(rng) for _ in range(4)]
    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名"])
    ws.append(["王伟"])
    wb.properties.contentStatus = f"待回电{mobiles[0]}"
    wb.save(src / "w.xlsx")
    d = docx.Document()
    d.add_paragraph("甲方：示例有限公司。")
    d.core_properties.content_status = f"待回电{mobiles[1]}"
    d.save(tmp_path / "plain.docx")
    with zipfile.ZipFile(tmp_path / "plain.docx") as zin, zipfile.ZipFile(src / "c.docx", "w") as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/app.xml":
                extra = f"<Manager>刘洋</Manager><Company>示例有限公司{mobiles[2]}</Company>"
                data = data.replace(b"</Properties>", extra.encode() + b"</Properties>")
            z.writestr(info, data)
    result = run(src, tmp_path / "out", verify=True)
    assert result.leaks == []
    # the status in each, and the Word file's company (its manager is not counted)
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"w.xlsx": 1, "c.docx": 2}
    for name in ("w.xlsx", "c.docx"):
        text = zipped_text(tmp_path / "out" / name)
        assert not [m for m in mobiles if m in text] and "刘洋" not in text, name
    with zipfile.ZipFile(tmp_path / "out" / "c.docx") as z:
        assert "示例有限公司" in z.read("docProps/app.xml").decode()  # protected, still there


def _edited_zip(source: Path, target: Path, edits: dict[str, bytes]) -> None:
    """``source`` (a zip package) copied to ``target`` with the parts of ``edits`` written as
    given: in their place if ``source`` has them, after the others if not."""
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as z:
        for info in zin.infolist():
            z.writestr(info, edits.get(info.filename, zin.read(info.filename)))
        for name, data in edits.items():
            if name not in zin.namelist():
                z.writestr(name, data)


def _protected_text(src: Path, tmp_path: Path) -> str:
    """The text of ``c.docx`` as protect (verified) writes it, nothing left out or leaked."""
    result = run(src, tmp_path / "out", verify=True)
    assert result.unreadable == [] and result.leaks == []
    return zipped_text(tmp_path / "out" / "c.docx")


@pytest.mark.parametrize("part", ["docProps/app.xml", "docProps/custom.xml", "word/people.xml"])
def test_a_damaged_properties_part_of_a_word_file_is_emptied_not_a_crash(
    tmp_path: Path, part: str
) -> None:
    """A Word file whose extended properties (or custom properties, or list of reviewers)
    do not parse — the scan says it could not read them — stopped the whole package with
    lxml's XMLSyntaxError. What could not be read is not shipped: the part is written empty,
    counted as changed (the reviewers, authors, are not counted); the rest is protected."""
    import zipfile

    import docx

    rng = random.Random(47)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    d = docx.Document()
    d.add_paragraph(f"请回电 {mobile}")
    d.save(tmp_path / "plain.docx")
    with zipfile.ZipFile(tmp_path / "plain.docx") as zin:
        types = zin.read("[Content_Types].xml").decode()
        rels = zin.read("word/_rels/document.xml.rels").decode()
        top = zin.read("_rels/.rels").decode()
    kinds = {
        "docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        "docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
        "word/people.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
    }
    override = f'<Override PartName="/{part}" ContentType="{kinds[part]}"/>'
    edits = {
        "[Content_Types].xml": types.replace("</Types>", override + "</Types>").encode(),
        part: f"<Properties><Company>示例有限公司{mobile}</Compan".encode(),
    }
    if part == "word/people.xml":
        rel = (
            '<Relationship Id="rIdPeople" Target="people.xml" Type="http://schemas.microsoft'
            '.com/office/2011/relationships/people"/>'
        )
        edits["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", rel + "</Relationships>"
        ).encode()
    if part == "docProps/custom.xml":  # the package's relationship to it
        rel = (
            '<Relationship Id="rIdCustom" Target="docProps/custom.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/custom-properties"/>'
        )
        edits["_rels/.rels"] = top.replace("</Relationships>", rel + "</Relationships>").encode()
    _edited_zip(tmp_path / "plain.docx", src / "c.docx", edits)
    text = _protected_text(src, tmp_path)
    assert mobile not in text and "示例有限公司" not in text


def test_core_properties_in_another_namespace_are_emptied_not_a_crash(tmp_path: Path) -> None:
    """A Word file whose core properties' root is in another namespace (damaged): python-docx
    opens it, and protect's setting its author raised AttributeError — no package. The
    part's text is not shipped (the scan reads it; protect cannot set it): written empty."""
    import zipfile

    import docx

    rng = random.Random(61)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    d = docx.Document()
    d.add_paragraph(f"请回电 {mobile}")
    d.core_properties.author = "刘洋"
    d.core_properties.title = f"回访 {mobile}"
    d.save(tmp_path / "plain.docx")
    cp = b"http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    with zipfile.ZipFile(tmp_path / "plain.docx") as zin:
        core = zin.read("docProps/core.xml")
    assert cp in core
    edits = {"docProps/core.xml": core.replace(cp, cp.replace(b"core", b"kore"))}
    _edited_zip(tmp_path / "plain.docx", src / "c.docx", edits)
    text = _protected_text(src, tmp_path)
    assert mobile not in text and "刘洋" not in text


def test_files_protect_cannot_write_are_named_not_dropped_silently(tmp_path: Path) -> None:
    """A PDF in the folder was left out of the package without a word (exit 0, and an empty
    package for the PDF alone): the result names what was left out, and a run with nothing
    to protect is an error."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    (src / "扫描件.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run(src, tmp_path / "out")
    assert result.left_out == ["扫描件.pdf"]
    assert not (tmp_path / "out" / "扫描件.pdf").exists()
    with pytest.raises(InputError):
        run(src / "扫描件.pdf", tmp_path / "out2")


def test_files_of_other_formats_are_named_not_dropped_silently(tmp_path: Path) -> None:
    """A WPS or binary Excel file (common on sellers' machines), an archive or a photo in the
    folder was left out of the package without a word, where the scan lists each as skipped:
    the result names them apart from the scan-only formats. Hidden files and Office's lock
    files are not documents, and are not named."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    ole = bytes.fromhex("d0cf11e0a1b11ae1")
    (src / "老客户.xlsb").write_bytes(b"PK\x03\x04")
    (src / "sub").mkdir()
    (src / "sub" / "合同.wps").write_bytes(ole)
    (src / "照片.jpg").write_bytes(b"\xff\xd8\xff")
    (src / ".DS_Store").write_bytes(b"x")
    (src / "~$合同.docx").write_bytes(b"x")
    (src / "扫描件.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run(src, tmp_path / "out")
    assert result.left_out == ["扫描件.pdf"]
    assert result.unsupported == ["sub/合同.wps", "照片.jpg", "老客户.xlsb"]


def test_verify_counts_a_leftover_cell_once(tmp_path: Path) -> None:
    """In a column the policy keeps, a cell holding a removed value was counted twice (as a
    whole cell and again when the column was re-read): 100 leftovers for 50 cells."""
    rng = random.Random(8)
    mobiles = [make_mobile(rng) for _ in range(5)]
    write_csv(tmp_path / "in" / "c.csv", [{"手机号": m, "备用": m} for m in mobiles])
    policy = load_policy_text(DEFAULT_POLICY + "columns:\n  备用: {operator: keep}\n")
    with pytest.raises(VerifyError) as err:
        run(tmp_path / "in", tmp_path / "out", policy=policy, verify=True)
    assert err.value.leaks == [
        {"file": "c.csv", "sheet": None, "column": "备用", "count": len(mobiles)}
    ]


def test_a_broken_jsonl_line_and_a_truncated_workbook_are_named_clearly(tmp_path: Path) -> None:
    """Protect said `JSON: line 1` for a broken line 12 (each line was parsed alone) and
    `XLSX: BadZipFile` for a truncated workbook."""
    from baomi.errors import UnreadableFileError

    src = tmp_path / "in"
    src.mkdir()
    lines = [json.dumps({"n": i}) for i in range(11)] + ['{"n": 11,', json.dumps({"n": 12})]
    (src / "o.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="12"):
        run(src / "o.jsonl", tmp_path / "out")
    (src / "w.xlsx").write_bytes(b"PK\x03\x04truncated")
    with pytest.raises(UnreadableFileError, match="XLSX") as err:
        run(src / "w.xlsx", tmp_path / "out2")
    assert "BadZipFile" not in str(err.value)


def test_identifiers_as_json_keys_are_protected(tmp_path: Path) -> None:
    """A JSON document keyed by customers' mobiles kept every key raw, in the package and in
    its manifest (a QA pass): keys are labels, protected as headers are."""
    rng = random.Random(17)
    mobiles = [make_mobile(rng) for _ in range(4)]
    src = tmp_path / "in"
    src.mkdir()
    (src / "by_phone.json").write_text(
        json.dumps(
            {m: {"城市": "深圳", "等级": "金卡"} for m in mobiles}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    (src / "rows.jsonl").write_text(
        "\n".join(json.dumps({m: "客户"}, ensure_ascii=False) for m in mobiles) + "\n",
        encoding="utf-8",
    )
    result = run(src, tmp_path / "out", verify=True)
    assert result.leaks == []
    for name in ("by_phone.json", "rows.jsonl", "manifest.json"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert not [m for m in mobiles if m in text], name
    data = json.loads((tmp_path / "out" / "by_phone.json").read_text(encoding="utf-8"))
    assert len(data) == 4 and all(v["城市"] == "深圳" for v in data.values())


def test_custom_properties_are_protected(tmp_path: Path) -> None:
    """Custom properties (``docProps/custom.xml``) reached the package as they were, and the
    scan did not read them: a text value is protected, a number holding a mobile (it cannot
    hold the masked form) is left out, and ``--verify``'s rescan finds nothing."""
    import zipfile

    import docx
    import openpyxl
    from openpyxl.packaging.custom import IntProperty, StringProperty

    from tests.engine.test_scan_extras import _with_custom_part, custom_xml

    rng = random.Random(47)
    mobiles = [make_mobile(rng) for _ in range(3)]
    rid = make_id(rng)
    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名"])
    ws.append(["王伟"])
    wb.custom_doc_props.append(StringProperty(name="客户证件", value=f"证件{rid}"))
    wb.custom_doc_props.append(IntProperty(name="回访电话", value=int(mobiles[0])))
    wb.custom_doc_props.append(IntProperty(name="版本", value=3))
    wb.save(src / "w.xlsx")
    d = docx.Document()
    d.add_paragraph("甲方：示例有限公司。")
    d.save(tmp_path / "plain.docx")
    custom = custom_xml(("联系人", "lpwstr", f"手机{mobiles[1]}"), ("备用", "i8", mobiles[2]))
    _with_custom_part(tmp_path / "plain.docx", src / "c.docx", custom)
    assert run(src, tmp_path / "out", verify=True).leaks == []
    for name in ("w.xlsx", "c.docx"):
        text = zipped_text(tmp_path / "out" / name)
        assert not [m for m in mobiles if m in text] and rid not in text, name
    props = {
        p.name: p.value
        for p in openpyxl.load_workbook(tmp_path / "out" / "w.xlsx").custom_doc_props.props
    }
    assert set(props) == {"客户证件", "版本"} and props["版本"] == 3
    assert rid[-4:] in strip_marks(str(props["客户证件"]))  # masked, still there
    with zipfile.ZipFile(tmp_path / "out" / "c.docx") as z:
        part = z.read("docProps/custom.xml").decode()
    assert 'name="联系人"' in part and 'name="备用"' not in part


def test_unreadable_files_are_left_out_and_named_and_the_rest_protected(tmp_path: Path) -> None:
    """One empty, binary or broken file stopped the whole package while the scan read past it
    (QA): it is now left out and named with its reason, and the other files are protected. A
    file of only a UTF-8 BOM is written back with its BOM (it was written empty, and --verify
    then failed on protect's own output), as every UTF-8 text keeps its BOM."""
    rng = random.Random(53)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"请回电 {mobile}\n", encoding="utf-8-sig")
    (src / "empty.txt").write_bytes(b"")
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbf")
    (src / "junk.txt").write_bytes(bytes(range(256)) * 3)
    (src / "bad.docx").write_bytes(b"not a zip")
    write_csv(src / "c.csv", customers(5))
    result = run(src, tmp_path / "out", verify=True)
    assert [u["path"] for u in result.unreadable] == ["bad.docx", "empty.txt", "junk.txt"]
    assert all(u["reason"] for u in result.unreadable)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "a.txt",
        "bom.txt",
        "c.csv",
        "manifest.json",
    ]
    assert (out / "bom.txt").read_bytes() == b"\xef\xbb\xbf"
    protected = (out / "a.txt").read_bytes()
    assert protected.startswith(b"\xef\xbb\xbf") and mobile.encode() not in protected
    listed = {f["path"] for f in to_dict(result.manifest)["files"]}
    assert listed == {"a.txt", "bom.txt", "c.csv"}


def test_json_nested_too_deeply_is_left_out_and_named(tmp_path: Path) -> None:
    """The scan skips a JSON document nested deeper than Python's parser goes ("JSON 嵌套过深");
    protect ended in a RecursionError traceback and wrote no package. It is left out and named
    with the scan's reason, the rest protected."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    (src / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    (src / "deep.jsonl").write_text('{"a": ' * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    result = run(src, tmp_path / "out")
    assert [u["path"] for u in result.unreadable] == ["deep.json", "deep.jsonl"]
    assert all(
        "nested too deeply" in u["reason"] or "嵌套过深" in u["reason"] for u in result.unreadable
    )
    assert (tmp_path / "out" / "c.csv").exists()


def test_stray_bytes_in_a_text_or_json_file_are_no_traceback(tmp_path: Path) -> None:
    """A UTF-8 text with one character cut (a stray byte) decoded strictly in protect: a
    UnicodeDecodeError traceback and no package, where the scan reads the file with U+FFFD
    and counts the line. Both files are protected so, as the scan reads them (the line and
    the record counted in the manifest), every identifier after the bytes masked too."""
    rng = random.Random(59)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    lines = [f"客户{i}回访记录，联系电话 {make_mobile(rng)}。" for i in range(40)]
    cut = "客户甲".encode()[:-1]  # 甲 cut after two of its three bytes
    text = ("\n".join(lines[:20]) + "\n").encode() + cut + f" 请回电 {mobile}\n".encode()
    (src / "notes.txt").write_bytes(text + ("\n".join(lines[20:]) + "\n").encode())
    before = "".join(f'{{"备注": "{line}"}}, ' for line in lines[:20]).encode()
    after = ", ".join(f'{{"备注": "{line}"}}' for line in lines[20:]).encode()
    (src / "orders.json").write_bytes(b"[" + before + b'{"p": "' + cut + b'"}, ' + after + b"]")
    write_csv(src / "c.csv", customers(3))
    result = run(src, tmp_path / "out", verify=True)
    assert result.unreadable == []
    protected = (tmp_path / "out" / "notes.txt").read_bytes().decode("utf-8")
    assert mobile not in protected and protected.count("\n") == 41 and "\ufffd" in protected
    files = {f["path"]: f for f in to_dict(result.manifest)["files"]}
    assert files["notes.txt"]["undecodable_units"] == 1
    assert [t["undecodable_rows"] for t in files["orders.json"]["tables"]] == [1]
    written = (tmp_path / "out" / "orders.json").read_bytes().decode("utf-8")
    orders = json.loads(written)
    assert len(orders) == 41 and "\ufffd" in orders[20]["p"]
    assert not any(m in written for m in re.findall(r"1[3-9]\d{9}", "".join(lines)))


def test_a_damaged_parquet_file_is_named_as_the_scan_names_it(tmp_path: Path) -> None:
    """Protect said "Parquet: ComputeError" (Polars' exception's name) for a damaged Parquet
    file; it now gives the scan's reason, Chinese first."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    (src / "bad.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    result = run(src, tmp_path / "out")
    assert [u["path"] for u in result.unreadable] == ["bad.parquet"]
    assert result.unreadable[0]["reason"].startswith("Parquet 文件已损坏")


def test_a_parquet_file_polars_panics_on_is_named_not_a_crash(tmp_path: Path) -> None:
    """A damaged Parquet file on which Polars' reader panics (``fixtures/polars_panics.parquet``:
    a two-row table of made-up names and numbers, its bytes mutated by ``tests/fuzz_inputs.py``,
    seed 59, case 630): PanicException is a BaseException, which protect's ``except Exception``
    let through — no package. It is left out and named as the scan names it."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    fixture = Path(__file__).parents[1] / "readers" / "fixtures" / "polars_panics.parquet"
    (src / "bad.parquet").write_bytes(fixture.read_bytes())
    result = run(src, tmp_path / "out")
    assert [u["path"] for u in result.unreadable] == ["bad.parquet"]
    assert result.unreadable[0]["reason"].startswith("Parquet 文件已损坏")


def test_an_empty_workbook_is_an_empty_file_as_the_scan_says(tmp_path: Path) -> None:
    """An empty .xlsx was "not a valid XLSX workbook (corrupt, truncated or encrypted)" to
    protect, where the scan of the same folder says "empty file"."""
    src = tmp_path / "in"
    write_csv(src / "c.csv", customers(3))
    (src / "空.xlsx").write_bytes(b"")
    result = run(src, tmp_path / "out")
    scanned = scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    (skipped,) = scanned.inventory.skipped
    assert result.unreadable == [{"path": "空.xlsx", "reason": skipped.reason}]
    assert skipped.reason == "空文件"


def test_names_in_latin_letters_are_masked_in_a_name_column(tmp_path: Path) -> None:
    """A customer list with foreign customers and names written in pinyin: the name column
    recognizer read Chinese characters only, and every such name was shipped as it was."""
    rng = random.Random(23)
    names = [
        "John Smith",
        "Wang Xiaoming",
        "Mary-Jane O'Neil",
        "张伟",
        "SMITH, Anna",
        "Li Na",
        "Grace",
    ]
    rows = [{"姓名": n, "手机号": make_mobile(rng)} for n in names]
    write_csv(tmp_path / "src" / "c.csv", rows)
    run(tmp_path / "src", tmp_path / "out")
    shipped = strip_marks((tmp_path / "out" / "c.csv").read_text(encoding="utf-8"))
    kept = [n for n in names if n in shipped]
    assert kept == [], kept
