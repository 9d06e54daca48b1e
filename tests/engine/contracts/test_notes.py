"""The inventory's notes as codes (``note_codes``) beside their words (``notes``): every code
worded in both languages, the words shown in the reader's language, and an inventory written
before the codes (or by a later baomi, with a code not known here) shown as written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from baomi.engine.contracts import codec, notes
from baomi.engine.contracts.inventory import Inventory, InventoryNote
from baomi.i18n import set_language

V1 = Path(__file__).parent / "fixtures" / "v1"

EVERY = (
    notes.column_left_out("binary_column", "photo"),
    notes.column_left_out("unknown_type", "spot"),
    notes.column_left_out("binary_values", "memo"),
    notes.no_primary_key(),
    notes.pi_key(),
    notes.sample(500),
    notes.other_schemas({"audit": 1, "sales": 3}),
)


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language(None)


def _with_notes(written: tuple[str, ...], codes: tuple[InventoryNote, ...]) -> Inventory:
    inventory = codec.load_inventory(V1 / "inventory.json")
    return replace(inventory, notes=written, note_codes=codes)


def test_every_code_is_worded_in_both_languages() -> None:
    assert {n.code for n in EVERY} == set(notes.CODES)
    set_language("zh")
    zh = notes.texts(EVERY)
    set_language("en")
    en = notes.texts(EVERY)
    assert zh == (
        "photo: 二进制列，未扫描",
        "spot: 无法识别的列类型（如几何类型），未扫描",
        "memo: 含二进制值，这些值未扫描",
        "无主键：按位置命名行，以服务器端游标读取",
        "主键列含个人信息：发现项只以行位置命名，不写主键",
        "抽样：只读取前 500 行（--sample），未完整扫描",
        "其他模式未读取：audit（1 个表或视图）、sales（3 个表或视图）。按名称读取加 "
        "--schema audit，全部读取加 --schema '*'",
    )
    assert en[0] == "photo: binary column, not scanned"
    assert en[3].startswith("no primary key: rows are named by their position")
    assert en[5] == "sample: only the first 500 rows were read (--sample), not a full scan"
    assert en[6] == (
        "other schemas were not read: audit (1 table or view), sales (3 tables or views). "
        "Add --schema audit to read one by name, or --schema '*' for all"
    )


def test_schemas_past_the_tenth_are_counted_and_an_odd_name_quoted() -> None:
    note = notes.other_schemas({"my schema": 2}, more=3)
    set_language("en")
    (said,) = notes.texts([note])
    assert "my schema (2 tables or views) and 3 more" in said
    assert "Add --schema 'my schema' to read" in said
    set_language("zh")
    assert "my schema（2 个表或视图） 等，另有 3 个" in notes.texts([note])[0]


def test_a_column_left_out_needs_a_known_reason() -> None:
    with pytest.raises(ValueError, match="unknown note code"):
        notes.column_left_out("too big", "photo")


def test_the_codes_round_trip_byte_for_byte_after_the_words() -> None:
    set_language("zh")
    inventory = _with_notes(notes.texts(EVERY[-1:]), EVERY[-1:])
    text = codec.to_json(inventory)
    assert codec.to_json(codec.inventory_from_json(text)) == text
    data = json.loads(text)
    assert list(data)[-2:] == ["notes", "note_codes"]
    assert data["note_codes"] == [{"code": "other_schemas", "schemas": {"audit": 1, "sales": 3}}]
    # a key a code does not use is left out; the words are those of the scan's language
    assert data["notes"][0].startswith("其他模式未读取")
    set_language("en")
    assert notes.shown(codec.inventory_from_json(text))[0].startswith("other schemas")


def test_an_inventory_without_codes_is_shown_as_written() -> None:
    """Written before the codes: its notes are shown in the language its scan ran in."""
    written = ("无主键：按位置命名行，以服务器端游标读取",)
    inventory = codec.inventory_from_json(codec.to_json(_with_notes(written, ())))
    assert inventory.note_codes == ()
    for lang in ("en", "zh"):
        set_language(lang)
        assert notes.shown(inventory) == written
    # and the v1 inventory, without notes at all, is written back as it was
    v1 = codec.load_inventory(V1 / "inventory.json")
    assert notes.shown(v1) == () and all(notes.shown(f) == () for f in v1.files)
    assert codec.to_json(v1) == (V1 / "inventory.json").read_text(encoding="utf-8")


def test_a_code_not_known_here_is_shown_as_written() -> None:
    """A later baomi's code (or one missing what it names) is shown in the words it wrote;
    codes that do not pair with the words one for one leave the words as they are."""
    later = (InventoryNote(code="partitioned", column="x"), InventoryNote(code="sample"))
    written = ("分区表：按父表读取", "抽样：只读取前 5 行（--sample），未完整扫描")
    file = replace(
        codec.load_inventory(V1 / "inventory.json").files[0],
        notes=written,
        note_codes=(*later, notes.no_primary_key()),
    )
    set_language("en")
    assert notes.shown(file) == written  # three codes for two notes: the words
    assert notes.shown(replace(file, note_codes=later)) == written
    mixed = replace(file, note_codes=(later[0], notes.no_primary_key()))
    assert notes.shown(mixed)[0] == written[0]
    assert notes.shown(mixed)[1].startswith("no primary key")
    # codes without words (another program's inventory): worded, an unknown one by its code
    assert notes.shown(replace(file, notes=(), note_codes=later[:1])) == ("partitioned",)
