"""The customer contact list of a deal's table document: name, mobile, e-mail, address.

The columns are those the scan classified when the document was added (its sealed inventory:
a column whose ``mode`` is ``entity`` for ``PERSON_NAME``, ``CN_MOBILE`` or ``PHONE_NUMBER``
(the first of them), ``EMAIL``, ``ADDRESS``); a document stored without an inventory is classified here with the same
function the scan uses (:func:`baomi.engine.columns.classify_columns`, pattern recognizers
only). Every sheet with a name column and at least one contact column is read.

The contacts live in memory only (their ``repr`` shows no value); the file is read from a
private temporary copy that is removed at once.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baomi.errors import InputError
from baomi.i18n import tr

#: The entities a contact list is made of, and the field each fills.
FIELDS: Mapping[str, str] = {
    "PERSON_NAME": "name",
    "CN_MOBILE": "mobile",
    "PHONE_NUMBER": "mobile",  # a customer in Hong Kong or abroad (+852 …): texts reach it too
    "EMAIL": "email",
    "ADDRESS": "address",
}
#: Sample rows the fallback classification reads (the scan's own sample size is larger).
_SAMPLE = 500


@dataclass(frozen=True)
class ContactColumns:
    """Which columns of one sheet hold the contact fields (headers are not PI)."""

    sheet: str | None
    name: str
    mobile: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Contact:
    """One customer as read from the table (raw PI: in memory only, never in a repr)."""

    name: str = field(repr=False)
    mobile: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    address: str = field(default="", repr=False)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels this customer can be reached by (letter, sms, email)."""
        found = (("letter", self.address), ("sms", self.mobile), ("email", self.email))
        return tuple(c for c, v in found if v)

    def key(self) -> str:
        """Who this is, for spotting a customer listed twice (in memory only)."""
        return self.mobile or self.email or f"{self.name}\x00{self.address}"


@dataclass(frozen=True)
class ReadResult:
    contacts: list[Contact] = field(repr=False)
    rows: int
    #: rows without a name or without any contact
    incomplete: int
    #: rows of a customer already listed (same mobile, else e-mail, else name and address)
    repeated: int
    columns: tuple[ContactColumns, ...]


def columns_from_inventory(inventory: Mapping[str, Any] | None) -> list[ContactColumns]:
    """The contact columns of each sheet, as the scan classified them."""
    found: dict[str | None, dict[str, str]] = {}
    for f in (inventory or {}).get("files", []):
        if f.get("kind") != "table":
            continue
        for col in f.get("columns", []):
            entity = col.get("entity")
            if col.get("mode") == "entity" and entity in FIELDS:
                found.setdefault(col.get("sheet"), {}).setdefault(FIELDS[entity], col["name"])
    return [_plan(sheet, cols) for sheet, cols in found.items() if _usable(cols)]


def _usable(cols: Mapping[str, str]) -> bool:
    return "name" in cols and any(k in cols for k in ("mobile", "email", "address"))


def _plan(sheet: str | None, cols: Mapping[str, str]) -> ContactColumns:
    return ContactColumns(
        sheet, cols["name"], cols.get("mobile"), cols.get("email"), cols.get("address")
    )


def _classify(path: Path) -> list[ContactColumns]:
    """The contact columns of each sheet by the scan's column classification (no inventory)."""
    import polars as pl

    from baomi.engine.columns import classify_columns
    from baomi.engine.readers import open_source
    from baomi.engine.recognizers.registry import Registry

    registry = Registry(r for r in Registry.builtins(set(FIELDS)) if not r.model_based)
    source = open_source(path, batch_rows=_SAMPLE)
    if source.kind != "table":
        return []
    out: list[ContactColumns] = []
    seen: set[str | None] = set()
    for batch in source.batches():
        if batch.sheet in seen:
            continue
        seen.add(batch.sheet)
        cols: dict[str, str] = {}
        headers = batch.frame.columns
        plans = classify_columns([(h, batch.frame[h].cast(pl.String)) for h in headers], registry)
        for header, plan in zip(headers, plans, strict=True):
            if plan.mode == "entity" and plan.entity is not None and plan.entity in FIELDS:
                cols.setdefault(FIELDS[plan.entity], header)
        if _usable(cols):
            out.append(_plan(batch.sheet, cols))
    return out


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def _mobile(value: object) -> str:
    """The 11 national digits of a mobile as written (+86, 0086, spaces, dashes), or ``""``."""
    digits = "".join(c for c in _text(value) if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits if len(digits) == 11 and digits.startswith("1") else ""


def _email(value: object) -> str:
    text = _text(value).lower()
    return text if "@" in text and " " not in text else ""


def _rows(path: Path, plans: list[ContactColumns]) -> Iterator[Contact | None]:
    from baomi.engine.readers import open_source

    by_sheet = {p.sheet: p for p in plans}
    for batch in open_source(path).batches():
        plan = by_sheet.get(batch.sheet)
        if plan is None:
            continue
        frame = batch.frame
        wanted = [plan.name, plan.mobile, plan.email, plan.address]
        present = [c if c in frame.columns else None for c in wanted]
        for row in frame.iter_rows(named=True):
            name, mobile, email, address = (row[c] if c else None for c in present)
            contact = Contact(_text(name), _mobile(mobile), _email(email), _text(address))
            yield contact if contact.name and contact.channels else None


def read_contacts(name: str, content: bytes, inventory: Mapping[str, Any] | None) -> ReadResult:
    """The customers of one table document (``name`` gives its format), each listed once."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="baomi-notices-") as tmp:
        path = Path(tmp) / f"customers{suffix}"
        path.write_bytes(content)
        path.chmod(0o600)
        plans = columns_from_inventory(inventory) or _classify(path)
        if not plans:
            raise InputError(
                tr(
                    "该文件中没有同时含姓名列和联系方式列（手机、邮箱或地址）的表格",
                    "the document has no table with a name column and a contact column "
                    "(mobile, e-mail or address)",
                )
            )
        contacts: list[Contact] = []
        seen: set[str] = set()
        rows = incomplete = repeated = 0
        for contact in _rows(path, plans):
            rows += 1
            if contact is None:
                incomplete += 1
            elif contact.key() in seen:
                repeated += 1
            else:
                seen.add(contact.key())
                contacts.append(contact)
    return ReadResult(contacts, rows, incomplete, repeated, tuple(plans))
