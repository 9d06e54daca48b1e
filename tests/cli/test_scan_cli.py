"""``baomi scan`` from the command line: outputs, formats, language switch, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from baomi.cli.main import app
from baomi.engine.checksums import resident_id_check_char

runner = CliRunner()


def _data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    body = "11010119900307123"
    rid = body + resident_id_check_char(body)
    (root / "名单.csv").write_text(
        f"姓名,身份证号,手机\n张三,{rid},13812345678\n", encoding="utf-8"
    )
    (root / "broken.xlsx").write_bytes(b"not a zip")
    return root


def test_scan_writes_outputs_and_prints_a_chinese_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(_data(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "扫描完成" in result.output and "broken.xlsx" in result.output
    assert (out / "inventory.json").is_file() and (out / "findings.jsonl").is_file()
    assert not list(out.glob(".*partial"))


def test_scan_table_format_in_english(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["--lang", "en", "scan", str(_data(tmp_path)), "-o", str(out), "--format", "table"]
    )
    assert result.exit_code == 0, result.output
    assert "By entity" in result.output and "resident ID" in result.output
    assert "Scan complete" in result.output


def test_scan_json_format_prints_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(_data(tmp_path)), "-o", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["entities"]["CN_RESIDENT_ID"] == 1
    assert summary["files_skipped"] == 1


def test_scan_of_a_missing_path_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert not (tmp_path / "o").exists()


def test_an_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(_data(tmp_path)), "--out", str(blocker / "out")])
    assert result.exit_code == 2
    assert "无法写入输出目录" in result.output
    assert "Traceback" not in result.output


def test_a_failed_scan_leaves_no_partial_findings(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    from baomi.engine.scan import run as scan_run

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    mp.setattr(scan_run, "_inventory", boom)
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(_data(tmp_path)), "--out", str(out)])
    assert result.exit_code == 2 and "磁盘空间不足" in result.output  # the OS error in Chinese
    assert list(out.iterdir()) == []


def test_workers_default_to_one_process(tmp_path: Path, monkeypatch: object) -> None:
    """One process uses the cores itself (scanning threads, the prose decoder's threads);
    worker processes are asked for, as each costs its own copy of the libraries and model."""
    import pytest

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    small = _data(tmp_path)
    seen: dict[str, object] = {}

    def fake_scan(paths: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise OSError(28, "stop here")

    mp.setattr("baomi.engine.scan.scan_paths", fake_scan)
    runner.invoke(app, ["scan", str(small), "--out", str(tmp_path / "o")])
    assert seen["workers"] == 1
    runner.invoke(app, ["scan", str(small), "--out", str(tmp_path / "p"), "--workers", "2"])
    assert seen["workers"] == 2


def test_the_table_format_never_prints_an_identifier_from_a_header(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "f.csv").write_text("姓名,手机13812345678\n张三,13987654321\n", encoding="utf-8")
    (root / "g.json").write_text('{"13700001234": {"name": "李四"}}', encoding="utf-8")
    result = runner.invoke(
        app,
        ["scan", str(root), "-o", str(tmp_path / "out"), "-f", "table", "--no-prose"],
        env={"COLUMNS": "250"},  # no wrapping inside a number
    )
    assert result.exit_code == 0, result.output
    assert "f.csv/手机138****5678" in result.output
    assert "13812345678" not in result.output and "13700001234" not in result.output


def _damaged(tmp_path: Path) -> Path:
    root = tmp_path / "damaged"
    root.mkdir(parents=True)
    (root / "ragged.csv").write_text("姓名,手机\n张三,13800000001\n李四,1,多余\n", encoding="utf-8")
    (root / "cut.json").write_text('[{"p": "13800000002"}, {"p": ', encoding="utf-8")
    rows = "".join(f"客户{i},139{i:08d}\n" for i in range(50)).encode()
    (root / "late.csv").write_bytes(b"name,phone\n" + rows + "王五,1".encode("gbk") + b"\n")
    (root / "bad.json").write_text("{", encoding="utf-8")
    return root


def test_files_read_in_part_are_named_with_a_warning(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 64)
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(_damaged(tmp_path)), "-o", str(out), "--no-prose"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "警告" in text and "3 个文件未能完整读取" in text
    assert "ragged.csv: 跳过 1 行" in text
    assert "late.csv: 1 行含无法解码的字节" in text
    assert "cut.json: JSON 格式错误（第 1 行第 30 列）" in text
    assert "bad.json: JSON 格式错误" in text  # skipped: nothing could be read
    assert "13800000002" not in text

    result = runner.invoke(
        app,
        ["--lang", "en", "scan", str(_damaged(tmp_path / "x")), "-o", str(out), "-f", "json"],
    )
    assert result.exit_code == 0
    summary = json.loads(result.stdout)  # the warning goes to stderr
    assert summary["files_with_errors"] == 1 and summary["skipped_rows"] == 1
    assert summary["undecodable_rows"] == 1 and summary["files_skipped"] == 1
    assert "Warning: 3 files were not read completely" in result.stderr
    said = " ".join(result.stderr.split())  # one of each: said in the singular
    assert "Skipped 1 file:" in said
    assert "ragged.csv: skipped 1 row (wrong number of fields" in said
    assert "late.csv: 1 row holds bytes that do not decode" in said


def test_what_was_skipped_is_named_by_the_kind_of_file(tmp_path: Path) -> None:
    """A JSON Lines file's line that is not JSON, or a PDF's page whose text could not be
    extracted, was reported as a row "with the wrong number of fields" (a CSV's words)."""
    from baomi.cli.scan import skipped_said

    root = tmp_path / "in"
    root.mkdir()
    (root / "orders.jsonl").write_text('{"p": "13800000002"}\n{"p": \n{"p": "1"}\n', "utf-8")
    result = runner.invoke(app, ["scan", str(root), "-o", str(tmp_path / "out"), "--no-prose"])
    assert result.exit_code == 0, result.output
    assert "orders.jsonl: 跳过 1 行（不是有效的 JSON）" in result.output
    assert "字段数" not in result.output
    assert "跳过 2 页（无法提取文本）" in skipped_said("合同.PDF", 2)
    assert "字段数不对" in skipped_said("客户.csv", 1)


def test_ner_backend_option_chooses_the_prose_model(tmp_path: Path, monkeypatch: object) -> None:
    """``--ner-backend`` picks the prose model as ``BAOMI_NER_BACKEND`` does (which still
    works without the option); an unknown name is refused before anything is scanned."""
    import pytest

    from baomi.engine.prose import backends

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    mp.setenv(backends.ENV_VAR, "lac")  # restored after the test: the option sets it
    small = _data(tmp_path)
    seen: list[str] = []

    def fake_scan(paths: object, **kwargs: object) -> object:
        seen.append(backends.backend_name())
        raise OSError(28, "stop here")

    mp.setattr("baomi.engine.scan.scan_paths", fake_scan)
    runner.invoke(app, ["scan", str(small), "-o", str(tmp_path / "o")])
    runner.invoke(app, ["scan", str(small), "-o", str(tmp_path / "p"), "--ner-backend", "Accurate"])
    assert seen == ["lac", "accurate"]
    bad = runner.invoke(app, ["scan", str(small), "-o", str(tmp_path / "q"), "--ner-backend", "x"])
    assert bad.exit_code == 2
    assert "--ner-backend" in bad.output
    assert seen == ["lac", "accurate"]


def test_the_neural_backend_without_its_model_is_refused_up_front(
    tmp_path: Path, monkeypatch: object
) -> None:
    """``neural``'s model is not shipped (``make model-neural`` builds it): choosing it before
    then is a clear error naming the make target, not a failure half-way through a scan."""
    import pytest

    from baomi.engine.prose import artefacts, backends

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    mp.setenv(backends.ENV_VAR, "crf")  # restored after the test: the option sets it
    mp.setattr(artefacts, "neural_model_built", lambda: False)
    small = _data(tmp_path)
    bad = runner.invoke(
        app, ["scan", str(small), "-o", str(tmp_path / "o"), "--ner-backend", "neural"]
    )
    assert bad.exit_code == 2
    assert "make model-neural" in bad.output
    assert not (tmp_path / "o").exists()


def test_a_list_of_names_under_a_title_is_named_by_its_header(tmp_path: Path) -> None:
    """A one-column list of names under a title (``客户名单`` / ``姓名`` / names): the column is
    named ``姓名`` and classified as names, in a CSV and in a workbook; ``姓名`` is no finding."""
    from openpyxl import Workbook

    names = ["张伟", "李娜", "欧阳明月", "王芳"]  # generated: common surnames, common given names
    root = tmp_path / "data"
    root.mkdir()
    (root / "名单.csv").write_text("\n".join(["客户名单", "姓名", *names]) + "\n", "utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户"
    for row in (["2024年客户名单"], [], ["姓名"], *([n] for n in names)):
        sheet.append(row)
    book.save(root / "名单.xlsx")

    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(root), "--out", str(out)])

    assert result.exit_code == 0, result.output
    inventory = json.loads((out / "inventory.json").read_text("utf-8"))
    columns = {
        f["path"]: [(c["name"], c["entity"], c["matches"]) for c in f["columns"]]
        for f in inventory["files"]
    }
    assert columns == {
        "名单.csv": [("姓名", "PERSON_NAME", len(names))],
        "名单.xlsx": [("姓名", "PERSON_NAME", len(names))],
    }
    assert all(f["rows"] == len(names) for f in inventory["files"])
    found = [json.loads(line) for line in (out / "findings.jsonl").read_text("utf-8").splitlines()]
    cells = sorted((f["file"], f["row"]) for f in found if f["column"] == "姓名")
    assert cells == sorted((file, row) for file in columns for row in range(len(names)))
    assert all(f["entity"] == "PERSON_NAME" for f in found if f["column"] == "姓名")
