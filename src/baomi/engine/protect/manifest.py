"""``manifest.json`` (DESIGN.md "Protect output") and the sender-side trace record, built as the
typed contracts of :mod:`baomi.engine.contracts` and written through its codec, with the files'
SHA-256 digests."""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Any

from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import (
    MANIFEST_FORMAT,
    FingerprintInfo,
    Manifest,
    ManifestFile,
    PolicyInfo,
    ToolInfo,
    VerifyInfo,
)
from baomi.engine.contracts.trace_record import TRACE_RECORD_VERSION, TraceRecord
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.options import ProtectOptions
from baomi.engine.protect.state import ProtectRun

__all__ = ["MANIFEST_FORMAT", "_manifest", "_sha256", "_write_record"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(
    run: ProtectRun,
    files: tuple[ManifestFile, ...],
    package_id: str,
    now: _dt.datetime,
    opts: ProtectOptions,
    unconfirmed: list[dict[str, Any]],
) -> Manifest:
    """The package's manifest; written only when ``--verify`` (if asked) found no leftover."""
    from baomi import __version__

    return Manifest(
        package_id=package_id,
        created=now.isoformat(timespec="seconds"),
        recipient=opts.recipient,
        tool=ToolInfo(name="baomi", version=__version__),
        policy=PolicyInfo(name=run.policy.name, sha256=run.policy.sha256),
        files=files,
        operators={k: tuple(sorted(v)) for k, v in sorted(run.operators_used.items())},
        k_anonymity=tuple(run.kanon),
        fingerprint=FingerprintInfo(
            scheme=fp.SCHEME, marks=run.policy.marks, recipient_keyed_values=bool(run.digests)
        ),
        verify=VerifyInfo(
            ran=opts.verify, leftover=0, unconfirmed=sum(x["count"] for x in unconfirmed)
        ),
    )


def _write_record(
    run: ProtectRun, manifest: Manifest, opts: ProtectOptions, now: _dt.datetime
) -> Path:
    assert opts.manifests_dir is not None
    digests, modulus = fp.pack_digests(run.digests)
    record = TraceRecord(
        version=TRACE_RECORD_VERSION,
        scheme=fp.SCHEME,
        package_id=manifest.package_id,
        recipient=opts.recipient or "",
        created=now.isoformat(timespec="seconds"),
        fingerprint=f"{run.fingerprint:016x}",
        digests=digests,
        digest_modulus=modulus,
        manifest=manifest,
        marks_key=run.marks_key.hex() if run.policy.marks else "",
        canaries=";".join(run.canaries),
    )
    opts.manifests_dir.mkdir(parents=True, exist_ok=True)
    return codec.dump(record, opts.manifests_dir / f"{manifest.package_id}.json")
