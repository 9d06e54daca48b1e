"""The token vault: reversible tokens and their originals in one AES-GCM-encrypted file.

A standalone store for ``tokenize`` (the product's main vault lives in ``storage``/``services``;
this file does not depend on it). The file holds ``{"format", "nonce", "ciphertext"}``, sealed
with ``engine/crypto.py``'s AES-256-GCM (associated data: the format name); the plaintext is a
JSON map token → original. Tokens are keyed (HMAC-SHA256) so the same value gets
the same token in every run. The file is written to a temporary name and renamed. Reading it
back needs the key; :func:`detokenize_file` is what ``baomi detokenize`` calls (and logs, without
values).

A token is ``PREFIX_`` and 16 base-32 characters (80 bits of the keyed hash). Detokenize looks for
the prefixes the vault actually holds followed by exactly 16 such characters, and restores a match
only when the vault knows it: no word boundary is needed, so a token glued to Chinese text
(``手机TKN_…，``), to letters or to digits is restored like any other, and any prefix the policy
accepts (``params.TOKEN_PREFIX``: lowercase, Chinese, up to 16 characters) is found again.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from baomi.engine import crypto
from baomi.engine.protect.feistel import prf
from baomi.engine.protect.params import TOKEN_PREFIX
from baomi.engine.protect.writers import SUFFIXES, Document, load, replace_in_runs
from baomi.errors import (
    ConfigError,
    CryptoError,
    InputError,
    IntegrityError,
    StorageError,
    UnreadableFileError,
)
from baomi.i18n import tr

log = logging.getLogger(__name__)

FORMAT = "baomi-token-vault-1"
_AAD = FORMAT.encode()
#: The token body: 10 bytes of the keyed hash in base 32, unpadded.
BODY = "[A-Z2-7]{16}"
_BODY_LEN = 16


class TokenVault:
    """An in-memory map token → value, loaded from and saved to an encrypted file."""

    def __init__(self, path: Path, key: bytes, token_key: bytes) -> None:
        self.path = path
        self._key = key
        self._token_key = token_key
        self._items: dict[str, str] = {}
        self._dirty = False
        if path.exists():
            self._load()

    @classmethod
    def open(cls, path: Path, key: bytes, token_key: bytes) -> TokenVault:
        """An existing vault (for detokenize): a missing file is an error, not an empty vault."""
        if not path.is_file():
            raise InputError(
                f"{path}: "
                + tr(
                    "令牌库不存在（请给出 protect 生成的 .tokens.vault 文件）",
                    "no such token vault (give the .tokens.vault file protect wrote)",
                )
            )
        return cls(path, key, token_key)

    def __len__(self) -> int:
        return len(self._items)

    def _load(self) -> None:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                raise IntegrityError(f"{self.path.name}: not a baomi token vault")
            sealed = base64.b64decode(doc["nonce"]) + base64.b64decode(doc["ciphertext"])
            plain = crypto.open_sealed(self._key, sealed, _AAD)
        except CryptoError:
            raise CryptoError(
                tr("令牌库：密钥错误或文件被改动", "token vault: wrong key or the file was altered")
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            raise IntegrityError(f"token vault unreadable: {type(exc).__name__}") from None
        self._items = json.loads(plain)

    def token_for(self, value: str, prefix: str = "TKN") -> str:
        """The token of ``value`` (the same in every run under the same key); stored."""
        if not TOKEN_PREFIX.fullmatch(prefix):
            raise ConfigError(
                tr(
                    "令牌前缀须为 1–16 个字母或数字（不含 _、空格或标点）",
                    "token prefix must be 1-16 letters or digits (no _, spaces or punctuation)",
                )
            )
        digest = prf(self._token_key)(value.encode("utf-8"))
        token = f"{prefix}_{base64.b32encode(digest[:10]).decode().rstrip('=')}"
        if token not in self._items:
            self._items[token] = value
            self._dirty = True
        return token

    def lookup(self, token: str) -> str | None:
        return self._items.get(token)

    def added(self) -> dict[str, str]:
        """The tokens and values this vault holds (a worker's, to merge on the coordinator)."""
        return dict(self._items)

    def merge(self, items: dict[str, str]) -> None:
        """Add another vault's tokens (the same key makes the same token for a value)."""
        for token, value in items.items():
            if token not in self._items:
                self._items[token] = value
                self._dirty = True

    def pattern(self) -> re.Pattern[str] | None:
        """What a token of this vault looks like: one of its prefixes (longest first), ``_``
        and the 16-character body; ``None`` when the vault is empty."""
        prefixes = {
            t[: -_BODY_LEN - 1] for t in self._items if t[-_BODY_LEN - 1 : -_BODY_LEN] == "_"
        }
        if not prefixes:
            return None
        alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
        return re.compile(f"(?:{alternatives})_{BODY}")

    def save(self) -> None:
        """Encrypt and write the vault (temporary file, then rename)."""
        if not self._dirty and self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        plain = json.dumps(self._items, ensure_ascii=False).encode("utf-8")
        sealed = crypto.seal(self._key, plain, _AAD)  # nonce ‖ ciphertext ‖ tag
        doc = {
            "format": FORMAT,
            "nonce": base64.b64encode(sealed[: crypto.NONCE_SIZE]).decode(),
            "ciphertext": base64.b64encode(sealed[crypto.NONCE_SIZE :]).decode(),
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".vault-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        os.replace(tmp, self.path)
        self._dirty = False


@dataclass(slots=True)
class DetokenizeResult:
    """How many tokens were restored, and how many looked like this vault's but were not in
    it (a token of another vault, or one edited by hand)."""

    restored: int = 0
    unknown: int = 0


class _Restorer:
    """Replaces the vault's tokens in texts, counting them (each text's result cached)."""

    def __init__(self, vault: TokenVault) -> None:
        self.vault = vault
        self.pattern = vault.pattern()
        self.result = DetokenizeResult()
        self._cache: dict[str, tuple[str, list[tuple[int, int, str]], int, int]] = {}

    def edits(self, text: str) -> tuple[str, list[tuple[int, int, str]]]:
        """The restored text and its ``(start, end, original)`` edits."""
        hit = self._cache.get(text)
        if hit is None:
            edits: list[tuple[int, int, str]] = []
            unknown = 0
            if self.pattern is not None:
                for m in self.pattern.finditer(text):
                    token, value = m.group(), None
                    # a longer prefix may have matched over a shorter one glued after text
                    # that ends like it (prefixes ``tk`` and ``Atk``, text ``Atk_…``)
                    for cut in range(len(token) - _BODY_LEN - 1):
                        value = self.vault.lookup(token[cut:])
                        if value is not None:
                            edits.append((m.start() + cut, m.end(), value))
                            break
                    if value is None:
                        unknown += 1
            out = text
            for start, end, value in reversed(edits):
                out = out[:start] + value + out[end:]
            hit = self._cache[text] = (out, edits, len(edits), unknown)
        self.result.restored += hit[2]
        self.result.unknown += hit[3]
        return hit[0], hit[1]

    def text(self, text: str) -> str:
        return self.edits(text)[0]


def detokenize_text(text: str, vault: TokenVault) -> tuple[str, int]:
    """Replace every known token in ``text`` by its original; returns the text and the count."""
    restorer = _Restorer(vault)
    out = restorer.text(text)
    count = restorer.result.restored
    log.info("detokenized %d token(s) from vault %s", count, vault.path.name)
    return out, count


def _restore_document(doc: Document, restorer: _Restorer) -> None:
    """Tokens replaced in every cell of every table, or in every text unit (DOCX runs edited
    in place, formatting kept), the way ``package.py`` put them there."""
    import polars as pl

    for table in doc.tables:
        changed = []
        for name in table.frame.columns:
            column = table.frame[name]
            if column.dtype != pl.String:  # an all-empty column
                continue
            hits = column.str.contains(f"_{BODY}").fill_null(False)
            if not hits.any():
                continue
            idx = hits.arg_true()
            restored = [restorer.text(v) for v in column.gather(idx).to_list()]
            changed.append(column.clone().scatter(idx, pl.Series(restored, dtype=pl.String)))
        if changed:
            table.frame = table.frame.with_columns(changed)
    paragraphs = doc.state[1] if doc.format == "docx" else None
    for i, unit in enumerate(doc.units):
        new, edits = restorer.edits(unit)
        if not edits:
            continue
        doc.units[i] = new
        if paragraphs is not None:
            replace_in_runs(paragraphs[i], edits)


def detokenize_file(src: Path, out: Path, vault: TokenVault) -> DetokenizeResult:
    """Restore the tokens of ``src`` (any format protect writes) into ``out``, in the same format
    and encoding; ``out`` is written to a temporary name and renamed, ``src`` is never modified."""
    if not src.is_file():
        raise InputError(f"{src}: " + tr("文件不存在", "no such file"))
    suffix = src.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{src.name}: "
            + tr("不支持的格式，支持：", "unsupported format; supported: ")
            + " ".join(SUFFIXES)
        )
    if out.suffix.lower() != suffix:
        raise InputError(
            f"{out.name}: "
            + tr(
                f"输出须与输入同格式（{suffix}）",
                f"the output must be in the input's format ({suffix})",
            )
        )
    if out.resolve() == src.resolve():
        raise InputError(
            f"{out.name}: "
            + tr("输出不能覆盖输入文件", "the output must not replace the input file")
        )
    if out.is_dir():
        raise InputError(f"{out}: " + tr("是文件夹", "is a folder"))
    try:
        doc = load(src)
    except (OSError, UnicodeError) as exc:
        raise UnreadableFileError(str(src), type(exc).__name__) from None
    restorer = _Restorer(vault)
    _restore_document(doc, restorer)
    tmp: str | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
        doc.save(Path(tmp))
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise StorageError(
            f"{out}: " + tr("无法写入", "cannot write") + f" ({exc.strerror})"
        ) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    result = restorer.result
    log.info(
        "detokenized %d token(s) (%d unknown) in %s from vault %s",
        result.restored,
        result.unknown,
        src.name,
        vault.path.name,
    )
    return result
