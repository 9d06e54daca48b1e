"""A transfer's stages and what each allows: the state machine of a data room.

    preparing → due_diligence → signed → closed
         └──────────┴──────────────┴────→ aborted

Buyer-side parties see the deal only during due diligence and after signing; once a deal is
closed or aborted their access ends at once and their copies are listed for deletion
(PIPL-21: an entrusted party returns or deletes, keeps nothing; PIPL-47: delete when the purpose
is achieved or can no longer be achieved).
"""

from __future__ import annotations

from enum import StrEnum

from baomi.errors import InputError
from baomi.i18n import tr


class Stage(StrEnum):
    PREPARING = "preparing"
    DUE_DILIGENCE = "due_diligence"
    SIGNED = "signed"
    CLOSED = "closed"
    ABORTED = "aborted"


TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.PREPARING: frozenset({Stage.DUE_DILIGENCE, Stage.ABORTED}),
    Stage.DUE_DILIGENCE: frozenset({Stage.SIGNED, Stage.ABORTED}),
    Stage.SIGNED: frozenset({Stage.CLOSED, Stage.ABORTED}),
    Stage.CLOSED: frozenset(),
    Stage.ABORTED: frozenset(),
}

#: Stages in which buyer-side parties may see anything of the deal.
BUYER_OPEN = frozenset({Stage.DUE_DILIGENCE, Stage.SIGNED})
#: Stages after which the buyer's copies must be confirmed deleted.
ENDED = frozenset({Stage.CLOSED, Stage.ABORTED})

LABELS: dict[Stage, tuple[str, str]] = {
    Stage.PREPARING: ("准备中", "preparing"),
    Stage.DUE_DILIGENCE: ("尽职调查", "due diligence"),
    Stage.SIGNED: ("已签约", "signed"),
    Stage.CLOSED: ("已交割", "closed"),
    Stage.ABORTED: ("已终止", "aborted"),
}


def label(stage: Stage) -> str:
    return tr(*LABELS[stage])


def advance(current: Stage, target: Stage) -> Stage:
    """``target`` if the machine allows it from ``current``; :class:`InputError` otherwise."""
    if target not in TRANSITIONS[current]:
        raise InputError(
            tr(
                f"交易不能从「{label(current)}」转为「{label(target)}」",
                f"a deal cannot go from {label(current)} to {label(target)}",
            )
        )
    return target
