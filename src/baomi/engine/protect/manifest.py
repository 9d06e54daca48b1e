"""``manifest.json`` (DESIGN.md "Protect output") and the sender-side trace record, with the
files' SHA-256 digests."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.options import ProtectOptions
from baomi.engine.protect.state import ProtectRun

MANIFEST_FORMAT = "baomi-protect-manifest-1"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(
    run: ProtectRun,
    entries: list[dict[str, Any]],
    package_id: str,
    now: _dt.datetime,
    opts: ProtectOptions,
    leaks: list[dict[str, Any]],
) -> dict[str, Any]:
    from baomi import __version__

    return {
        "format": MANIFEST_FORMAT,
        "package_id": package_id,
        "created": now.isoformat(timespec="seconds"),
        "recipient": opts.recipient,
        "tool": {"name": "baomi", "version": __version__},
        "policy": {"name": run.policy.name, "sha256": run.policy.sha256},
        "files": entries,
        "operators": {k: sorted(v) for k, v in sorted(run.operators_used.items())},
        "k_anonymity": run.kanon,
        "fingerprint": {
            "scheme": fp.SCHEME,
            "marks": run.policy.marks,
            "recipient_keyed_values": bool(run.digests),
        },
        "verify": {"ran": opts.verify, "leftover": sum(x["count"] for x in leaks)},
    }


def _write_record(
    run: ProtectRun, manifest: dict[str, Any], opts: ProtectOptions, now: _dt.datetime
) -> Path:
    assert opts.manifests_dir is not None
    digests, modulus = fp.pack_digests(run.digests)
    record = {
        "kind": fp.RECORD_KIND,
        "scheme": fp.SCHEME,
        "package_id": manifest["package_id"],
        "recipient": opts.recipient or "",
        "created": now.isoformat(timespec="seconds"),
        "fingerprint": f"{run.fingerprint:016x}",
        "digests": digests,
        "digest_modulus": modulus,
        "manifest": manifest,
    }
    opts.manifests_dir.mkdir(parents=True, exist_ok=True)
    path = opts.manifests_dir / f"{manifest['package_id']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path
