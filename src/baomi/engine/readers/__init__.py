"""Readers: turn files into table batches or text units for the scan, and what a file
holds beside them (comments, page headers and footers, document properties) as extras.

``open_source(path)`` picks a reader by suffix (``dispatch.READERS``) and returns a ``Source``;
see ``docs/readers.md``.
"""

from baomi.engine.readers.base import Extra, Source, TableBatch, TextUnit
from baomi.engine.readers.dispatch import READERS, open_source

__all__ = ["READERS", "Extra", "Source", "TableBatch", "TextUnit", "open_source"]
