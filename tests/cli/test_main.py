"""The console entry point turns file-system failures into one clear line."""

from __future__ import annotations

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
