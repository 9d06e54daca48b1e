"""The trace record (``<package_id>.json`` under ``--manifests``, docs/protect.md "Tracing a
leak"): the sender's copy of a package's fingerprint, its recipient-keyed digests and manifest.
It stays with the sender; the package never holds it."""

from __future__ import annotations

from dataclasses import dataclass, field

from baomi.engine.contracts.layout import OMIT_DEFAULT
from baomi.engine.contracts.manifest import Manifest
from baomi.engine.protect.fingerprint import RECORD_KIND

#: The record's schema version. Version 1 has no ``version`` key (records written before it
#: was defined are version 1); a later version writes it after ``kind``.
TRACE_RECORD_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceRecord:
    kind: str = RECORD_KIND
    version: int = field(default=TRACE_RECORD_VERSION, metadata=OMIT_DEFAULT)
    #: The fingerprint scheme (``fingerprint.SCHEME``).
    scheme: str
    package_id: str
    recipient: str
    created: str
    #: The package's fingerprint, 16 hex digits.
    fingerprint: str
    #: The recipient-keyed digests, packed (``fingerprint.pack_digests``).
    digests: str
    digest_modulus: int
    manifest: Manifest

    @property
    def fingerprint_bits(self) -> int:
        return int(self.fingerprint, 16)
