"""Text documents in a row are protected a batch at a time (their lines' findings found in one
call): the package is byte for byte the one each document protected alone gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baomi.demo.generator import generate_demo
from baomi.engine.protect import package as package_mod
from baomi.engine.protect import texts as texts_mod
from tests.engine.test_distributed_protect import _files, _fix_randomness, _protect


@pytest.fixture(scope="module")
def seller(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "seller"
    generate_demo(root, rows=60)
    return root


def test_documents_protected_in_batches_give_the_package_of_one_at_a_time(
    seller: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contracts = sorted((seller / "合同").iterdir())
    assert {p.suffix for p in contracts} == {".txt", ".docx"}
    # a table between the documents ends a batch
    paths = [*contracts[:2], seller / "客户名单.csv", *contracts[2:]]
    with monkeypatch.context() as fixed:
        _fix_randomness(fixed)
        fixed.setattr(package_mod, "DOCUMENT_BATCH_CHARS", 1)  # every document alone
        _protect(paths, tmp_path / "alone", None)
    sizes: list[int] = []
    batched = texts_mod.unit_findings

    def counted(run: Any, units: Any) -> Any:
        sizes.append(len(units))
        return batched(run, units)

    with monkeypatch.context() as fixed:
        _fix_randomness(fixed)
        fixed.setattr(package_mod, "DOCUMENT_BATCH_CHARS", 1 << 30)
        fixed.setattr(texts_mod, "unit_findings", counted)
        _protect(paths, tmp_path / "batched", None)
    assert len(sizes) == 2  # the documents before the CSV, then the ones after it
    files = _files(tmp_path / "alone")
    assert sum(name.endswith((".txt", ".docx")) for name in files) == len(contracts)
    assert _files(tmp_path / "batched") == files
