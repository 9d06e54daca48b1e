"""``manifest.json`` (DESIGN.md "Protect output", docs/protect.md "Manifest"): what a package
holds and how it was made. Its ``format`` is its version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from baomi.engine.contracts.layout import FLATTEN, OMIT_DEFAULT, OMIT_NONE
from baomi.engine.contracts.risk import RiskReport

#: The manifest's ``format`` key, its schema version; readers refuse another.
MANIFEST_FORMAT = "baomi-protect-manifest-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolInfo:
    name: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyInfo:
    name: str
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestColumn:
    name: str
    #: ``entity``, ``rule``, ``text``, ``skip`` or ``qi`` (docs/protect.md).
    mode: str
    entity: str | None
    #: The operator applied (``analyze`` for free text); absent where nothing was applied.
    operator: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestTable:
    sheet: str | None
    rows_in: int
    rows_out: int
    columns: tuple[ManifestColumn, ...]
    #: rows the reader could not read (a CSV row with the wrong number of fields): not in the
    #: package, as the scan skips them; absent when none
    skipped_rows: int | None = field(default=None, metadata=OMIT_NONE)
    #: rows holding bytes that did not decode, written with U+FFFD in their place; absent when none
    undecodable_rows: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestFile:
    """One file of the package: a table file has ``tables``, a text file ``units`` and
    ``replaced_spans``."""

    path: str
    kind: str  # "table" or "text"
    format: str
    encoding: str | None
    #: the format the source was read in when its copy is written in another: ``xls`` (a
    #: legacy workbook, written as ``.xlsx``, ``format``; ``html``: a web page saved as
    #: ``.xls``, written so; ``doc``: a legacy Word document, written as ``.docx``); absent
    #: otherwise
    converted_from: str | None = field(default=None, metadata=OMIT_NONE)
    source_sha256: str
    tables: tuple[ManifestTable, ...] | None = field(default=None, metadata=OMIT_NONE)
    units: int | None = field(default=None, metadata=OMIT_NONE)
    replaced_spans: int | None = field(default=None, metadata=OMIT_NONE)
    #: a text file's lines holding bytes that did not decode, written with U+FFFD in their
    #: place (the scan reads them so); absent when none
    undecodable_units: int | None = field(default=None, metadata=OMIT_NONE)
    #: texts an XLSX or DOCX file holds beside its cells and paragraphs — comments, page
    #: headers and footers, document properties — that protect changed or left out for the
    #: personal information in them (the authors, always left out, are not counted); absent
    #: when none
    extras_changed: int | None = field(default=None, metadata=OMIT_NONE)
    #: an XLSX or DOCX file's embedded objects (``xl/embeddings/…``, ``word/embeddings/…``: a
    #: Word file, a workbook, an OLE object), by their part names: not read, so not
    #: protected, and left out of the package (openpyxl does not write them; protect takes
    #: them out of a Word file); absent when none
    embedded_left_out: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    #: how many pictures of an XLSX or DOCX file (an ID card's photo, a signature: not read)
    #: were left out of its copy (policy ``images: remove``, the default); absent when none
    images_removed: int | None = field(default=None, metadata=OMIT_NONE)
    output_sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KAnonymityCriteria:
    k: int
    l: int  # noqa: E741 - l-diversity's name
    average_risk: float | None
    suppression_limit: float
    release: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalRound:
    """One round of local recoding: the levels it applied and to how many records."""

    levels: Mapping[str, int]
    records: int


@dataclass(frozen=True, slots=True, kw_only=True)
class KAnonymityReport:
    """One table's k-anonymity: the criteria, the generalisation chosen, and the risk figures
    of the result."""

    file: str
    sheet: str | None
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    criteria: KAnonymityCriteria
    levels: Mapping[str, int]
    recoding: str
    local_rounds: tuple[LocalRound, ...]
    suppressed_records: int
    information_loss: float
    metric: str
    nodes_checked: int
    nodes_total: int
    #: The result's figures (risks rounded: :meth:`RiskReport.rounded`), written after these.
    risk: RiskReport = field(metadata=FLATTEN)


@dataclass(frozen=True, slots=True, kw_only=True)
class FingerprintInfo:
    scheme: str
    marks: bool
    recipient_keyed_values: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyInfo:
    ran: bool
    leftover: int
    #: Values the prose model alone removed somewhere and alone reads again in the package's
    #: text (docs/protect.md "--verify"): reported, not failing; omitted when 0.
    unconfirmed: int = field(default=0, metadata=OMIT_DEFAULT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    format: str = MANIFEST_FORMAT
    package_id: str
    created: str
    recipient: str | None
    tool: ToolInfo
    policy: PolicyInfo
    files: tuple[ManifestFile, ...]
    #: Operators used per entity (``(column)`` for column rules, ``QUASI_IDENTIFIER``).
    operators: Mapping[str, tuple[str, ...]]
    k_anonymity: tuple[KAnonymityReport, ...]
    fingerprint: FingerprintInfo
    verify: VerifyInfo
