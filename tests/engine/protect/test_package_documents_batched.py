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


def test_verify_rereads_documents_in_batches_with_each_documents_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--verify`` re-reads a package's documents a batch at a time: the leftovers it counts
    are, file by file and in order, those of each document re-read alone (a line that is in
    several documents counts in each; a line twice in one counts once there)."""
    import random

    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.contracts.manifest import ManifestFile
    from baomi.engine.protect import verify as verify_mod
    from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
    from baomi.engine.recognizers.registry import Registry
    from tests.engine.protect.conftest import make_mobile
    from tests.engine.protect.test_package import write_csv

    rng = random.Random(5)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    mobiles = [make_mobile(rng) for _ in range(8)]
    shared = f"请回电 {mobiles[0]}"
    entries = []
    for k in range(5):
        if k == 2:  # a table between the documents ends a batch (its columns unlisted: unread)
            write_csv(pkg / "c.csv", [{"备注": f"回电{mobiles[7]}"}])
            entries.append(
                ManifestFile(
                    path="c.csv",
                    kind="table",
                    format="csv",
                    encoding="utf-8",
                    source_sha256="-",
                    tables=(),
                    output_sha256="-",
                )
            )
        lines = [shared, shared, *(f"第{i}条 联系 {mobiles[1 + i]}" for i in range(k + 1))]
        (pkg / f"合同_{k}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        entries.append(
            ManifestFile(
                path=f"合同_{k}.txt",
                kind="text",
                format="txt",
                encoding="utf-8",
                source_sha256="-",
                output_sha256="-",
            )
        )
    analyzer = TextAnalyzer(Registry.default(plugins=False))
    policy = load_policy_text(DEFAULT_POLICY)

    def leaks(batch: int) -> list[dict[str, Any]]:
        with monkeypatch.context() as m:
            m.setattr(verify_mod, "REREAD_LINES", batch)
            return verify_mod.verify_package(pkg, entries, set(mobiles), analyzer, policy).leaks

    alone = leaks(1)
    assert leaks(10_000) == alone
    assert [(e["file"], e["count"]) for e in alone] == [
        ("合同_0.txt", 2),
        ("合同_1.txt", 3),
        ("合同_2.txt", 4),
        ("合同_3.txt", 5),
        ("合同_4.txt", 6),
    ]
