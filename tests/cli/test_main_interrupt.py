"""Ctrl-C while the command's modules load ends with a word, not a Python traceback."""

from __future__ import annotations

import pytest

from baomi.cli import main as entry


def test_ctrl_c_during_start_up_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(entry, "_mount", interrupted)
    monkeypatch.setattr("sys.argv", ["baomi", "scan", "x"])
    with pytest.raises(SystemExit) as done:
        entry.main()
    assert done.value.code == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("中断" in err or "interrupted" in err)
