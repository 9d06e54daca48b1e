"""A folder of documents: their lines are scanned in batches (``scan_text_batch``), and the
outputs are those of scanning each document alone."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import docx
import pytest

from baomi.demo.identifiers import bank_card, birth_date, mobile_number, resident_id
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.scan import run as scan_run

NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊")


def _lines(rng: random.Random, n: int) -> list[str]:
    today = dt.date(2026, 12, 1)
    out: list[str] = []
    for i in range(n):
        born = birth_date(rng, 20, 70, today)
        pick = i % 5
        if pick == 0:
            ident = resident_id(rng, "110105", born, rng.random() < 0.5)
            out.append(f"第{i}条 乙方：{rng.choice(NAMES)}，身份证号码：{ident}。")
        elif pick == 1:
            out.append(
                f"联系人{rng.choice(NAMES)}，手机：{mobile_number(rng)}，邮箱 u{i}@example.org"
            )
        elif pick == 2:
            out.append(f"收款账户：户名{rng.choice(NAMES)}，账号：{bank_card(rng)}")
        elif pick == 3:
            out.append("")
        else:
            out.append("双方应当遵守本合同的约定，履行各自的义务。" * rng.randint(1, 4))
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rng = random.Random(20261205)
    root = tmp_path / "合同"
    root.mkdir()
    for k in range(9):
        text = "\n".join(_lines(rng, rng.randint(20, 120)))
        (root / f"合同_{k:02d}.txt").write_text(text, encoding="utf-8")
    (root / "合同_04b.txt").write_text("", encoding="utf-8")  # empty: no partition
    (root / "合同_04c.txt").write_text("第一条 总则\n双方友好协商。\n", encoding="utf-8")  # no PI
    (root / "合同_05b.csv").write_text(
        "姓名,手机号\n" + "".join(f"{n},{mobile_number(rng)}\n" for n in NAMES), encoding="utf-8"
    )
    document = docx.Document()
    for line in _lines(rng, 40):
        document.add_paragraph(line)
    document.save(str(root / "合同_06b.docx"))
    return root


def _outputs(out: Path) -> tuple[bytes, dict[str, Any]]:
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    inventory.pop("created", None)
    return (out / "findings.jsonl").read_bytes(), inventory


@pytest.mark.parametrize("prose", [False, True], ids=["no-prose", "prose"])
def test_documents_scanned_in_batches_give_the_outputs_of_one_at_a_time(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prose: bool
) -> None:
    options = ScanOptions(prose=prose)
    monkeypatch.setattr(scan_run, "TEXT_BATCH_BYTES", 1)  # every document alone
    scan_paths([folder], out_dir=tmp_path / "alone", options=options)
    calls: list[int] = []
    batched = scan_run.scan_text_batch

    def counted(parts: Any, ctx: Any) -> Any:
        calls.append(len(parts))
        return batched(parts, ctx)

    monkeypatch.setattr(scan_run, "scan_text_batch", counted)
    monkeypatch.setattr(scan_run, "TEXT_BATCH_BYTES", 1 << 30)  # as many as come in a row
    scan_paths([folder], out_dir=tmp_path / "batched", options=options)

    # the CSV between them ends a batch: the documents before it, then the ones after (the
    # DOCX is three partitions: its paragraphs, the properties that name a person, the others)
    assert sorted(calls) == [6, 7]
    alone, batched_out = _outputs(tmp_path / "alone"), _outputs(tmp_path / "batched")
    assert batched_out[0] == alone[0]
    assert batched_out[1] == alone[1]
    findings = [json.loads(line) for line in alone[0].splitlines()]
    assert {f["entity"] for f in findings} >= {"CN_RESIDENT_ID", "CN_MOBILE", "BANK_CARD"}
    # findings of several documents, each numbered by its own lines
    assert len({f["file"] for f in findings}) == 11
    assert any(f["path"].endswith("04c.txt") and f["rows"] == 2 for f in alone[1]["files"])
