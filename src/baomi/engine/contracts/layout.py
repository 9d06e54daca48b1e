"""How a contract field is laid out in JSON when it is not simply written under its name."""

from __future__ import annotations

from types import MappingProxyType

#: The key is left out when the value is ``None`` (a column's ``note``, a text file's ``tables``).
OMIT_NONE = MappingProxyType({"omit": "none"})
#: The key is left out when the value is the field's default (a trace record's ``version`` 1).
OMIT_DEFAULT = MappingProxyType({"omit": "default"})
#: A nested record whose keys are written into its parent's (``--explain``, a k-anonymity
#: report's risk figures), or left out when ``None``; read back when its first key is there.
FLATTEN = MappingProxyType({"omit": "none", "flatten": True})
