"""Protect: de-identified, k-anonymous, per-recipient traceable packages (docs/protect.md).

Modules: ``operators/`` (one per operator) and ``registry.py``; ``params.py`` (frozen parameter
objects); ``policy.py`` (YAML policies); ``keys.py`` (key provider); ``tokens.py`` (token vault);
``hierarchy.py`` and ``kanon.py`` (risk, optimal k-anonymity); ``plan.py`` (column plans);
``writers.py`` (same-format round trip); ``package.py`` (the pipeline and manifest);
``verify.py``; ``fingerprint.py`` and ``trace.py``. Nothing is imported here, so importing the
package does no work.
"""
