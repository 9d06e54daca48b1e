"""Individuals in nested JSON records: an object that names a person of its own (a buyer, a
receiver, a passenger) is that person, not the record's; objects without a name belong to the
record's main person."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from baomi.engine.contracts.codec import to_dict
from baomi.engine.scan import scan_paths
from tests.engine.test_scan import card, mobile, resident_id

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴刚"]
CONTACTS = ["孙丽", "朱军", "高艳", "林涛", "何明", "郭强", "马静", "罗洋", "胡敏", "徐磊"]


def _summary(root: Path) -> dict[str, Any]:
    summary: dict[str, Any] = to_dict(scan_paths([root]).inventory)["summary"]
    return summary


def _jsonl(root: Path, name: str, records: list[dict[str, Any]]) -> Path:
    root.mkdir(exist_ok=True)
    (root / name).write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return root


def test_a_buyer_and_a_receiver_of_one_order_are_two_people(tmp_path: Path) -> None:
    rng = random.Random(7)
    people = [(NAMES[i % 10], mobile(rng)) for i in range(30)]
    orders = []
    for i in range(20):  # buyers 0-19; half the parcels go to someone else (20-29)
        buyer, receiver = people[i], people[20 + i // 2] if i % 2 else people[i]
        orders.append(
            {
                "order_no": f"DD{1000 + i}",
                "buyer": {"name": buyer[0], "phone": buyer[1]},
                "shipping": {"receiver": receiver[0], "phone": receiver[1]},
                "payment": {"card": card(rng)},  # the buyer's, in an object without a name
            }
        )
    s = _summary(_jsonl(tmp_path / "d", "orders.jsonl", orders))
    assert s["estimated_individuals"] == 30
    # the cards are the buyers' (sensitive: financial accounts), not people of their own
    assert s["individuals_with_sensitive"] == 20


def test_an_unnamed_contact_object_belongs_to_the_record(tmp_path: Path) -> None:
    rng = random.Random(8)
    records = [
        {"name": NAMES[i % 10], "id_card": resident_id(rng), "contact": {"phone": mobile(rng)}}
        for i in range(25)
    ]
    assert (
        _summary(_jsonl(tmp_path / "d", "customers.jsonl", records))["estimated_individuals"] == 25
    )


def test_passengers_of_one_booking_are_each_a_person(tmp_path: Path) -> None:
    rng = random.Random(9)
    bookings = [
        {
            "booking": f"B{i}",
            "contact": {"name": CONTACTS[i], "phone": mobile(rng)},
            "passengers": [
                {"name": NAMES[(i + k) % 10], "id_card": resident_id(rng)} for k in range(3)
            ],
        }
        for i in range(10)
    ]
    # each booking: its contact and three passengers (none of them the contact's number). The
    # contacts' names are no passenger's: a contact with only a phone, named as passengers
    # with only ID numbers are, would be one of them (nothing tells them apart in one file:
    # inventory.joined_by_name), 30 people
    assert (
        _summary(_jsonl(tmp_path / "d", "bookings.jsonl", bookings))["estimated_individuals"] == 40
    )


def test_one_record_without_names_is_still_one_person(tmp_path: Path) -> None:
    rng = random.Random(10)
    records = [{"user": {"phone": mobile(rng)}, "id_card": resident_id(rng)} for _ in range(15)]
    assert _summary(_jsonl(tmp_path / "d", "users.jsonl", records))["estimated_individuals"] == 15


def test_which_fields_and_objects_are_whose() -> None:
    from baomi.engine.scan.persons import _names_a_person, parent

    assert parent("buyer.phone") == "buyer" and parent("phone") == ""
    assert parent("passengers[1].name") == "passengers[1]" and parent("passengers[1]") == ""
    assert (
        parent("a.phones[0]") == "a" and parent("data.list[3].buyer.name") == "data.list[3].buyer"
    )
    assert _names_a_person("buyer.name") and _names_a_person("shipping.receiver")
    assert _names_a_person("乘客.姓名") and not _names_a_person("payment.method")


def test_an_api_export_wrapping_its_records(tmp_path: Path) -> None:
    """``{"code": 0, "data": {"list": [...]}}``: a record's fields are at ``data.list[i].…``;
    its buyer and receiver are still two people, its unnamed payment the buyer's."""
    rng = random.Random(11)
    people = [(NAMES[i % 10], mobile(rng)) for i in range(12)]
    records = [
        {
            "buyer": {"name": people[i][0], "phone": people[i][1]},
            "shipping": {"receiver": people[6 + i][0], "phone": people[6 + i][1]},
            "payment": {"card": card(rng)},
        }
        for i in range(6)
    ]
    root = tmp_path / "d"
    root.mkdir()
    doc = {"code": 0, "data": {"list": records, "total": len(records)}}
    (root / "export.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    s = _summary(root)
    assert s["estimated_individuals"] == 12 and s["individuals_with_sensitive"] == 6
