"""``baomi demo DIR``: writes the data set, refuses a non-empty directory without --force."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from baomi.i18n import set_language

with warnings.catch_warnings():
    # typer 0.20 imports click helpers that the locked click 8.5 deprecates (not our code);
    # the suite turns warnings into errors, so import the CLI layer with that one silenced.
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer
    from typer.testing import CliRunner

    from baomi.cli import demo as demo_cli


def _app() -> typer.Typer:
    """The demo command alone, mounted the way ``baomi.cli.main`` mounts it."""
    app = typer.Typer()

    @app.callback()
    def _root(lang: str = typer.Option(None, "--lang")) -> None:
        set_language(lang)

    demo_cli.register(app)
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_writes_the_data_set_and_says_what(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "seller"
    result = runner.invoke(_app(), ["demo", str(out), "--rows", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "客户名单.csv").is_file() and (out / "合同" / "股权转让协议_001.docx").is_file()
    assert "客户名单.csv" in result.output and "个人信息" in result.output
    assert not list(tmp_path.glob("*truth*")) and not list(out.rglob("*truth*"))


def test_refuses_a_non_empty_directory_without_force(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(_app(), ["demo", str(tmp_path), "--rows", "5"])
    assert result.exit_code == 2
    assert "非空" in result.output and "--force" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]

    forced = runner.invoke(_app(), ["demo", str(tmp_path), "--rows", "5", "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "keep.txt").exists() and (tmp_path / "orders.jsonl").exists()


def test_english_on_request(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x", encoding="utf-8")
    result = runner.invoke(_app(), ["--lang", "en", "demo", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.output


def test_output_never_prints_raw_pi(runner: CliRunner, tmp_path: Path) -> None:
    from baomi.demo import generate_demo

    truth = generate_demo(tmp_path / "ref", seed=11, rows=10)
    result = runner.invoke(_app(), ["demo", str(tmp_path / "out"), "--rows", "10", "--seed", "11"])
    assert result.exit_code == 0
    rows = (tmp_path / "ref" / "客户名单.csv").read_text(encoding="gbk").splitlines()[1:]
    ids = [line.split(",")[3] for line in rows]
    assert len(ids) == 10 and truth.rows == 10
    assert not any(v in result.output for v in ids)


def test_next_step_quotes_a_folder_with_spaces_so_it_can_be_pasted(
    runner: CliRunner, tmp_path: Path
) -> None:
    import shlex

    out = tmp_path / "seller data 2026"
    result = runner.invoke(_app(), ["--lang", "en", "demo", str(out), "--rows", "5"])
    assert result.exit_code == 0, result.output
    hint = next(line for line in result.output.splitlines() if line.startswith("Next: "))
    assert shlex.split(hint.removeprefix("Next: ")) == ["baomi", "scan", str(out)]
