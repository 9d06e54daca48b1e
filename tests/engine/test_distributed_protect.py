"""``protect --engine dask``: files protected on a LocalCluster's workers, the package byte
for byte that of a one-process run with the same key (and the same per-package randomness)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import json
import random
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from distributed import Client
from typer.testing import CliRunner

from baomi.cli.main import app
from baomi.demo.generator import generate_demo
from baomi.engine.protect import package as package_mod
from baomi.engine.protect.distributed import DaskProtectEngine, SeenFile
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, ProtectResult, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.tokens import TokenVault
from baomi.engine.scan.distributed import dask_client
from tests.engine import distributed_support

POLICY = load_policy_text(
    DEFAULT_POLICY.replace(
        "CN_RESIDENT_ID: {operator: mask}", "CN_RESIDENT_ID: {operator: pseudonym}"
    )
    .replace("CN_MOBILE: {operator: mask}", "CN_MOBILE: {operator: tokenize}")
    .replace("# canaries: 0 ", "canaries: 2   ")
    + "quasi_identifiers:\n  columns: [性别, 年龄]\n  release: controlled\n"
)
KEY = KeyProvider(bytes(range(32)))
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

seller = distributed_support.seller  # the fixtures
client = distributed_support.client


def _fix_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's random fingerprint, marks key and id drawn alike in every run."""
    rng = random.Random(7)
    counter = itertools.count()
    monkeypatch.setattr(
        package_mod,
        "secrets",
        SimpleNamespace(
            randbits=rng.getrandbits,
            token_bytes=rng.randbytes,
            token_hex=lambda n: f"{next(counter):0{2 * n}x}",
        ),
    )


OFFICE = (".xlsx", ".docx")
#: openpyxl writes the time of writing into an XLSX (docProps/core.xml), and zip entries carry
#: it too: two one-process runs a second apart differ there, and only there.
WRITTEN_AT = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")
OFFICE_HASH = re.compile(r'("path": "[^"]*\.(?:xlsx|docx)".*?"output_sha256": )"[0-9a-f]+"', re.S)


def _files(root: Path) -> dict[str, object]:
    """Every file of a package as bytes; an office file as its members' bytes (the time of
    writing left out), the manifest without the office files' output hashes."""
    out: dict[str, object] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        name = str(p.relative_to(root))
        if name.endswith(OFFICE):
            with zipfile.ZipFile(p) as z:
                out[name] = [(m, WRITTEN_AT.sub(rb"\1", z.read(m))) for m in z.namelist()]
        elif name == "manifest.json":
            out[name] = OFFICE_HASH.sub(r"\1-", p.read_text(encoding="utf-8"))
        else:
            out[name] = p.read_bytes()
    return out


def _protect(
    paths: list[Path], out: Path, engine: DaskProtectEngine | None, *, verify: bool = True
) -> TokenVault:
    vault = out.parent / f"{out.name}.vault"
    options = ProtectOptions(
        recipient="买方甲", verify=verify, vault_path=vault, now=NOW, engine=engine
    )
    protect_paths(paths, POLICY, out, keys=KEY, options=options)
    return TokenVault.open(vault, KEY.key("vault", "tokens"), b"")


def _same_two_files(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[Path]:
    """A CSV (k-anonymity, canaries, pseudonyms, tokens) and a contract protected on Dask,
    no --verify: the files and tokens of one process. Gives the two paths."""
    paths = [seller / "health_survey.csv", seller / "合同" / "股权转让协议_003.txt"]
    with monkeypatch.context() as fixed:
        _fix_randomness(fixed)
        one = _protect(paths, tmp_path / "one", None, verify=False)
    with monkeypatch.context() as fixed:
        _fix_randomness(fixed)
        engine = DaskProtectEngine(client, ahead=1)
        two = _protect(paths, tmp_path / "two", engine, verify=False)
    assert _files(tmp_path / "two") == _files(tmp_path / "one")
    assert two.added() == one.added() != {}
    return paths


def test_dask_files_are_byte_identical_to_one_process(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_two_files(seller, client, tmp_path, monkeypatch)


@pytest.mark.slow
def test_dask_package_is_byte_identical_to_one_process(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fix_randomness(monkeypatch)
    one = _protect([seller], tmp_path / "one", None)
    _fix_randomness(monkeypatch)
    two = _protect([seller], tmp_path / "two", DaskProtectEngine(client))
    files = _files(tmp_path / "one")
    assert {"manifest.json", "客户名单.csv", "CRM导出.xlsx"} <= set(files)
    assert any(name.endswith(".docx") for name in files)
    assert _files(tmp_path / "two") == files
    # the tokens the workers issued are in the coordinator's vault
    assert len(two) == len(one) > 0
    assert two.added() == one.added()


def test_protect_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(DEFAULT_POLICY, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "protect",
            str(tmp_path),
            "--policy",
            str(policy),
            "--out",
            str(tmp_path / "o"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert result.exit_code != 0
    assert "--engine dask" in result.output


def test_protect_cli_on_dask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --engine dask without --scheduler: a LocalCluster (here of threads, to start fast)
    for var in ("MASTER_KEY_FILE", "MASTER_KEY", "PASSPHRASE", "KEYSTORE", "DATABASE_URL", "ENV"):
        monkeypatch.delenv(f"BAOMI_{var}", raising=False)
    monkeypatch.setenv("BAOMI_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(
        "baomi.engine.scan.distributed.dask_client",
        functools.partial(dask_client, processes=False),
    )
    seller = tmp_path / "seller"
    generate_demo(seller, rows=20)
    (seller / "合同").rename(tmp_path / "contracts")  # the tables only: quick
    (tmp_path / "key").write_text(bytes(range(32)).hex(), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(DEFAULT_POLICY, encoding="utf-8")
    args = ["protect", str(seller), "--policy", str(tmp_path / "p.yaml"), "--key-file"]
    args += [str(tmp_path / "key"), "--recipient", "买方甲", "--out"]
    result = CliRunner().invoke(app, [*args, str(tmp_path / "o"), "--engine", "dask"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} == {
        "CRM导出.xlsx",
        "health_survey.csv",
        "orders.jsonl",
        "客户名单.csv",
    }
    source = list(csv.DictReader(io.StringIO((seller / "客户名单.csv").read_text("gbk"))))
    output = (tmp_path / "o" / "客户名单.csv").read_text("gbk")
    assert output.count("\n") == len(source) + 1
    assert not any(row["身份证号"] in output for row in source)


def test_a_worker_reads_a_file_it_sees_and_is_sent_one_it_does_not(
    seller: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every other file is "not seen" by the workers: its bytes are sent after all, and the
    # package is the same either way
    read = SeenFile.read
    asked: list[str] = []

    def some(seen: SeenFile) -> bytes | None:
        asked.append(Path(seen.path).name)
        return read(seen) if len(asked) % 2 else None

    monkeypatch.setattr(SeenFile, "read", some)
    paths = _same_two_files(seller, client, tmp_path, monkeypatch)
    assert sorted(asked) == sorted(p.name for p in paths)


def test_a_worker_reads_only_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x,y\n1,2\n")
    seen = SeenFile.of(path)
    assert seen.read() == b"x,y\n1,2\n"
    path.write_bytes(b"x,y\n1,23\n")  # another size
    assert seen.read() is None
    assert SeenFile(seen.path, seen.size, seen.mtime_ns + 1).read() is None  # another time
    assert SeenFile(str(tmp_path / "gone.csv"), 1, 0).read() is None


def _a_contract_and_an_empty_file(seller: Path, folder: Path) -> Path:
    """``folder`` with one demo contract and an empty file; the contract's source path."""
    folder.mkdir()
    good = seller / "合同" / "股权转让协议_003.txt"
    (folder / good.name).write_bytes(good.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    return good


def _run(folder: Path, out: Path, engine: DaskProtectEngine | None = None) -> ProtectResult:
    """Protect ``folder`` into ``out`` for 买方甲 (on ``engine``, else in this process)."""
    options = ProtectOptions(recipient="买方甲", now=NOW, engine=engine)
    return protect_paths([folder], POLICY, out, keys=KEY, options=options)


def test_dask_leaves_out_an_unreadable_file_as_one_process_does(
    seller: Path, client: Client, tmp_path: Path
) -> None:
    good = _a_contract_and_an_empty_file(seller, tmp_path / "in")
    one = _run(tmp_path / "in", tmp_path / "one")
    two = _run(tmp_path / "in", tmp_path / "two", DaskProtectEngine(client))
    assert one.unreadable == two.unreadable == [{"path": "empty.txt", "reason": "空文件"}]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        [good.name, "manifest.json"]
    )


def test_an_unreadable_files_reason_is_in_the_runs_language_on_dask(
    seller: Path, tmp_path: Path
) -> None:
    """A worker process words why a file cannot be read in its own language (Chinese by
    default): an English run on Dask told the user "空文件"."""
    from baomi.i18n import set_language

    _a_contract_and_an_empty_file(seller, tmp_path / "in")
    set_language("en")
    try:
        with dask_client(workers=1, processes=True) as procs:
            two = _run(tmp_path / "in", tmp_path / "two", DaskProtectEngine(procs))
    finally:
        set_language(None)
    assert two.unreadable == [{"path": "empty.txt", "reason": "empty file"}]
