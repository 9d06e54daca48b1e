"""Protect keeps how a text file starts: GBK / GB 18030 after a UTF-8 byte-order mark is read
in GBK (the scan's ``gbk-sig``) and written back as the mark and GB 18030 — it was read as
UTF-8, every Chinese character U+FFFD, so names and addresses went out unmasked (a CSV) or
the whole package failed (a text file). GB 18030's own mark (U+FEFF as 84 31 95 33) is
written back as itself (protect wrote a UTF-8 mark in front of GB 18030 instead; the JSON
writer dropped it), a plain
GBK file without a mark and a UTF-8 file with its BOM, as before."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.renderings import conventional

from .conftest import make_id, make_mobile, protect_verified

BOM = codecs.BOM_UTF8
GB18030_MARK = "\ufeff".encode("gb18030")  # 84 31 95 33

#: how the input's bytes start, their encoding, and the encoding the copy is written in
STARTS = {
    "bom+gbk": (BOM, "gbk", "gb18030"),
    "bom+gb18030": (BOM, "gb18030", "gb18030"),
    "gb18030-mark": (GB18030_MARK, "gb18030", "gb18030"),
    "gbk": (b"", "gbk", "gb18030"),
    "utf-8-bom": (BOM, "utf-8", "utf-8"),
}


def _customers(n: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(29)
    return [
        (
            rng.choice("王李张刘陈") + rng.choice("伟芳娜敏静") + rng.choice("强磊军洋"),
            make_id(rng),
            make_mobile(rng),
            rng.choice(["广东省深圳市南山区科技园路1号", "北京市朝阳区建国路88号"]),
        )
        for _ in range(n)
    ]


def _texts(rows: list[tuple[str, str, str, str]], extra: str) -> dict[str, str]:
    return {
        "客户.csv": "姓名,身份证号,手机,地址\r\n"
        + "".join(f"{n},{i},{m},{a}{extra}\r\n" for n, i, m, a in rows),
        "客户.txt": "".join(
            f"客户{n}，身份证号{i}，手机{m}，住址{a}{extra}。\n" for n, i, m, a in rows
        ),
        "客户.json": json.dumps(
            [{"姓名": n, "身份证号": i, "手机": m, "地址": a + extra} for n, i, m, a in rows],
            ensure_ascii=False,
            indent=2,
        ),
    }


@pytest.mark.parametrize("start", list(STARTS))
def test_the_copy_starts_as_the_original_and_is_protected(tmp_path: Path, start: str) -> None:
    mark, encoding, written = STARTS[start]
    rows = _customers(30)
    extra = "𠀀" if encoding == "gb18030" else ""  # beyond GBK: the file is GB 18030
    src = tmp_path / "in"
    src.mkdir()
    texts = _texts(rows, extra)
    for name, text in texts.items():
        (src / name).write_bytes(mark + text.encode(encoding))
    result = protect_verified(src, tmp_path / "out")
    assert not result.unreadable
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["verify"]["leftover"] == 0
    for name in texts:
        data = (tmp_path / "out" / name).read_bytes()
        assert data.startswith(mark), name
        if not mark:
            assert not data.startswith((BOM, GB18030_MARK)), name
        copy = data[len(mark) :].decode(written)  # strict: every byte decodes
        assert "\ufffd" not in copy and "\ufeff" not in copy, name
        plain = conventional(strip_marks(copy))
        for person, rid, mobile, _ in rows:
            assert rid not in plain and mobile not in plain and person not in plain, name
            assert mobile[-4:] in plain, name  # masked, not dropped
        if name != "客户.json":
            assert copy.count("\n") == texts[name].count("\n"), name  # every row written
    entry = next(f for f in manifest["files"] if f["path"] == "客户.csv")
    assert entry["encoding"] == ("utf-8" if encoding == "utf-8" else encoding)


@pytest.mark.parametrize("start", ["bom+gbk", "bom+gb18030", "gb18030-mark"])
def test_the_copy_is_the_mark_and_the_copy_of_the_file_without_it(
    tmp_path: Path, start: str
) -> None:
    """The mark changes nothing else: the text after it is protected and written as the same
    file's without the mark in the same package (its invisible recipient marks included,
    which GBK cannot carry: GB 18030 is written)."""
    mark, encoding, _ = STARTS[start]
    texts = _texts(_customers(20), "𠀀" if encoding == "gb18030" else "")
    src = tmp_path / "in"
    for folder, lead in (("plain", b""), ("marked", mark)):
        (src / folder).mkdir(parents=True)
        for name, text in texts.items():
            (src / folder / name).write_bytes(lead + text.encode(encoding))
    protect_verified(src, tmp_path / "out")
    for name in texts:
        plain = (tmp_path / "out" / "plain" / name).read_bytes()
        marked = (tmp_path / "out" / "marked" / name).read_bytes()
        assert marked == mark + plain, name
