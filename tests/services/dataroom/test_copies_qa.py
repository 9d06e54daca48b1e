"""Copies handed out and their deletion after the deal ends; questions and answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from baomi.errors import InputError, PermissionDeniedError
from baomi.services.dataroom import copies, documents, qa, rooms
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.rooms import Level
from baomi.services.dataroom.stages import Stage
from baomi.storage.models import Question
from tests.services.dataroom.test_documents import BROKER, DEAL, _csv, grant_buyers, room
from tests.vault_support import database_url, key_file, resident_id, settings, vault

__all__ = ["database_url", "key_file", "room", "settings", "vault"]


def _download(vault: Any, room: dict[str, rooms.Seat], who: str) -> str:
    (doc,) = [d for d in documents.documents(vault, room["seller.a"], DEAL) if d.name == "a.csv"]
    documents.download(
        vault, room[who], DEAL, doc.id, protect=room_protector(vault, rooms.deal_id(vault, DEAL))
    )
    return doc.id


def test_copies_are_listed_and_confirmed_deleted_after_the_deal_ends(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(5))])
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    _download(vault, room, "buyer.a")
    _download(vault, room, "buyer.b")
    _download(vault, room, "seller.a")  # the seller's own original: no copy to delete
    listed = copies.copies(vault, room["seller.a"], DEAL)
    assert sorted(c.holder for c in listed) == ["buyer.a", "buyer.b"]
    assert all(c.individuals == 5 and c.package_id for c in listed)
    mine = copies.my_copies(vault, room["buyer.a"], DEAL)
    with pytest.raises(InputError):  # still open: nothing to confirm
        copies.confirm_deleted(vault, room["buyer.a"], DEAL, [c.id for c in mine])
    rooms.set_stage(vault, actor=BROKER, deal_ref=DEAL, stage=Stage.ABORTED)
    with pytest.raises(PermissionDeniedError):  # access ended at once
        documents.documents(vault, room["buyer.a"], DEAL)
    other = copies.my_copies(vault, room["buyer.b"], DEAL)
    with pytest.raises(InputError):  # not one's own copy
        copies.confirm_deleted(vault, room["buyer.a"], DEAL, [other[0].id])
    assert copies.confirm_deleted(vault, room["buyer.a"], DEAL, [c.id for c in mine]) == 1
    outstanding = copies.copies(vault, room["seller.a"], DEAL, outstanding=True)
    assert [c.holder for c in outstanding] == ["buyer.b"]
    with pytest.raises(PermissionDeniedError):
        copies.copies(vault, room["buyer.a"], DEAL)


def test_buyer_asks_seller_answers_texts_sealed(vault: Any, room: dict[str, rooms.Seat]) -> None:
    secret = f"客户 {resident_id(7)} 的订单是否已结清？"
    qid = qa.ask(vault, room["buyer.a"], DEAL, secret)
    with vault.reading() as s:
        sealed = s.execute(select(Question.text_sealed)).scalar_one()
    assert resident_id(7).encode() not in sealed
    with pytest.raises(PermissionDeniedError):  # the buyer's side does not answer
        qa.answer(vault, room["buyer.b"], DEAL, qid, "是")
    with pytest.raises(PermissionDeniedError):  # nor does the seller ask
        qa.ask(vault, room["seller.a"], DEAL, "?")
    qa.answer(vault, room["seller.a"], DEAL, qid, "已结清")
    with pytest.raises(InputError):
        qa.answer(vault, room["seller.a"], DEAL, qid, "again")
    (q,) = qa.questions(vault, room["buyer.b"], DEAL)
    assert (q.text, q.asked_by, q.answer, q.answered_by) == (
        secret,
        "buyer.a",
        "已结清",
        "seller.a",
    )


@pytest.mark.parametrize("text", ["", "   ", "长" * 5001])
def test_question_text_bounds(vault: Any, room: dict[str, rooms.Seat], text: str) -> None:
    with pytest.raises(InputError):
        qa.ask(vault, room["buyer.a"], DEAL, text)


def test_attachment_must_be_a_document_of_the_deal(vault: Any, room: dict[str, rooms.Seat]) -> None:
    with pytest.raises(InputError):
        qa.ask(vault, room["buyer.a"], DEAL, "见附件", attachment="nope")
    (doc,) = documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(2))])
    qid = qa.ask(vault, room["buyer.a"], DEAL, "见附件", attachment=doc.id)
    assert qa.questions(vault, room["seller.a"], DEAL)[0].attachment_id == doc.id and qid
