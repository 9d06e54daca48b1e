"""Checks on files uploaded to the data room, before anything is stored.

An upload is a list of (name, bytes). Each is checked for what a hostile or careless upload
brings (OWASP ASVS 12.1–12.3), and a ZIP is unpacked in memory within limits:

- the size of each file and of the whole upload;
- a name that climbs out of its folder (``..``, absolute, drive letters, backslashes), control or
  invisible characters, a name too long, an empty name; names are NFC-normalised;
- a ZIP bomb: too many members, too much uncompressed data, a compression ratio no real
  spreadsheet reaches, a member whose size lies (only ``max_bytes`` are ever inflated);
- a ZIP inside a ZIP (not unpacked: refused), an encrypted member, a broken archive;
- content that is not what its suffix says (a ``.pdf`` without ``%PDF``, an ``.xlsx`` that is
  no ZIP, a ``.csv`` that is binary) and suffixes baomi does not read;
- two files that would be stored under the same name.

Every refusal is an :class:`UploadError` (an :class:`~baomi.errors.InputError`) naming the file
and the rule, never the file's content.
"""

from __future__ import annotations

import io
import posixpath
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from baomi.engine.readers.xls import is_web_page
from baomi.errors import InputError
from baomi.i18n import tr

#: Suffixes the data room accepts, with the leading bytes their content must start with
#: (``None``: text, checked for NUL bytes instead).
ACCEPTED: dict[str, tuple[bytes, ...] | None] = {
    ".csv": None,
    ".tsv": None,
    ".txt": None,
    ".md": None,
    ".json": None,
    ".jsonl": None,
    ".ndjson": None,
    ".xlsx": (b"PK\x03\x04",),
    # Excel 97-2003 (an OLE file), or an .xlsx saved under the old name (or a web page saved
    # so, a web system's 导出 Excel: ``is_web_page``)
    ".xls": (bytes.fromhex("d0cf11e0a1b11ae1"), b"PK\x03\x04"),
    ".docx": (b"PK\x03\x04",),
    ".doc": (bytes.fromhex("d0cf11e0a1b11ae1"), b"PK\x03\x04"),  # Word 97-2003, or a .docx
    ".pdf": (b"%PDF-",),
    ".parquet": (b"PAR1",),
}
ARCHIVE = ".zip"
MAX_NAME = 200  # characters of a whole relative path
MAX_RATIO = 200  # uncompressed / compressed, per member (real XLSX/CSV stay far below)
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e")


class UploadError(InputError):
    """Raised when an uploaded file is refused; the message names the file and the rule."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 500 * 1024 * 1024
    max_members: int = 2_000
    max_ratio: int = MAX_RATIO


@dataclass(frozen=True)
class Accepted:
    """One file that passed: its safe relative name and its content."""

    name: str
    data: bytes = b""

    @property
    def size(self) -> int:
        return len(self.data)


def safe_name(raw: str) -> str:
    """A clean relative path (``/``-separated) or :class:`UploadError`."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/")).strip()
    if not name or name.endswith("/"):
        raise UploadError(tr("文件名为空", "empty file name"))
    shown = name[:80]
    if any(unicodedata.category(c) in ("Cc", "Cf") or c in _INVISIBLE for c in name):
        raise UploadError(
            tr(
                f"文件名含控制或不可见字符：{shown!r}",
                f"control or invisible characters in {shown!r}",
            )
        )
    parts = name.split("/")
    if (
        name.startswith("/")
        or (len(parts[0]) == 2 and parts[0][1] == ":")
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise UploadError(
            tr(f"文件名试图离开所在文件夹：{shown!r}", f"the name leaves its folder: {shown!r}")
        )
    if len(name) > MAX_NAME:
        raise UploadError(
            tr(f"文件名超过 {MAX_NAME} 个字符", f"a file name is longer than {MAX_NAME} characters")
        )
    return posixpath.normpath(name)


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def check_content(name: str, data: bytes) -> None:
    """The content is what the suffix says; :class:`UploadError` otherwise."""
    suffix = _suffix(name)
    if suffix not in ACCEPTED:
        raise UploadError(
            tr(
                f"{name}：不支持的文件类型 {suffix or '（无后缀）'}",
                f"{name}: unsupported file type {suffix or '(no suffix)'}",
            )
        )
    if not data:
        raise UploadError(tr(f"{name}：文件为空", f"{name}: the file is empty"))
    magic = ACCEPTED[suffix]
    if magic is None:
        if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UploadError(tr(f"{name}：内容不是文本", f"{name}: the content is not text"))
    elif not data.startswith(magic) and not (suffix == ".xls" and is_web_page(data[:512])):
        raise UploadError(
            tr(
                f"{name}：内容与后缀 {suffix} 不符",
                f"{name}: the content does not match its suffix {suffix}",
            )
        )


def _unzip(name: str, data: bytes, limits: Limits) -> list[Accepted]:
    folder = name[: -len(ARCHIVE)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(tr(f"{name}：压缩包已损坏", f"{name}: the archive is broken")) from None
    if len(members) > limits.max_members:
        raise UploadError(
            tr(
                f"{name}：压缩包内文件超过 {limits.max_members} 个",
                f"{name}: more than {limits.max_members} files in the archive",
            )
        )
    out: list[Accepted] = []
    budget = limits.max_total_bytes
    for member in members:
        inner = safe_name(f"{folder}/{member.filename}")
        if member.flag_bits & 0x1:
            raise UploadError(tr(f"{inner}：文件已加密", f"{inner}: the file is encrypted"))
        if _suffix(inner) == ARCHIVE:
            raise UploadError(
                tr(
                    f"{inner}：不接受压缩包中的压缩包",
                    f"{inner}: archives inside archives are refused",
                )
            )
        declared_ratio = member.file_size / max(member.compress_size, 1)
        if declared_ratio > limits.max_ratio:
            raise UploadError(
                tr(
                    f"{inner}：压缩比异常（疑似压缩炸弹）",
                    f"{inner}: compression ratio too high (a zip bomb?)",
                )
            )
        cap = min(limits.max_file_bytes, budget)
        try:
            with archive.open(member) as handle:
                content = handle.read(cap + 1)  # never inflate more than the cap, whatever it says
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError):
            raise UploadError(tr(f"{inner}：无法解压", f"{inner}: cannot be unpacked")) from None
        if len(content) > cap:
            raise UploadError(
                tr(f"{inner}：解压后超过大小上限", f"{inner}: larger than the limit once unpacked")
            )
        if len(content) / max(member.compress_size, 1) > limits.max_ratio:
            raise UploadError(
                tr(
                    f"{inner}：压缩比异常（疑似压缩炸弹）",
                    f"{inner}: compression ratio too high (a zip bomb?)",
                )
            )
        budget -= len(content)
        check_content(inner, content)
        out.append(Accepted(inner, content))
    return out


def check_upload(
    files: Iterable[tuple[str, bytes]],
    *,
    existing: Sequence[str] = (),
    limits: Limits | None = None,
) -> list[Accepted]:
    """Every file of an upload, checked and unpacked, or :class:`UploadError` for the first bad one.

    ``existing`` are the names already stored in the same folder: an upload never replaces one.
    """
    limits = limits or Limits()
    accepted: list[Accepted] = []
    total = 0
    for raw_name, data in files:
        name = safe_name(raw_name)
        if len(data) > limits.max_file_bytes:
            raise UploadError(
                tr(
                    f"{name}：超过单个文件大小上限 {limits.max_file_bytes // (1024 * 1024)} MB",
                    f"{name}: larger than the {limits.max_file_bytes // (1024 * 1024)} MB limit",
                )
            )
        total += len(data)
        if total > limits.max_total_bytes:
            raise UploadError(tr("上传内容超过总大小上限", "the upload is larger than the limit"))
        if _suffix(name) == ARCHIVE:
            accepted.extend(_unzip(name, data, limits))
        else:
            check_content(name, data)
            accepted.append(Accepted(name, data))
    seen = {n.casefold() for n in existing}
    for item in accepted:
        key = item.name.casefold()
        if key in seen:
            raise UploadError(
                tr(
                    f"{item.name}：同名文件已存在",
                    f"{item.name}: a file of that name exists already",
                )
            )
        seen.add(key)
    if sum(a.size for a in accepted) > limits.max_total_bytes:
        raise UploadError(tr("上传内容超过总大小上限", "the upload is larger than the limit"))
    return accepted
