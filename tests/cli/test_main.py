"""The console entry point turns file-system failures into one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_an_unwritable_target_gives_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code = "from baomi.cli.main import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "demo", str(blocker / "demo")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "文件操作失败" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_during_protect_leaves_no_half_written_package(tmp_path: Path) -> None:
    """`kill` (SIGTERM) is how a service manager or a user stops a run: the partial package is
    removed as for Ctrl-C. The process sends itself SIGTERM while reading the second file."""
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.csv", "b.csv"):
        (src / name).write_text("姓名,手机\n张伟,13812345678\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("entities:\n  CN_MOBILE: {operator: mask}\n", encoding="utf-8")
    code = (
        "import os, signal\n"
        "from baomi.engine.protect import package\n"
        "real, seen = package.load, []\n"
        "def load(path):\n"
        "    seen.append(path)\n"
        "    if len(seen) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(path)\n"
        "package.load = load\n"
        "from baomi.cli.main import main\n"
        "main()\n"
    )
    args = [
        "protect",
        str(src),
        "--policy",
        str(tmp_path / "p.yaml"),
        "--out",
        str(tmp_path / "out"),
    ]
    args += ["--manifests", str(tmp_path / "m")]
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 128 + 15
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "p.yaml"]


SHAPE = """
import json, sys
import click, typer
from baomi.cli import main

def shape(cmd):
    if isinstance(cmd, click.Group):
        return {name: shape(sub) for name, sub in cmd.commands.items()}
    return sorted(p.name or "" for p in cmd.params)

how, words = sys.argv[1], sys.argv[2:]
if how == "whole":
    app = main.app
else:
    app = main._mount(tuple(sorted({main.COMMAND_NAMES[word] for word in words})))
group = typer.main.get_command(app)
print(json.dumps({w: shape(group.commands[w]) for w in words}, sort_keys=True))
"""


def test_a_command_mounted_alone_is_the_same_command_as_in_the_whole_cli() -> None:
    """``baomi scan`` mounts only the scan's module: what it offers must be what the whole CLI
    offers under that name (no other module adds options or subcommands to it). Each module in
    a fresh interpreter: a module that extends another's group does so when imported."""
    from baomi.cli.main import COMMAND_NAMES

    def shapes(how: str, words: list[str]) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", SHAPE, how, *words], capture_output=True, text=True, check=True
        )
        loaded: dict[str, object] = json.loads(done.stdout)
        return loaded

    whole = shapes("whole", list(COMMAND_NAMES))
    by_module: dict[str, list[str]] = {}
    for word, module in COMMAND_NAMES.items():
        by_module.setdefault(module, []).append(word)
    for words in by_module.values():
        alone = shapes("alone", words)
        for word in words:
            assert alone[word] == whole[word], word
            assert whole[word], word  # a command with no options at all would prove nothing


def test_lang_is_taken_anywhere_on_the_command_line(tmp_path: Path) -> None:
    """``baomi scan … --lang en`` said "No such option '--lang'": the switch was the root's
    alone, so it worked only before the command word."""
    missing = str(tmp_path / "nothing-here")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = "from baomi.cli.main import main; main()"
        env = {k: v for k, v in os.environ.items() if k != "BAOMI_LANG"}
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )

    for args in (
        ("--lang", "en", "scan", missing),  # as before
        ("scan", missing, "--lang", "en"),
        ("scan", "--lang", "en", missing),
        ("scan", missing, "--lang=en"),
    ):
        done = run(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "does not exist" in done.stderr and "--lang" not in done.stderr, args
    chinese = run("scan", missing, "--lang", "zh")
    assert "不存在" in chinese.stderr and "--lang" not in chinese.stderr
    # after ``--`` everything is an argument: a file named --lang is scanned, not a switch
    assert "--lang" in run("scan", "--", "--lang", "en").stderr
