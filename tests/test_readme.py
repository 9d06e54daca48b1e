"""The README's commands work as written: the quick start's targets exist, and the command
block of the Chinese section runs end to end in an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(heading: str) -> list[str]:
    section = README.split(heading, 1)[1]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def test_quick_start_is_two_make_targets_that_exist() -> None:
    quick = _blocks("## 快速开始")[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: ", makefile, flags=re.M) and re.search(
        r"^test: ", makefile, flags=re.M
    )
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_command_block_runs_in_an_empty_folder(tmp_path: Path) -> None:
    script = _blocks("## 常用命令")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOMI_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "var" / "scan" / "findings.jsonl").is_file()
    assert (tmp_path / "pkg-买方A" / "manifest.json").is_file()
    assert "证书有效" in result.stdout
