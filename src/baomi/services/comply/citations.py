"""How an assessment cites the rule book: each output names the rules it applied, by id, with
their source and whether they are settled — an unconfirmed rule (status D, U, A) says so.

:class:`Cited` is what the obligations, package statuses, duties and exposure carry; it turns
into the report view model's :class:`~baomi.services.comply.reports.model.Citation` with
:meth:`Cited.citation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from baomi.services.comply.reports.model import Citation
from baomi.services.comply.rulebook import Rule, rules
from baomi.services.permissions import Action, Actor, authorize


@dataclass(frozen=True)
class Cited:
    """One rule an output relies on: ``label`` is ``PIPL-22`` or ``TX-2（未确认）``."""

    rule_id: str
    label: str
    title: str
    source: str
    status: str
    unconfirmed: bool

    @classmethod
    def of(cls, rule: Rule) -> Cited:
        return cls(rule.id, rule.label(), rule.title, rule.source, rule.status, not rule.confirmed)

    def citation(self) -> Citation:
        return Citation(self.rule_id, self.source, self.status)


def cite(*rule_ids: str) -> tuple[Cited, ...]:
    """The rules ``rule_ids`` as citations (an unknown id is a configuration error)."""
    book = rules()
    return tuple(Cited.of(book[rule_id]) for rule_id in rule_ids)


def labels(cited: tuple[Cited, ...]) -> str:
    """``PIPL-23, PIPL-55, TX-2（未确认）`` for a table cell."""
    return ", ".join(c.label for c in cited)


def rule_list(*, actor: Actor, unconfirmed: bool = False) -> list[Cited]:
    """Every rule the assessment applies (only the unconfirmed ones with ``unconfirmed``)."""
    authorize(actor, Action.COMPLY_VIEW)
    return [Cited.of(r) for r in rules() if not (unconfirmed and r.confirmed)]
