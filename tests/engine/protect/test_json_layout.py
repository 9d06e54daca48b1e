"""JSON and JSON Lines keep their layout: compact or indented, escapes, blank lines, the last
newline; records the policy leaves alone are written back byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text

POLICY = load_policy_text("entities:\n  CN_MOBILE: {operator: mask}\nfingerprint: {marks: false}\n")


def _protect(tmp_path: Path, name: str, text: str) -> str:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    protect_paths(
        [src / name],
        POLICY,
        tmp_path / "out",
        keys=KeyProvider(b"json-layout-test-key-0123456789a"),
        options=ProtectOptions(recipient="甲", manifests_dir=tmp_path / "m"),
    )
    return (tmp_path / "out" / name).read_text(encoding="utf-8")


def test_compact_json_stays_compact_without_a_newline_added(tmp_path: Path) -> None:
    out = _protect(tmp_path, "c.json", '[{"a":1,"tel":"13812345678"}]')
    assert out == '[{"a":1,"tel":"138****5678"}]'


def test_indented_json_keeps_its_indent_escapes_and_last_newline(tmp_path: Path) -> None:
    data = [{"姓名": "客户", "tel": "13812345678"}]
    text = json.dumps(data, indent=4, ensure_ascii=True) + "\n"
    out = _protect(tmp_path, "i.json", text)
    assert out == json.dumps([{"姓名": "客户", "tel": "138****5678"}], indent=4) + "\n"


def test_json_lines_keep_blank_lines_and_untouched_records(tmp_path: Path) -> None:
    text = '{"tel": "13812345678"}\n\n{"note" :  "无",  "n": 1.50}\n{"tel":"13987654321"}'
    out = _protect(tmp_path, "b.jsonl", text)
    assert out == '{"tel": "138****5678"}\n\n{"note" :  "无",  "n": 1.50}\n{"tel":"139****4321"}'
