"""Protect: de-identified, k-anonymous, per-recipient traceable packages (docs/protect.md).

Modules: ``operators/`` (one per operator) and ``registry.py``; ``params.py`` (frozen parameter
objects); ``policy.py`` (YAML policies); ``keys.py`` (key provider); ``tokens.py`` (token vault);
``hierarchy.py`` and ``kanon.py`` (risk, optimal k-anonymity); ``plan.py`` (column plans);
``writers.py`` (same-format round trip: ``roundtrip.py``, ``table_formats.py``,
``text_formats.py``); the pipeline: ``package.py`` (``protect_paths``, the
run), ``options.py`` (options, result, ``VerifyError``), ``state.py`` (one run's state),
``tables.py`` and ``texts.py`` (protecting a table, a text document), ``names.py`` (protected
file names), ``outdir.py`` (output-folder checks, the final rename), ``manifest.py`` (manifest
and trace record); ``verify.py``; ``fingerprint.py`` and ``trace.py``.

The entry points (``protect_paths``, ``ProtectOptions``, ``ProtectResult``, ``VerifyError``) are
importable from here; they are loaded on first use, so importing the package does no work.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "ProtectOptions": "baomi.engine.protect.options",
    "ProtectResult": "baomi.engine.protect.options",
    "VerifyError": "baomi.engine.protect.options",
    "protect_paths": "baomi.engine.protect.package",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
