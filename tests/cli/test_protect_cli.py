"""The protect commands end to end: policy init, protect --verify, risk, trace, detokenize."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.audit_chain import SealedEvent
from baomi.services.audit_sink import FileAuditSink
from tests.engine.protect.test_package import customers, write_csv

with warnings.catch_warnings():
    # typer imports click helpers that the locked click deprecates (not our code)
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer
    from click.testing import Result
    from typer.testing import CliRunner

    from baomi.cli import protect as protect_cli

runner = CliRunner()
app = typer.Typer()


@app.callback()
def _root() -> None:
    """The protect commands alone, mounted the way ``baomi.cli.main`` mounts them."""


protect_cli.register(app)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BAOMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BAOMI_LANG", "en")
    monkeypatch.delenv("BAOMI_PROTECT_KEY", raising=False)
    for var in ("MASTER_KEY_FILE", "MASTER_KEY", "PASSPHRASE", "KEYSTORE", "DATABASE_URL", "ENV"):
        monkeypatch.delenv(f"BAOMI_{var}", raising=False)  # no vault unless a test makes one
    write_csv(tmp_path / "seller" / "客户.csv", customers(40))
    return tmp_path


def test_policy_init_protect_verify_risk_trace(env: Path) -> None:
    r = runner.invoke(
        app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")]
    )
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["policy", "check", str(env / "p.yaml")]).exit_code == 0
    r = runner.invoke(
        app,
        [
            "protect",
            str(env / "seller"),
            "--policy",
            str(env / "p.yaml"),
            "--out",
            str(env / "pkg"),
            "--recipient",
            "buyer-A",
            "--key-file",
            str(env / "k.key"),
            "--verify",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "verify passed" in r.output
    manifest = json.loads((env / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["recipient"] == "buyer-A"
    r = runner.invoke(app, ["risk", str(env / "pkg" / "客户.csv"), "--qi", "性别", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["records"] == 40
    leak = env / "leak.csv"
    df = pl.read_csv(env / "pkg" / "客户.csv", infer_schema=False).sample(20, seed=2, shuffle=True)
    df.write_csv(leak)
    r = runner.invoke(app, ["trace", str(leak)])
    assert r.exit_code == 0, r.output
    assert "buyer-A" in r.output
    # a percentage that never reads as certainty, and the chance of a wrong match
    assert "1.000000" not in r.output and "100.0000%" not in r.output
    events = [e.event for e in _audit_log(env)]
    assert [(e.action, e.details["recipient"]) for e in events] == [
        ("protect.run", "buyer-A"),
        ("protect.trace", "buyer-A"),
    ]
    assert re.search(
        r"confidence (> )?\d+\.\d{4}% \(chance of a wrong match \d\.\de-\d+\)", r.output
    )


def test_trace_names_every_source_of_merged_leaks_and_exits_0(env: Path) -> None:
    """Two recipients' fragments merged (collusion): both are named, each on its line; the
    leak cleaned of invisible characters first (issue 16)."""
    write_csv(env / "seller" / "客户.csv", customers(200, seed=16))
    runner.invoke(app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")])
    frames = []
    for recipient in ("buyer-A", "buyer-B"):
        r = runner.invoke(
            app,
            [
                "protect",
                str(env / "seller"),
                "--policy",
                str(env / "p.yaml"),
                "--out",
                str(env / recipient),
                "--recipient",
                recipient,
                "--key-file",
                str(env / "k.key"),
            ],
        )
        assert r.exit_code == 0, r.output
        frames.append(pl.read_csv(env / recipient / "客户.csv", infer_schema=False).head(60))
    leak = env / "leak.csv"
    merged = pl.concat(frames).sample(fraction=1.0, seed=3, shuffle=True)
    text = merged.write_csv()
    leak.write_text(re.sub("[\u200b-\u200d\u2060\ufeff]", "", text), encoding="utf-8")
    r = runner.invoke(app, ["trace", str(leak)])
    assert r.exit_code == 0, r.output
    assert "several packages" in r.output
    named = re.findall(r"recipient: (buyer-\w)", r.output)
    assert sorted(named) == ["buyer-A", "buyer-B"]


def test_policy_error_names_the_line(env: Path) -> None:
    (env / "bad.yaml").write_text("entities:\n  CN_MOBILE: {operator: nope}\n", encoding="utf-8")
    r = runner.invoke(
        app,
        [
            "protect",
            str(env / "seller"),
            "--policy",
            str(env / "bad.yaml"),
            "--out",
            str(env / "o"),
        ],
    )
    assert r.exit_code == 1
    assert "bad.yaml:2" in r.output and not (env / "o").exists()


def test_tokenize_and_detokenize_is_logged(env: Path) -> None:
    (env / "k.key").write_text("ab" * 32, encoding="utf-8")
    (env / "t.yaml").write_text("entities:\n  CN_MOBILE: {operator: tokenize}\n", encoding="utf-8")
    vault = env / "tokens.vault"
    r = runner.invoke(
        app,
        [
            "protect",
            str(env / "seller"),
            "--policy",
            str(env / "t.yaml"),
            "--out",
            str(env / "pkg"),
            "--key-file",
            str(env / "k.key"),
            "--vault",
            str(vault),
        ],
    )
    assert r.exit_code == 0, r.output
    original = (env / "seller" / "客户.csv").read_text(encoding="utf-8")
    out = env / "restored.csv"
    r = runner.invoke(
        app,
        [
            "detokenize",
            str(env / "pkg" / "客户.csv"),
            "--vault",
            str(vault),
            "--out",
            str(out),
            "--key-file",
            str(env / "k.key"),
        ],
    )
    assert r.exit_code == 0, r.output
    restored = pl.read_csv(out, infer_schema=False)["手机号"].to_list()
    assert restored == pl.read_csv(original.encode(), infer_schema=False)["手机号"].to_list()
    # the mobiles inside the notes (回拨138…, glued to Chinese text) come back too
    assert out.read_text(encoding="utf-8") == original
    log = (env / "home" / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"tokens": 60' in log and restored[0] not in log
    assert [e.event.action for e in _audit_log(env)] == ["protect.run", "protect.detokenize"]


def test_a_raw_binary_key_file_works_and_a_short_one_is_a_clear_error(env: Path) -> None:
    """``head -c 32 /dev/urandom > key`` is a common way to make a key: raw bytes are a
    secret as good as hex; a file too short to be one is refused with a message."""
    r = runner.invoke(app, ["policy", "init", str(env / "p.yaml")])
    assert r.exit_code == 0, r.output
    raw = env / "raw.key"
    raw.write_bytes(b"\xff\xfe" + bytes(range(30)))  # not UTF-8
    args = ["protect", str(env / "seller"), "--policy", str(env / "p.yaml"), "--recipient", "B"]
    r = runner.invoke(app, [*args, "--out", str(env / "pkg"), "--key-file", str(raw)])
    assert r.exit_code == 0, r.output
    short = env / "short.key"
    short.write_bytes(b"\xff\x00\x01")
    r = runner.invoke(app, [*args, "--out", str(env / "pkg2"), "--key-file", str(short)])
    assert r.exit_code == 1 and "key too short" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def _audit_log(env: Path) -> list[SealedEvent]:
    """The events of the hash-chained file the protect commands record in without a vault;
    the chain must verify."""
    sink = FileAuditSink(env / "home" / "logs" / "audit.jsonl")
    assert sink.verify().ok
    return sink.events()


def _tokenize_package(env: Path, policy: str) -> Path:
    """Protect ``env/seller`` with ``policy`` into ``env/pkg``; returns the vault."""
    (env / "k.key").write_text("ab" * 32, encoding="utf-8")
    (env / "t.yaml").write_text(policy, encoding="utf-8")
    vault = env / "tokens.vault"
    args = ["protect", str(env / "seller"), "--policy", str(env / "t.yaml")]
    args += ["--out", str(env / "pkg"), "--key-file", str(env / "k.key"), "--vault", str(vault)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return vault


def test_detokenize_a_gbk_package_with_tokens_in_chinese_text_and_a_lowercase_prefix(
    env: Path,
) -> None:
    rows = customers(10)
    write_csv(env / "seller" / "客户.csv", rows, encoding="gbk")
    vault = _tokenize_package(
        env,
        "entities:\n  CN_MOBILE: {operator: tokenize}\n"
        "  CN_RESIDENT_ID: {operator: tokenize, prefix: tk}\nfingerprint: {marks: false}\n",
    )
    package = (env / "pkg" / "客户.csv").read_bytes().decode("gb18030")
    assert "tk_" in package and "回拨TKN_" in package  # a token glued to Chinese text
    out = env / "restored.csv"
    args = ["detokenize", str(env / "pkg" / "客户.csv"), "--vault", str(vault)]
    r = runner.invoke(app, [*args, "--out", str(out), "--key-file", str(env / "k.key")])
    assert r.exit_code == 0, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert out.read_bytes() == (env / "seller" / "客户.csv").read_bytes()


def test_detokenize_with_a_missing_vault_is_an_error_and_writes_nothing(env: Path) -> None:
    _tokenize_package(env, "entities:\n  CN_MOBILE: {operator: tokenize}\n")
    out = env / "restored.csv"
    args = ["detokenize", str(env / "pkg" / "客户.csv"), "--vault", str(env / "nope.vault")]
    r = runner.invoke(app, [*args, "--out", str(out), "--key-file", str(env / "k.key")])
    assert r.exit_code == 1, r.output
    assert "nope.vault" in r.output and "tokens restored" not in r.output
    assert not out.exists() and not (env / "nope.vault").exists()
    assert [e.event.action for e in _audit_log(env)] == ["protect.run"]  # nothing for detokenize


def test_policy_init_never_replaces_an_existing_key(env: Path) -> None:
    key, policy = env / "k.key", env / "p.yaml"
    r = runner.invoke(app, ["policy", "init", str(policy), "--key-file", str(key)])
    assert r.exit_code == 0, r.output
    secret = key.read_bytes()
    policy.write_text("# edited\n", encoding="utf-8")
    r = runner.invoke(app, ["policy", "init", str(policy), "--key-file", str(key), "--force"])
    assert r.exit_code == 1 and "k.key" in r.output, r.output
    assert key.read_bytes() == secret
    assert policy.read_text(encoding="utf-8") == "# edited\n"  # nothing written at all
    # only the key exists: refused before the policy is written
    r = runner.invoke(app, ["policy", "init", str(env / "p2.yaml"), "--key-file", str(key)])
    assert r.exit_code == 1 and "k.key" in r.output, r.output
    assert not (env / "p2.yaml").exists() and key.read_bytes() == secret
    # --force still replaces the policy itself
    r = runner.invoke(app, ["policy", "init", str(policy), "--force"])
    assert r.exit_code == 0, r.output
    assert policy.read_text(encoding="utf-8").startswith("# baomi")


def test_policy_init_makes_a_key_only_its_owner_can_read(env: Path) -> None:
    key = env / "keys" / "k.key"
    r = runner.invoke(app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(key)])
    assert r.exit_code == 0, r.output
    assert key.stat().st_mode & 0o077 == 0
    assert len(bytes.fromhex(key.read_text(encoding="utf-8").strip())) == 32


@pytest.mark.parametrize("folder", ["m-typo", "empty"])
def test_trace_without_trace_records_says_so(env: Path, folder: str) -> None:
    (env / "empty").mkdir()
    r = runner.invoke(
        app, ["trace", str(env / "seller" / "客户.csv"), "--manifests", str(env / folder)]
    )
    assert r.exit_code == 4, r.output
    assert "no trace records" in r.output and folder in r.output
    assert "unknown" not in r.output


def test_with_a_vault_the_protect_commands_record_in_its_audit_chain(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from baomi.services import keys
    from baomi.services.vault import open_vault
    from baomi.settings import Settings
    from baomi.storage.models import AuditEventRow
    from tests.vault_support import admin

    monkeypatch.setenv("BAOMI_MASTER_KEY_FILE", str(env / "master.key"))
    keys.init(Settings(), actor=admin())
    _tokenize_package(env, "entities:\n  CN_MOBILE: {operator: tokenize}\n")
    with open_vault(Settings()) as vault, vault.reading() as session:
        rows = session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
        assert [(r.action, r.outcome) for r in rows] == [
            ("keys.init", "success"),
            ("protect.run", "success"),
        ]
    assert not (env / "home" / "logs" / "audit.jsonl").exists()


def _protect_seller(env: Path) -> Result:
    """``policy init`` then ``protect`` of the seller folder into ``pkg`` (both succeed)."""
    r = runner.invoke(
        app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")]
    )
    assert r.exit_code == 0, r.output
    args = ["protect", str(env / "seller"), "--policy", str(env / "p.yaml")]
    r = runner.invoke(app, [*args, "--out", str(env / "pkg"), "--key-file", str(env / "k.key")])
    assert r.exit_code == 0, r.output
    return r


def test_protect_says_a_broken_csv_row_was_left_out(env: Path) -> None:
    with (env / "seller" / "客户.csv").open("a", encoding="utf-8") as fh:
        fh.write("多,一,列,13812345678,a,b,c,d,e\n")  # more fields than the header
    r = _protect_seller(env)
    assert "unreadable rows skipped 1" in " ".join(r.output.split())
    manifest = json.loads((env / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][0]["tables"][0]["skipped_rows"] == 1
    assert "13812345678" not in (env / "pkg" / "客户.csv").read_text(encoding="utf-8")


def test_protect_verify_prints_unconfirmed_values(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model-only reading of protect's own masks (谢谢东* read as 谢东) passes the run and
    is printed by file and column, without the value."""
    from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
    from baomi.engine.recognizers.registry import Registry
    from tests.engine.protect.test_package import _ReadsItsOwnMasks

    names = ProsePersonNameRecognizer(_ReadsItsOwnMasks())  # type: ignore[arg-type]
    registry = Registry([*Registry.default().without_models(), names])
    monkeypatch.setattr(Registry, "default", classmethod(lambda cls, **_: registry))
    rows = [{"姓名": "谢东", "备注": "无"}, {"姓名": "韩梅", "备注": "谢谢东西"}]
    write_csv(env / "notes" / "n.csv", rows)
    runner.invoke(app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")])
    args = ["--policy", str(env / "p.yaml"), "--out", str(env / "o"), "--recipient", "甲"]
    args += ["--key-file", str(env / "k.key"), "--verify"]
    r = runner.invoke(app, ["protect", str(env / "notes"), *args])
    assert r.exit_code == 0, r.output
    assert "verify passed" in r.output and "1 unconfirmed" in r.output
    assert "n.csv:备注 (1)" in r.output and "谢东" not in r.output


def test_an_error_during_the_progress_display_is_shown_whole_on_its_own_line(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap refusal comes while the progress bar is live: on a terminal it must not be
    written after the bar's last frame (a user saw ``…0/Noneerror: sub:`` and the message
    broken over the bar's row)."""
    from tests.cli.terminal import screen

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    runner.invoke(app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")])
    args = ["--policy", str(env / "p.yaml"), "--key-file", str(env / "k.key")]
    out = env / "seller" / "sub"
    r = runner.invoke(app, ["protect", str(env / "seller"), *args, "--out", str(out)])
    assert r.exit_code == 1
    rows = [row for row in screen(r.output, 80) if row.strip()]
    message = "error: sub: the output folder must not overlap the input (inside it or holding it)"
    assert rows[0].startswith("error: sub:")
    assert message in "".join(rows)
    assert not any("━" in row for row in rows)  # the transient bar is gone
    assert not out.exists()


def test_console_and_manifest_name_changes_beside_the_cells(env: Path) -> None:
    """A workbook whose cells hold nothing to protect but whose comment and author do: the
    manifest counts what was changed beside the cells, and the console's 处理 column says so
    instead of staying blank (the recipient would otherwise read "nothing done")."""
    import openpyxl
    from openpyxl.comments import Comment

    folder = env / "extras"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["产品", "数量"])
    ws.append(["螺丝", 3])
    ws["A2"].comment = Comment(f"客户电话 {customers(1)[0]['手机号']}", "经理")
    wb.properties.creator = "某人"
    wb.save(folder / "a.xlsx")
    r = runner.invoke(
        app, ["policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key")]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        [
            "protect",
            str(folder),
            "--policy",
            str(env / "p.yaml"),
            "--out",
            str(env / "pkg"),
            "--key-file",
            str(env / "k.key"),
            "--verify",
        ],
    )
    assert r.exit_code == 0, r.output
    manifest = json.loads((env / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert entry["extras_changed"] == 1  # the comment; the author, always left out, is not counted
    row = next(line for line in r.output.splitlines() if "a.xlsx" in line)
    assert "comments, headers, properties, links, pivots: 1" in row  # all it may count
    # a file with nothing beside its cells keeps the manifest as it was: no such key
    r = runner.invoke(
        app,
        [
            "protect",
            str(env / "seller"),
            "--policy",
            str(env / "p.yaml"),
            "--out",
            str(env / "pkg2"),
            "--key-file",
            str(env / "k.key"),
        ],
    )
    assert r.exit_code == 0, r.output
    manifest = json.loads((env / "pkg2" / "manifest.json").read_text(encoding="utf-8"))
    assert all("extras_changed" not in f for f in manifest["files"])


def test_a_missing_policy_or_hierarchy_file_is_said_in_the_interface_language(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped policy path answered "错误: nope.yaml: No such file or directory" — the
    operating system's English in the Chinese interface; a missing hierarchy file the same in
    English only. Both say what could not be read, Chinese first."""
    args = ["protect", str(env / "seller"), "--out", str(env / "o"), "--policy"]
    r = runner.invoke(app, [*args, str(env / "nope.yaml")])
    assert r.exit_code == 1
    assert "cannot read the policy file" in r.output and "nope.yaml" in r.output
    monkeypatch.setenv("BAOMI_LANG", "zh")
    r = runner.invoke(app, [*args, str(env / "nope.yaml")])
    assert "无法读取策略文件" in r.output and "No such file" not in r.output
    (env / "h.yaml").write_text(
        "quasi_identifiers:\n  columns: [性别]\n  hierarchies: {性别: none.csv}\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, [*args, str(env / "h.yaml")])
    assert r.exit_code == 1
    assert "无法读取层级文件" in r.output and "none.csv" in r.output
    assert not (env / "o").exists()


def test_the_files_left_out_are_listed_in_the_consoles_language(env: Path) -> None:
    """In English the unreadable files were listed with Chinese full-width brackets."""
    (env / "seller" / "空.xlsx").write_bytes(b"")
    (env / "seller" / "坏.docx").write_bytes(b"PK\x03\x04 broken")
    r = _protect_seller(env)
    said = " ".join(r.output.split())
    assert "2 unreadable file(s) left out of the package" in said
    assert "坏.docx (not a valid .docx file (corrupt)), 空.xlsx (empty file)" in said
    assert "（" not in said
