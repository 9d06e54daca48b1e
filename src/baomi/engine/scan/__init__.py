"""The scan: find and classify personal information in files.

The scan is a function over partitions (:func:`scan_partition`, one Polars frame of a table or a
run of text units) plus a merge of partial inventories (:class:`InventoryMerger`), so partitions
can be scanned in worker processes — or later on a distributed engine — unchanged.

Per table column, :mod:`baomi.engine.columns` decides the mode. Entity columns take a
vectorised fast path (anchored Rust regex + vectorised validation in Polars) and send only the
irregular cells through the Python analyzer; text columns are prefiltered per recognizer with
Polars and only candidate cells are analyzed.

Output (``DESIGN.md``, a contract): ``inventory.json`` and ``findings.jsonl``. Neither holds a raw
PI value; values are kept only as keyed 64-bit hashes in memory, with a random per-scan key.

Modules: ``model`` (options, partition, result, per-process context), ``partitions`` (a file's
batches cut into partitions, column plans), ``kernels`` (the scan of one partition),
``collector`` (its findings and partial inventory), ``report`` (``inventory.json``), ``run``
(``scan_paths``: threads or processes, the ordered writer). Files and their display names come
from :mod:`baomi.engine.documents`.
"""

from baomi.engine.documents.files import iter_files
from baomi.engine.scan.kernels import scan_partition
from baomi.engine.scan.model import Partition, ScanContext, ScanOptions, ScanResult
from baomi.engine.scan.run import scan_paths

__all__ = [
    "Partition",
    "ScanContext",
    "ScanOptions",
    "ScanResult",
    "iter_files",
    "scan_partition",
    "scan_paths",
]
