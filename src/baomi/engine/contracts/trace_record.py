"""The trace record (``<package_id>.json`` under ``--manifests``, docs/protect.md "Tracing a
leak"): the sender's copy of a package's fingerprint, its recipient-keyed digests and manifest.
It stays with the sender; the package never holds it."""

from __future__ import annotations

from dataclasses import dataclass, field

from baomi.engine.contracts.layout import OMIT_DEFAULT
from baomi.engine.contracts.manifest import Manifest

#: The record's schema version, the latest this baomi reads and writes. Version 1 has no
#: ``version`` key (records written before it was defined are version 1); a later version
#: writes it after ``kind``. Version 2 (issue 16) adds ``marks_key`` and ``canaries``.
TRACE_RECORD_VERSION = 2


#: The ``kind`` of a trace record file (what ``trace`` looks for in a folder).
RECORD_KIND = "baomi-trace-record"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceRecord:
    kind: str = RECORD_KIND
    version: int = field(default=1, metadata=OMIT_DEFAULT)
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
    #: Version 2: the package's key for the renderings of its values (hex; ``renderings.py``).
    marks_key: str = field(default="", metadata=OMIT_DEFAULT)
    #: Version 2: the canary records (``canaries.py``): per canary the hex digests of its
    #: values, comma-separated; canaries separated by ``;``. Absent without canaries.
    canaries: str = field(default="", metadata=OMIT_DEFAULT)

    @property
    def fingerprint_bits(self) -> int:
        return int(self.fingerprint, 16)

    @property
    def marks_key_bytes(self) -> bytes:
        return bytes.fromhex(self.marks_key)
