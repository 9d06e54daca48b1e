"""``baomi subject``: take a request in, verify, answer or refuse; bad input refused."""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pytest

from baomi.i18n import set_language
from tests.cli.test_vault_cli import Cli, env
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import subject, vault

__all__ = ["database_url", "env"]


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:
    c = Cli(env)
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault.register(app)
    subject.register(app)
    c.app = app
    return c


def test_intake_verify_answer_close(cli: Cli) -> None:
    cli("keys", "init")
    received = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(days=31)).isoformat()
    data = json.loads(
        cli(
            "subject",
            "intake",
            "--kind",
            "access",
            "--contact",
            "13812345678",
            "--received",
            received,
            "--format",
            "json",
        )
    )
    assert data["status"] == "open" and data["overdue"] and data["reference"].startswith("DSR-")
    assert "逾期" in cli("subject", "list")
    verified = json.loads(
        cli(
            "subject",
            "verify",
            data["reference"],
            "--method",
            "sms_code",
            "--identifier",
            "13812345678",
            "--format",
            "json",
        )
    )
    assert verified["status"] == "verified"
    assert "13812345678" not in json.dumps(verified["verifications"])
    answered = json.loads(cli("subject", "status", data["id"], "answered", "--format", "json"))
    assert answered["status"] == "answered" and not answered["overdue"]
    assert "已答复" in cli("subject", "show", data["id"])
    cli("subject", "status", data["id"], "closed")


def test_refusal_needs_reasons_and_bad_choices_are_refused(cli: Cli) -> None:
    cli("keys", "init")
    data = json.loads(
        cli("subject", "intake", "--kind", "deletion", "--contact", "a@b.cn", "--format", "json")
    )
    assert "PIPL-50" in cli("subject", "status", data["id"], "refused", code=1, BAOMI_LANG="en")
    out = cli("subject", "status", data["id"], "refused", "--reason", "法定保存期限未届满")
    assert "法定保存期限未届满" in out
    cli("subject", "intake", "--kind", "nonsense", "--contact", "x", code=2)
    cli("subject", "verify", data["id"], "--method", "nonsense", code=2)
    cli("subject", "intake", "--kind", "access", "--contact", " ", code=1)


# --- baomi subject find ----------------------------------------------------------------------

#: (file, sheet, row, column, entity, the text the generator wrote there)
Written = list[tuple[str, str | None, int, str | None, str, str]]


def _demo(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Written:
    """The demo data set, and every identifier's text where the generator wrote it (the oracle
    the search is checked against: independent of the scan)."""
    from baomi.demo import generator

    written: Written = []
    cell, text = generator._Builder.cell, generator._Builder.text

    def record_cell(
        self: Any,
        file: str,
        sheet: str | None,
        row: int,
        column: str | None,
        value: str,
        entity: str,
        who: Any = None,
    ) -> str:
        if value:
            written.append((file, sheet, row, column, entity, value))
        return cell(self, file, sheet, row, column, value, entity, who)

    def record_text(
        self: Any, file: str, sheet: str | None, row: int, column: str | None, t: Any
    ) -> str:
        for start, end, entity in t.spans:
            written.append((file, sheet, row, column, entity, t.text[start:end]))
        return text(self, file, sheet, row, column, t)

    monkeypatch.setattr(generator._Builder, "cell", record_cell)
    monkeypatch.setattr(generator._Builder, "text", record_text)
    truth = generator.generate_demo(directory, rows=40)
    assert len(written) == len(truth.spans)
    return written


def _canonical(entity: str, raw: str) -> str:
    flat = "".join(unicodedata.normalize("NFKC", raw).split())
    if entity == "CN_MOBILE":
        return re.sub(r"[^0-9]", "", flat)[-11:]
    return flat.upper() if entity == "CN_RESIDENT_ID" else flat.lower()


def _expected(written: Written, entity: str, value: str) -> set[tuple[Any, ...]]:
    return {
        (f, s, r, c)
        for f, s, r, c, e, raw in written
        if e == entity and _canonical(e, raw) == _canonical(e, value)
    }


def _found(cli: Cli, *args: str) -> set[tuple[Any, ...]]:
    data = json.loads(cli("subject", "find", *args, "--format", "json"))
    return {(h["file"], h["sheet"], h["row"], h["column"]) for h in data["hits"]}


def _spellings(mobile: str) -> list[str]:
    wide = mobile.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return [
        mobile,
        f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
        wide,
        f"＋８６ {wide}",
    ]


@pytest.mark.slow
def test_find_every_occurrence_of_a_demo_person_in_a_scan(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    written = _demo(data, monkeypatch)
    cli("keys", "init")
    scan_out = tmp_path / "out"
    from baomi.engine.scan.model import ScanOptions
    from baomi.engine.scan.run import scan_paths

    scan_paths([data], out_dir=scan_out, options=ScanOptions(prose=False))
    where = ("--scan", str(scan_out), "--root", str(data))
    people = [w for w in written if w[4] in ("CN_MOBILE", "CN_RESIDENT_ID", "EMAIL")]
    chosen = {
        e: [raw for *_, ent, raw in people if ent == e][:3]
        for e in ("CN_MOBILE", "CN_RESIDENT_ID", "EMAIL")
    }
    option = {"CN_MOBILE": "--mobile", "CN_RESIDENT_ID": "--id", "EMAIL": "--email"}
    for entity, values in chosen.items():
        assert values
        for value in values:
            expected = _expected(written, entity, value)
            assert expected and _found(cli, *where, option[entity], value) == expected, value
    mobile = _canonical("CN_MOBILE", chosen["CN_MOBILE"][0])
    expected = _expected(written, "CN_MOBILE", mobile)
    for spelling in _spellings(mobile):
        assert _found(cli, *where, "--mobile", spelling) == expected, spelling
    # a person who is not there: nothing
    assert _found(cli, *where, "--mobile", "13000000000") == set()
    # no identifier value in the table's title or the audit
    out = cli("subject", "find", *where, "--mobile", mobile)
    assert "客户名单.csv" in out


def _demo_deal(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Written:
    """The demo data set added to the deal ACME."""
    data = tmp_path / "data"
    written = _demo(data, monkeypatch)
    cli("keys", "init")
    cli("deal", "create", "ACME")
    cli("deal", "add", "ACME", str(data))
    return written


def test_find_in_a_deal_and_refusals(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _demo_deal(cli, tmp_path, monkeypatch)
    mobile = next(_canonical(e, raw) for *_, e, raw in written if e == "CN_MOBILE")
    expected = {
        (f.replace("\\", "/"), s, r, c) for f, s, r, c in _expected(written, "CN_MOBILE", mobile)
    }
    found = _found(cli, "--deal", "ACME", "--mobile", _spellings(mobile)[1])
    assert {(Path(f).name, s, r, c) for f, s, r, c in found} == {
        (Path(f).name, s, r, c) for f, s, r, c in expected
    }
    cli("subject", "find", "--deal", "ACME", code=2)  # no identifier
    cli("subject", "find", "--deal", "ACME", "--id", "1", "--mobile", "2", code=2)
    cli("subject", "find", "--scan", str(tmp_path), "--mobile", mobile, code=2)  # no --root
    cli("subject", "find", "--mobile", mobile, code=2)  # neither --deal nor --scan
    assert "subject.find" not in cli("subject", "find", "--deal", "ACME", "--mobile", " ", code=1)


def test_a_request_linked_to_its_search_and_the_response_package(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "客户.csv").write_text(
        "姓名,手机,城市\n张三,13812345678,北京\n李四,13900001111,上海\n张三,+86 138 1234 5678,天津\n",
        encoding="utf-8",
    )
    cli("keys", "init")
    cli("deal", "create", "ACME")
    cli("deal", "add", "ACME", str(data))
    req = json.loads(
        cli("subject", "intake", "--kind", "access", "--contact", "a@b.cn", "--format", "json")
    )
    out = tmp_path / "package.json"
    cli("subject", "export", req["id"], "--out", str(out), code=1)  # not verified yet
    cli("subject", "verify", req["id"], "--method", "sms_code")
    cli("subject", "export", req["id"], "--out", str(out), code=1)  # no search yet
    cli("subject", "find", "--deal", "ACME", "--mobile", "13812345678", "--request", req["id"])
    shown = json.loads(cli("subject", "show", req["id"], "--format", "json"))
    assert shown["search"]["per_file"] == {"客户.csv": 2}
    assert "客户.csv ×2" in cli("subject", "show", req["id"])
    assert "2" in cli("subject", "export", req["id"], "--out", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package["reference"] == req["reference"]
    assert [(r["row"], r["values"]["城市"]) for r in package["records"]] == [
        (0, "北京"),
        (2, "天津"),
    ]
    assert "13900001111" not in out.read_text(encoding="utf-8")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    cli("subject", "export", req["id"], "--out", str(out), code=1)  # never overwrites


def test_name_and_phone_formats_apply_and_purge(cli: Cli, tmp_path: Path) -> None:
    from baomi.cli import scan as scan_cli

    assert cli.app is not None
    scan_cli.register(cli.app)
    data = tmp_path / "data"
    data.mkdir()
    (data / "客户.csv").write_text(
        "姓名,手机,城市\n张三,13812345678,北京\n李四,13812345678,上海\n王五,13900001111,天津\n",
        encoding="utf-8",
    )
    cli("keys", "init")
    cli("deal", "create", "ACME")
    cli("deal", "add", "ACME", str(data))
    req = json.loads(
        cli("subject", "intake", "--kind", "deletion", "--contact", "a@b.cn", "--format", "json")
    )
    cli("subject", "verify", req["id"], "--method", "sms_code")
    found = _found(cli, "--deal", "ACME", "--mobile", "１３８１２３４５６７８", "--name", "张 三")
    assert found == {("客户.csv", None, 0, "手机"), ("客户.csv", None, 0, "姓名")}
    cli(
        "subject",
        "find",
        "--deal",
        "ACME",
        "--mobile",
        "13812345678",
        "--name",
        "张三",
        "--request",
        req["id"],
    )
    out = tmp_path / "package.csv"
    cli("subject", "export", req["id"], "--out", str(out), "--format", "csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "北京" in out.read_text("utf-8-sig")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    cli("subject", "export", req["id"], "--out", str(tmp_path / "p.x"), "--format", "pdf", code=2)
    # without --format the file's suffix decides (an .xlsx was written as JSON)
    xlsx = tmp_path / "package.xlsx"
    cli("subject", "export", req["id"], "--out", str(xlsx))
    assert xlsx.read_bytes()[:2] == b"PK"
    applied = json.loads(cli("subject", "apply", req["id"], "--format", "json"))
    assert [(v["file"], v["rows"]) for v in applied["versions"]] == [("客户.csv", 1)]
    assert _found(cli, "--deal", "ACME", "--mobile", "13812345678", "--name", "张三") == set()
    assert _found(cli, "--deal", "ACME", "--mobile", "13812345678") == {
        ("客户.csv", None, 0, "手机")
    }
    # the original is kept until its retention ends: nothing to shred today
    assert json.loads(cli("subject", "purge", "--format", "json")) == []
    # a scan's output folder gets the person index when asked
    scan_out = tmp_path / "scan"
    cli("scan", str(data), "--out", str(scan_out), "--person-index", "--no-prose")
    assert (scan_out / "person_index.sealed").is_file()
    assert _found(
        cli,
        "--scan",
        str(scan_out),
        "--root",
        str(data),
        "--mobile",
        "13812345678",
        "--name",
        "李四",
    ) == {("客户.csv", None, 1, "手机"), ("客户.csv", None, 1, "姓名")}


def _per_file(cli: Cli, mobile: str) -> dict[str, int]:
    data = json.loads(
        cli("subject", "find", "--deal", "ACME", "--mobile", mobile, "--format", "json")
    )
    return dict(data["per_file"])


def test_a_deletion_in_the_demo_data_leaves_no_occurrence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _demo_deal(cli, tmp_path, monkeypatch)
    mobiles = sorted({_canonical(e, raw) for *_, e, raw in written if e == "CN_MOBILE"})

    def files_of(m: str) -> set[str]:
        return {f for f, *_ in _expected(written, "CN_MOBILE", m)}

    # the person found in the most files, and a few others to watch
    mobile = max(mobiles, key=lambda m: (len(files_of(m)), m))
    before = _found(cli, "--deal", "ACME", "--mobile", mobile)
    assert {(Path(f).name, s, r, c) for f, s, r, c in before} == {
        (Path(f).name, s, r, c) for f, s, r, c in _expected(written, "CN_MOBILE", mobile)
    }
    others = [m for m in mobiles if m != mobile][:5]
    others_before = {m: _per_file(cli, m) for m in others}
    req = json.loads(
        cli("subject", "intake", "--kind", "deletion", "--contact", "a@b.cn", "--format", "json")
    )
    cli("subject", "verify", req["id"], "--method", "id_document")
    cli("subject", "find", "--deal", "ACME", "--mobile", mobile, "--request", req["id"])
    applied = json.loads(cli("subject", "apply", req["id"], "--format", "json"))
    changed = {v["file"] for v in applied["versions"]}
    skipped = {f for f, _why in applied["skipped"]}
    assert changed and changed | skipped == {f for f, *_ in before}
    assert sum(v["rows"] for v in applied["versions"]) == len(
        {(f, s, r) for f, s, r, _c in before if f in changed}
    )
    after = _found(cli, "--deal", "ACME", "--mobile", mobile)
    # no occurrence left in a new version; only the documents left to a person keep theirs
    assert after == {h for h in before if h[0] in skipped}
    # the other people's occurrences are all still there (their rows moved up, not removed)
    assert {m: _per_file(cli, m) for m in others} == others_before
