"""baomi (保密): protect customer personal information when a limited company is transferred.

``import baomi`` does no work: no settings are read, no model is loaded, no logging handler is
attached. The public engine API is imported lazily from :mod:`baomi.engine`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
