"""Readers: turn files into table batches or text units for the scan.

``open_source(path)`` picks a reader by suffix (``dispatch.READERS``) and returns a ``Source``;
see ``docs/readers.md``.
"""

from baomi.engine.readers.base import Source, TableBatch, TextUnit
from baomi.engine.readers.dispatch import READERS, open_source

__all__ = ["READERS", "Source", "TableBatch", "TextUnit", "open_source"]
