"""The token vault and detokenize: tokens restored wherever they stand (Chinese text included),
with any prefix a policy accepts, in every format protect writes, written atomically."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.protect import writers
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text
from baomi.engine.protect.tokens import TokenVault, detokenize_file, detokenize_text
from baomi.errors import ConfigError, InputError, StorageError

from .conftest import make_id, make_mobile
from .test_package import customers, write_csv, write_record_formats

KEY = b"token-test-key-0123456789abcdefg"

#: Four prefixes: the default, lowercase, Chinese and a long one (the QA report's ``tk`` and
#: more). Identity cards, mobiles, bank cards and names are tokenized.
TOKEN_POLICY = load_policy_text(
    """\
entities:
  CN_MOBILE: {operator: tokenize}
  CN_RESIDENT_ID: {operator: tokenize, prefix: tk}
  BANK_CARD: {operator: tokenize, prefix: 卡号}
  PERSON_NAME: {operator: tokenize, prefix: NamePrefix12}
fingerprint: {marks: false}
"""
)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOMI_LANG", "en")


def open_vault(path: Path) -> TokenVault:
    keys = KeyProvider(KEY)
    return TokenVault(path, keys.key("vault", "tokens"), keys.key("token", "tokens"))


def test_tokens_glued_to_chinese_text_letters_and_digits_are_restored(tmp_path: Path) -> None:
    rng = random.Random(3)
    mobile, rid = make_mobile(rng), make_id(rng)
    vault = open_vault(tmp_path / "t.vault")
    t1, t2, t3 = (
        vault.token_for(mobile),
        vault.token_for(rid, "tk"),
        vault.token_for("张伟", "客户"),
    )
    text = f"手机{t1}，身份证{t2}已核验；{t3}来电。Tel{t1}9 ({t2})"
    restored, count = detokenize_text(text, vault)
    assert restored == f"手机{mobile}，身份证{rid}已核验；张伟来电。Tel{mobile}9 ({rid})"
    assert count == 5


def test_a_prefix_that_ends_like_another_one_does_not_hide_it(tmp_path: Path) -> None:
    vault = open_vault(tmp_path / "t.vault")
    long, short = vault.token_for("13812345678", "Atk"), vault.token_for("张伟", "tk")
    text = f"{long} A{short}"  # the short token glued after an "A"
    assert detokenize_text(text, vault) == ("13812345678 A张伟", 2)


def test_a_token_that_is_not_in_the_vault_is_left_alone(tmp_path: Path) -> None:
    vault = open_vault(tmp_path / "t.vault")
    known = vault.token_for("13812345678")
    stranger = "TKN_" + "A" * 16
    text = f"{stranger} {known}"
    assert detokenize_text(text, vault) == (f"{stranger} 13812345678", 1)


@pytest.mark.parametrize("prefix", ["", "T_K", "a b", "X" * 17, "TKN-1", "令牌\u200b"])
def test_a_prefix_detokenize_could_not_find_is_refused(tmp_path: Path, prefix: str) -> None:
    vault = open_vault(tmp_path / "t.vault")
    with pytest.raises(ConfigError, match="prefix"):
        vault.token_for("13812345678", prefix)


def test_a_missing_vault_is_an_error_not_an_empty_vault(tmp_path: Path) -> None:
    keys = KeyProvider(KEY)
    with pytest.raises(InputError, match=r"nope\.vault"):
        TokenVault.open(
            tmp_path / "nope.vault", keys.key("vault", "tokens"), keys.key("token", "tokens")
        )
    assert not (tmp_path / "nope.vault").exists()


def _inputs(src: Path) -> list[dict[str, str]]:
    """One small file in every format protect writes (CSV in UTF-8, GBK and as TSV)."""
    import docx
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = customers(12, seed=5)
    write_csv(src / "utf8.csv", rows)
    write_csv(src / "gbk.csv", rows, encoding="gbk")
    write_csv(src / "t.tsv", rows, sep="\t")
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    ws["C2"].font = Font(bold=True)
    notes = wb.create_sheet("说明")
    notes.append(["说明"])
    notes.append(["无个人信息"])
    wb.save(src / "c.xlsx")
    write_record_formats(src, rows)
    (src / "notes.txt").write_bytes(
        f"客户手机{rows[0]['手机号']}，身份证{rows[1]['身份证号']}已核验\r\n无\r\n".encode("gbk")
    )
    d = docx.Document()
    p = d.add_paragraph("客户手机")
    p.add_run(rows[2]["手机号"]).bold = True
    p.add_run("，请回电。")
    d.add_paragraph(f"卡号{rows[3]['银行卡号']}。")
    d.save(str(src / "memo.docx"))
    return rows


def test_detokenize_restores_every_format_protect_writes(tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    src = tmp_path / "in"
    src.mkdir()
    rows = _inputs(src)
    vault_path = tmp_path / "pkg.tokens.vault"
    protect_paths(
        [src],
        TOKEN_POLICY,
        tmp_path / "pkg",
        keys=KeyProvider(KEY),
        options=ProtectOptions(recipient="甲", vault_path=vault_path),
    )
    package = (tmp_path / "pkg" / "utf8.csv").read_text(encoding="utf-8")
    assert rows[0]["手机号"] not in package and "tk_" in package and "卡号_" in package
    vault = TokenVault.open(vault_path, *_vault_keys())
    names = sorted(p.name for p in src.iterdir())
    for name in names:
        out = tmp_path / "restored" / name
        result = detokenize_file(tmp_path / "pkg" / name, out, vault)
        assert result.restored > 0, name
        assert result.unknown == 0, name
        before, after = writers.load(src / name), writers.load(out)
        assert [t.frame.rows() for t in after.tables] == [t.frame.rows() for t in before.tables]
        assert after.units == before.units, name
    # the encoding and the bytes are the input's
    for name in ("gbk.csv", "utf8.csv", "t.tsv", "notes.txt"):
        assert (tmp_path / "restored" / name).read_bytes() == (src / name).read_bytes(), name
    # cells edited in place: formatting and the other sheet kept
    wb = load_workbook(tmp_path / "restored" / "c.xlsx")
    assert wb["客户"]["C2"].font.bold and wb["说明"]["A2"].value == "无个人信息"
    assert (
        json.loads((tmp_path / "restored" / "c.json").read_text(encoding="utf-8"))[0]["buyer"][
            "age"
        ]
        == 30
    )
    assert pl.read_parquet(tmp_path / "restored" / "c.parquet").schema["n"] == pl.Int64
    runs = docx.Document(str(tmp_path / "restored" / "memo.docx")).paragraphs[0].runs
    assert runs[1].bold and runs[1].text == rows[2]["手机号"]
    assert not [p for p in (tmp_path / "restored").iterdir() if p.name.startswith(".")]


def _vault_keys() -> tuple[bytes, bytes]:
    keys = KeyProvider(KEY)
    return keys.key("vault", "tokens"), keys.key("token", "tokens")


def test_detokenize_counts_tokens_the_vault_does_not_know(tmp_path: Path) -> None:
    vault = TokenVault(tmp_path / "t.vault", *_vault_keys())
    token = vault.token_for("13812345678")
    vault.save()
    src = tmp_path / "a.csv"
    src.write_text(f"手机\n{token}\nTKN_{'B' * 16}\n", encoding="utf-8")
    result = detokenize_file(src, tmp_path / "b.csv", TokenVault.open(vault.path, *_vault_keys()))
    assert (result.restored, result.unknown) == (1, 1)


@pytest.mark.parametrize(
    ("name", "out", "words"),
    [
        ("a.pdf", "b.pdf", "format"),
        ("a.csv", "b.xlsx", "format"),
        ("a.csv", "a.csv", "input"),
        ("missing.csv", "b.csv", r"missing\.csv"),
    ],
)
def test_detokenize_refuses_what_it_cannot_do_and_writes_nothing(
    tmp_path: Path, name: str, out: str, words: str
) -> None:
    vault = TokenVault(tmp_path / "t.vault", *_vault_keys())
    token = vault.token_for("13812345678")
    (tmp_path / "a.csv").write_text(f"手机\n{token}\n", encoding="utf-8")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n" + token.encode())
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match=words):
        detokenize_file(tmp_path / name, tmp_path / out, vault)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == f"手机\n{token}\n"


def test_a_failed_write_leaves_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = TokenVault(tmp_path / "t.vault", *_vault_keys())
    token = vault.token_for("13812345678")
    (tmp_path / "a.csv").write_text(f"手机\n{token}\n", encoding="utf-8")

    def broken(doc: writers.Document, target: Path) -> None:
        target.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(writers._SAVERS, "csv", broken)
    with pytest.raises(StorageError, match=r"b\.csv"):
        detokenize_file(tmp_path / "a.csv", tmp_path / "out" / "b.csv", vault)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
