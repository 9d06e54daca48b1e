"""The deal profile's recipient contact, sealed.

It is meant to be the recipient company's contact, but a person's mobile can be typed into it, so
it is kept as every personal field is: AES-256-GCM under the platform's field key, the associated
data naming the deal (a value copied into another deal's row does not open there). The field key,
not the deal's data key: the profile outlives a destroyed deal (its provision records and the
company's cross-border counts still read it).

This module takes the key, not the vault, so that opening a vault can hand it to migration 0017,
which seals the contacts older versions stored in clear (:class:`ContactMigration`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from baomi.engine import crypto
from baomi.errors import BaomiError


def _aad(deal_id: str) -> bytes:
    return crypto.aad("deal-profile", deal=deal_id, field="recipient_contact")


def seal_contact(field_key: bytes, deal_id: str, contact: str) -> bytes | None:
    """``contact`` sealed for ``deal_id``'s profile; ``None`` for an empty one."""
    if not contact:
        return None
    return crypto.seal(field_key, contact.encode("utf-8"), _aad(deal_id))


def open_contact(field_key: bytes, deal_id: str, sealed: bytes) -> str:
    """The contact sealed for ``deal_id``; :class:`~baomi.errors.CryptoError` if it was sealed
    for another deal or altered."""
    return crypto.open_sealed(field_key, sealed, _aad(deal_id)).decode("utf-8")


@dataclass
class ContactMigration:
    """What migration 0017 (and its downgrade) call to seal and open contacts, given a way to
    reach the field key (tried once). When the key cannot be reached (no master key in this
    process's settings, another key store) both answer ``None`` and the migration leaves the
    value as it was: a contact in clear is then read until the profile's next write seals it."""

    field_key: Callable[[], bytes]
    _key: bytes | None = field(default=None, init=False, repr=False)
    _tried: bool = field(default=False, init=False, repr=False)

    def _reach(self) -> bytes | None:
        if not self._tried:
            self._tried = True
            try:
                self._key = self.field_key()
            except (BaomiError, OSError, KeyError):
                self._key = None
        return self._key

    def seal(self, deal_id: str, contact: str) -> bytes | None:
        key = self._reach()
        return None if key is None else seal_contact(key, deal_id, contact)

    def open(self, deal_id: str, sealed: bytes) -> str | None:
        key = self._reach()
        return None if key is None else open_contact(key, deal_id, sealed)
