"""Protect reads a CSV as the scan does (``readers/csv.py``): a broken row is skipped and
counted, bytes that do not decode are read as U+FFFD and counted; the manifest says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baomi.engine.protect import writers
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.renderings import conventional
from baomi.engine.readers import encoding as encoding_mod
from baomi.engine.readers.csv import open_csv

POLICY = load_policy_text(DEFAULT_POLICY)


def _protect(src: Path, out: Path) -> dict:  # type: ignore[type-arg]
    protect_paths(
        [src],
        POLICY,
        out,
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient="甲", verify=True),
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return next(f for f in manifest["files"] if f["path"] == "a.csv")["tables"][0]


def _scanned_rows(path: Path) -> list[tuple[str | None, ...]]:
    return [row for batch in open_csv(path).batches() for row in batch.frame.rows()]


def test_a_broken_row_is_left_out_as_the_scan_skips_it(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(
        "手机号,备注\n13812345678,无\n13912345678,多,一列\n13712345678,无\n", encoding="utf-8"
    )
    loaded = writers.load(src / "a.csv").tables[0]
    assert loaded.frame.rows() == _scanned_rows(src / "a.csv")
    assert (loaded.frame.height, loaded.skipped_rows) == (2, 1)
    table = _protect(src, tmp_path / "out")
    assert (table["rows_in"], table["rows_out"], table["skipped_rows"]) == (2, 2, 1)
    assert "undecodable_rows" not in table
    text = _conventional(strip_marks((tmp_path / "out" / "a.csv").read_text(encoding="utf-8")))
    assert text.splitlines()[0] == "手机号,备注" and len(text.splitlines()) == 3
    assert "1391234" not in text and "多" not in text  # the broken row is not in the package
    assert "138****5678" in text and "137****5678" in text


def test_undecodable_bytes_are_read_as_the_scan_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding_mod, "SAMPLE_BYTES", 64)  # the bad byte past the sample
    src = tmp_path / "in"
    src.mkdir()
    body = "手机号,备注\n" + "13812345678,无\n" * 10
    (src / "a.csv").write_bytes(body.encode("utf-8") + b"13712345678,b\xffc\n")
    loaded = writers.load(src / "a.csv").tables[0]
    assert loaded.frame.rows() == _scanned_rows(src / "a.csv")
    assert loaded.frame.rows()[-1][1] == "b\ufffdc" and loaded.undecodable_rows == 1
    table = _protect(src, tmp_path / "out")
    assert (table["rows_in"], table["rows_out"], table["undecodable_rows"]) == (11, 11, 1)
    text = _conventional(strip_marks((tmp_path / "out" / "a.csv").read_text(encoding="utf-8")))
    assert text.endswith("137****5678,b\ufffdc\n")


def _conventional(text: str) -> str:
    """The CSV text with each field as the display convention writes it (the recipient's
    renderings undone: ``138 **** 5678`` → ``138****5678``)."""
    lines = text.split("\n")
    return "\n".join(",".join(conventional(f) for f in line.split(",")) for line in lines)
