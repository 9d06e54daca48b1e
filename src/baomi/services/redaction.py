"""Free text typed by staff or the public, with the identifiers in it masked.

The scan's recognizers (the default registry) find the identifiers; each is masked by the display
convention of the ``mask`` operator (``138****5678``, ``110101********1233``) — the engine's
:func:`~baomi.engine.documents.names.mask_identifiers`. Used where a text is kept and read by
people who need none of a customer's identifiers from it (PIPL-6, minimum necessary): survey
answers, incident titles and descriptions.
"""

from __future__ import annotations


def mask_text(text: str) -> str:
    """``text`` with every identifier the scan's recognizers find masked."""
    from baomi.engine.documents.names import mask_identifiers
    from baomi.engine.recognizers.registry import Registry

    return mask_identifiers([text], list(Registry.default()))[0]
