"""The people in files as keyed identifier hashes, and counting them once across provisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from baomi.engine.scan.linkage import People, count_people, identifier_hash, people_in
from baomi.errors import InputError
from tests.vault_support import bank_card, mobile, resident_id

KEY = bytes(range(32))


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_people_of_a_table_and_their_identifier_hashes(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a.csv",
        ["姓名,身份证号,手机,银行卡"]
        + [f"客户{i},{resident_id(i)},{mobile(i)},{bank_card(i)}" for i in range(1, 41)]
        # the same person again, by mobile only
        + [f"客户1,,{mobile(1)},"],
    )
    p = people_in([a], KEY)
    assert p.persons == 40 and p.sensitive_persons == 40 and len(p.hashes) == 120
    assert identifier_hash(KEY, mobile(1)) in set(p.hashes.tolist())
    assert mobile(1).encode() not in p.to_bytes()  # hashes only, never the value
    again = People.from_bytes(p.to_bytes())
    assert again.persons == 40 and np.array_equal(again.hashes, p.hashes)
    assert np.array_equal(again.sensitive, p.sensitive)


def test_the_same_people_in_two_files_count_once(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", ["姓名,手机"] + [f"甲{i},{mobile(i)}" for i in range(1, 41)])
    # written differently (+86, spaces): canonicalised as the scan does
    b = _write(
        tmp_path / "b.csv",
        ["姓名,手机"] + [f"乙{i},+86 {mobile(i)[:3]} {mobile(i)[3:]}" for i in range(31, 61)],
    )
    pa, pb = people_in([a], KEY), people_in([b], KEY)
    assert (pa.persons, pb.persons) == (40, 30)
    assert count_people([pa, pb]) == (60, 0)
    assert count_people([pa, pa]) == (40, 0)
    other_key = people_in([b], bytes(32))
    assert count_people([pa, other_key]) == (70, 0)  # another installation: no link


def test_names_link_records_in_a_file_but_never_across_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", ["姓名,备注", "张伟,甲", "张伟,乙", "李娜,丙"])
    b = _write(tmp_path / "b.csv", ["姓名,备注", "张伟,丁"])
    pa, pb = people_in([a], KEY), people_in([b], KEY)
    assert pa.persons == 2 and pb.persons == 1
    assert count_people([pa, pb]) == (3, 0)


def test_a_follow_up_of_a_name_two_customers_share_is_one_of_them(tmp_path: Path) -> None:
    # as the scan counts them (inventory.people_roots): two customers of one name, a row of
    # that name with only a card, one with nothing; a row with an ID number neither has is
    # a third person
    rows = ["姓名,身份证号,手机,银行卡"]
    rows += [f"张伟,{resident_id(i)},{mobile(i)}," for i in (1, 2)]
    rows += [f"张伟,,,{bank_card(3)}", "张伟,,,", f"李娜,{resident_id(4)},{mobile(4)},"]
    a = _write(tmp_path / "a.csv", rows)
    assert people_in([a], KEY).persons == 3
    b = _write(tmp_path / "b.csv", [*rows, f"张伟,{resident_id(5)},,"])
    assert people_in([b], KEY).persons == 4


def test_unreadable_files_add_no_one(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert people_in([bad], KEY).persons == 0
    with pytest.raises(InputError):
        People.from_bytes(b"nonsense")


def test_a_million_people_are_counted_quickly() -> None:
    rng = np.random.default_rng(7)
    n = 1_000_000
    person = np.repeat(np.arange(n, dtype=np.uint32), 2)
    first = People(n, person, rng.integers(0, 2**63, 2 * n, dtype=np.uint64))
    # a second provision: half of the same people (by one identifier) and half new ones
    shared = first.hashes[::2][: n // 2]
    hashes = np.concatenate([shared, rng.integers(0, 2**63, n - n // 2, dtype=np.uint64)])
    second = People(n, np.arange(n, dtype=np.uint32), hashes, np.arange(0, n, 10, dtype=np.uint32))
    assert count_people([first, second]) == (n + n - n // 2, n // 10)
    assert count_people([People.from_bytes(first.to_bytes()), first]) == (n, 0)
