"""The report view model: what a report shows, already computed, in the reader's language.

Builders (the PIA, the cross-border assessment, the checklist, the inventory, the destruction
certificate) return a :class:`Report`; renderers turn it into HTML, PDF or XLSX. A renderer adds
nothing but layout, so the three formats always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from baomi import clock

if TYPE_CHECKING:
    from baomi.services.comply.rulebook import Rule


def heading(text: str) -> str:
    """A column heading or figure label as English writes one, capitalised ("individuals" →
    "Individuals"); Chinese is unchanged. One place, so no builder's lower-case label reaches
    a report (the notices, overview and cross-border reports each had some)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


class Tone(StrEnum):
    """How a figure or a row should stand out (a colour in HTML/PDF, a fill in XLSX)."""

    NEUTRAL = "neutral"
    GOOD = "good"
    WARN = "warn"
    BAD = "bad"


@dataclass(frozen=True)
class Figure:
    """A headline number or word (``label: value``), e.g. "个人数 / Individuals: 12,345"."""

    label: str
    value: str
    tone: Tone = Tone.NEUTRAL
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", heading(self.label))


@dataclass(frozen=True)
class Table:
    """A table; each row is one tuple of cell texts, ``tones`` (optional) one tone per row,
    ``cite_columns`` the columns that hold rule ids ("PIPL-55, S393-D3"): each id is kept on one
    line there (a cell elsewhere may break anywhere)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    tones: tuple[Tone, ...] = ()
    cite_columns: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(heading(c) for c in self.columns))


class ChartKind(StrEnum):
    BAR = "bar"  # one bar per label (e.g. entity distribution)
    HEATMAP = "heatmap"  # impact × likelihood, a count per cell
    LINE = "line"  # a value over time (e.g. the checklist score)


@dataclass(frozen=True)
class Chart:
    """Data for an SVG chart; the renderer draws it (no picture is stored in the model).

    - BAR: ``labels`` and one value per label in ``values``.
    - LINE: ``labels`` are the x positions (dates), ``values`` the y values.
    - HEATMAP: ``rows`` × ``columns`` labels and ``cells[row][column]`` counts; optional
      ``cell_tones[row][column]`` fill the cells by risk level (else by the count).

    ``x_title``/``y_title`` name the axes (e.g. likelihood / impact); ``y_max`` fixes the top of
    a line chart's y axis (e.g. 100 for a score).
    """

    kind: ChartKind
    title: str
    labels: tuple[str, ...] = ()
    values: tuple[float, ...] = ()
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    cells: tuple[tuple[int, ...], ...] = ()
    cell_tones: tuple[tuple[Tone, ...], ...] = ()
    x_title: str = ""
    y_title: str = ""
    y_max: float | None = None


@dataclass(frozen=True)
class Citation:
    """A rule the section applied: its id in PIPL-RULES.md, the source, and whether it is
    settled (``status`` P or S) or must be said to be unconfirmed (D, U, A)."""

    rule_id: str
    source: str
    status: str
    #: the rule's title in the reader's language (optional; e.g. ``Rule.title``)
    title: str = ""

    @property
    def unconfirmed(self) -> bool:
        return self.status in ("D", "U", "A")

    @classmethod
    def of(cls, rule: Rule) -> Citation:
        """The citation of a rule from the rule book (``Citation.of(rules()["PIPL-55"])``)."""
        return cls(rule.id, rule.source, rule.status, rule.title)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Signature:
    """A line for a person to sign: the role (e.g. 个人信息保护负责人 / PI protection officer)."""

    role: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF (e.g. the signed certificate it shows); other formats
    name it only."""

    name: str
    data: bytes = field(repr=False)
    description: str = ""


@dataclass(frozen=True)
class Report:
    """A whole report. ``kind`` names it in file names (``pia``, ``crossborder``, ``checklist``,
    ``inventory``, ``certificate``); ``subject`` is the deal or company it is about."""

    kind: str
    title: str
    subject: str
    generated_at: str
    lang: str
    sections: tuple[Section, ...]
    summary: tuple[Figure, ...] = ()
    signatures: tuple[Signature, ...] = ()
    #: e.g. "keep at least 3 years (PIPL-56)"
    retention: str = ""
    footnotes: tuple[str, ...] = field(default_factory=tuple)
    attachments: tuple[Attachment, ...] = ()

    @property
    def unconfirmed(self) -> tuple[Citation, ...]:
        """Every unconfirmed rule the report relies on (each output says so)."""
        seen: dict[str, Citation] = {}
        for section in self.sections:
            for c in section.citations:
                if c.unconfirmed:
                    seen.setdefault(c.rule_id, c)
        return tuple(seen.values())


def stamp(when: str | None = None) -> str:
    """A time for people, e.g. for ``Report.generated_at``: ``2026-12-04 15:23 UTC+8`` — now, or
    the ISO 8601 time given (without an offset: stored, so UTC), in China time as every page
    shows times, the zone named since a report leaves the pages."""
    return clock.zoned(when or clock.now())
