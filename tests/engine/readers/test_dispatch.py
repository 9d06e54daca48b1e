"""``open_source`` dispatch: the single suffix table, lazy imports, unknown suffixes refused."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from baomi.engine.readers import READERS, open_source
from baomi.errors import UnreadableFileError

OURS = {
    ".csv",
    ".tsv",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".json",
    ".jsonl",
    ".ndjson",
    ".parquet",
    ".txt",
    ".log",
    ".md",
}


def test_every_listed_reader_of_ours_exists() -> None:
    assert OURS | {".docx", ".doc", ".pdf"} == set(READERS)
    for suffix in OURS:
        module, _, function = READERS[suffix].partition(":")
        assert callable(getattr(importlib.import_module(module), function)), suffix


@pytest.mark.parametrize("name", ["data.exe", "noext", "photo.PNG", "a.csv.bak"])
def test_unknown_suffix_is_unreadable(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert info.value.reason == "不支持的文件类型"
    assert info.value.path == str(path)


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "客户.CSV"
    path.write_text("a\n1\n", encoding="utf-8")
    assert open_source(path).kind == "table"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError):
        open_source(tmp_path / "gone.csv")


def test_english_reason_on_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOMI_LANG", "en")
    with pytest.raises(UnreadableFileError) as info:
        open_source(tmp_path / "x.bin")
    assert info.value.reason == "unsupported file type"


def test_every_suffix_is_documented() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "readers.md").read_text(encoding="utf-8")
    assert [s for s in READERS if f"`{s}`" not in docs] == []
