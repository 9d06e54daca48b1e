"""The checklist's items, the third-party register's parties and their sealed files are one
company's: an id of another company's (another deal's) answered 400 "no such third party in
the register" / "no checklist item {id}" (the id echoed) / "no such file", while the room's
probing convention is 404 exactly as an unknown id, the refusal recorded. Now both answer
404 with the same words and no id, and a scoped user's refusal is an ``access.denied`` event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baomi.errors import NotFoundError
from baomi.services import deals
from baomi.services.comply import checklist as cl
from baomi.services.comply import scope
from baomi.services.comply import vendors as vd
from baomi.services.comply.checklist import Status
from baomi.services.comply.vendors import Ending, FilePurpose, Kind, VendorInput
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.vault_support import denials

OPERATOR = Actor("op", Role.OPERATOR)
OTHER_USCC = "91350100M000100Y43"
UNKNOWN = "0" * 32


def _room(vault: Vault, name: str, uscc: str) -> str:
    deal = deals.create(vault, actor=OPERATOR, name=name)
    rooms.open_room(
        vault, actor=Actor("sys", Role.ADMIN), deal_ref=name, target_name="示例", target_uscc=uscc
    )
    return deal.id


@pytest.fixture
def theirs(vault: Vault) -> dict[str, Any]:
    """Two deals of two companies; another company's party, its file and a checklist item."""
    mine = _room(vault, "d1", DEMO_USCC)
    _room(vault, "d2", OTHER_USCC)
    party = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d2", data=VendorInput("他方顾问", Kind.ADVISER)
    )
    attached = vd.attach(
        vault,
        actor=OPERATOR,
        deal_ref="d2",
        vendor_id=party.id,
        purpose=FilePurpose.NDA,
        name="保密.pdf",
        content=b"%PDF nda",
    )
    item = cl.set_item(vault, actor=OPERATOR, deal_ref="d2", item="staff.training", owner="人事")
    return {"mine": mine, "vendor": party.id, "file": attached.id, "item": item.id}


def _asks(vault: Vault, actor: Actor) -> dict[str, Callable[[str], object]]:
    """Each use case that takes a register's id, asked under the deal ``d1``."""
    return {
        "vendor": lambda vid: vd.save_vendor(
            vault, actor=actor, deal_ref="d1", vendor_id=vid, data=VendorInput("x", Kind.OTHER)
        ),
        "attach": lambda vid: vd.attach(
            vault,
            actor=actor,
            deal_ref="d1",
            vendor_id=vid,
            purpose=FilePurpose.CONTRACT,
            name="c.pdf",
            content=b"%PDF",
        ),
        "close": lambda vid: vd.close_vendor(
            vault,
            actor=actor,
            deal_ref="d1",
            vendor_id=vid,
            ending=Ending.DELETED,
            confirmed_by="李",
        ),
        "item": lambda iid: cl.set_item(
            vault, actor=actor, deal_ref="d1", item=iid, status=Status.DONE
        ),
        "evidence": lambda iid: cl.add_evidence(
            vault, actor=actor, deal_ref="d1", item=iid, name="e.txt", content=b"x"
        ),
        "file": lambda fid: scope.read_file(vault, actor=actor, deal_ref="d1", file_id=fid),
    }


@pytest.mark.parametrize("use", ["vendor", "attach", "close", "item", "evidence", "file"])
def test_another_companys_id_answers_as_an_unknown_one_and_is_recorded(
    vault: Vault, theirs: dict[str, Any], use: str
) -> None:
    seller = Actor("s", Role.SELLER, frozenset({theirs["mine"]}))
    ask = _asks(vault, seller)[use]
    kind = {"attach": "vendor", "close": "vendor", "evidence": "item"}.get(use, use)
    answers = []
    for asked in (theirs[kind], UNKNOWN):
        before = len(denials(vault))
        with pytest.raises(NotFoundError) as caught:
            ask(asked)
        answers.append(str(caught.value))
        assert asked not in str(caught.value)
        after = denials(vault)
        assert len(after) == before + 1, asked  # the probing is recorded
        assert asked == UNKNOWN or asked in after[-1].object  # the real one, for the audit
    assert answers[0] == answers[1]  # the same words whether or not it exists elsewhere


def test_the_unscoped_operator_is_told_it_is_missing_and_nothing_is_recorded(
    vault: Vault, theirs: dict[str, Any]
) -> None:
    before = len(denials(vault))
    for use, ask in _asks(vault, OPERATOR).items():
        with pytest.raises(NotFoundError):
            ask(UNKNOWN)
        assert len(denials(vault)) == before, use


def test_the_companys_own_ids_still_work(vault: Vault, theirs: dict[str, Any]) -> None:
    seller = Actor("s", Role.SELLER, frozenset({theirs["mine"]}))
    item = cl.set_item(vault, actor=seller, deal_ref="d1", item="staff.training", owner="人事")
    own = cl.set_item(vault, actor=seller, deal_ref="d1", item=item.id, status=Status.DONE)
    assert own.status is Status.DONE
