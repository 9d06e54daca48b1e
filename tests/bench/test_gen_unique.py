"""The wide corpus of the speed benchmark (bench/gen_unique.py --wide-only)."""

from __future__ import annotations

import csv
from pathlib import Path
from types import ModuleType

import pytest

from baomi.engine.checksums import is_valid_uscc
from tests.bench import load_script


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_script("gen_unique")


def test_the_wide_csv_has_its_columns_and_valid_credit_codes(
    gen: ModuleType, tmp_path: Path
) -> None:
    path = gen.generate_wide(tmp_path / "a", 40, 5)
    again = gen.generate_wide(tmp_path / "b", 40, 5)
    assert path.read_bytes() == again.read_bytes()  # deterministic for a seed
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(header) == len(set(header)) == 95 and len(body) == 40
    assert all(len(r) == len(header) for r in body)
    at = header.index("统一社会信用代码")
    assert all(is_valid_uscc(r[at]) for r in body)
    # most of a contact's cells are short; some contacts are left empty
    phones = [r[header.index(f"联系人{k}手机")] for r in body for k in range(1, 9)]
    assert 0 < phones.count("") < len(phones)
