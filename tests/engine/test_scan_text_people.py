"""Individuals named in a record's free text: a remark that names someone other than the
record's person, with that person's identifier right after the name (代收人王芳，电话139…), is
that person's, not the record's."""

from __future__ import annotations

import csv
import json
import random
import warnings
from pathlib import Path
from typing import Any

from baomi.engine.contracts.codec import to_dict
from baomi.engine.scan import scan_paths
from tests.engine.test_scan import mobile

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["芳", "娜", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]


def _names(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        if name not in out:
            out.append(name)
    return out


def _summary(path: Path) -> dict[str, Any]:
    summary: dict[str, Any] = to_dict(scan_paths([path]).inventory)["summary"]
    return summary


def _people(rng: random.Random) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    names = _names(rng, 30)
    customers = [(names[i], mobile(rng)) for i in range(20)]
    receivers = [(names[20 + i], mobile(rng)) for i in range(10)]
    return customers, receivers


def _remark(i: int, customers: list[tuple[str, str]], receivers: list[tuple[str, str]]) -> str:
    name, phone = customers[i]
    if i < 10:  # someone else receives the parcel: a person of their own
        other, other_phone = receivers[i]
        return f"代收人{other}，电话{other_phone}，放门卫室即可"
    if i < 13:  # the customer named again: the record's person
        return f"请联系{name}（{phone}）确认收货地址"
    if i == 13:  # another customer receives it: the same person as that customer's record
        return f"代收人{customers[3][0]}，电话{customers[3][1]}，放门卫室即可"
    return "老客户，无特殊要求"


def test_a_receiver_named_in_a_remark_is_a_person_of_their_own(tmp_path: Path) -> None:
    customers, receivers = _people(random.Random(11))
    root = tmp_path / "d"
    root.mkdir()
    with (root / "客户.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["客户姓名", "手机", "备注"])
        for i, (name, phone) in enumerate(customers):
            w.writerow([name, phone, _remark(i, customers, receivers)])
    s = _summary(root)
    assert s["estimated_individuals"] == 20 + 10


def test_a_receiver_in_a_nested_records_remark(tmp_path: Path) -> None:
    customers, receivers = _people(random.Random(12))
    root = tmp_path / "d"
    root.mkdir()
    records = [
        {"order_no": f"DD{1000 + i}", "buyer": {"name": name, "phone": phone}}
        | {"remark": _remark(i, customers, receivers)}
        for i, (name, phone) in enumerate(customers)
    ]
    (root / "orders.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    assert _summary(root)["estimated_individuals"] == 20 + 10


def test_a_documents_line_names_a_person_and_their_identifiers(tmp_path: Path) -> None:
    # A contract's party on one line: name, ID and phone are one person (each identifier was
    # counted as a person of its own); a number on a line without a name still stands alone.
    from tests.engine.test_scan import resident_id

    rng = random.Random(13)
    a, b = _names(rng, 2)
    lines = [
        "股权转让协议",
        f"甲方：{a}，身份证号码：{resident_id(rng)}，联系电话：{mobile(rng)}",
        f"乙方：{b}，身份证号码：{resident_id(rng)}，联系电话：{mobile(rng)}，住址：北京市海淀区",
        f"见证人电话：{mobile(rng)}",
    ]
    root = tmp_path / "d"
    root.mkdir()
    (root / "协议.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = _summary(root)
    assert s["estimated_individuals"] == 3


def test_the_people_of_remarks_are_worked_out_without_a_warning(tmp_path: Path) -> None:
    # Polars' join_asof warned on the user's terminal ("Sortedness of columns cannot be
    # checked when 'by' groups provided") for the demo's customer list
    from baomi.demo import generate_demo

    generate_demo(tmp_path / "seller", rows=60)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        summary = _summary(tmp_path / "seller" / "客户名单.csv")
    assert summary["estimated_individuals"] > 60  # a receiver named in a remark
    assert not [w for w in seen if "join_asof" in str(w.message) or "Sortedness" in str(w.message)]


def test_a_guardian_or_emergency_contact_column_is_another_person(tmp_path: Path) -> None:
    # A row's 监护人 (a minor's guardian, PIPL-31) or 紧急联系人 is a person of their own, with
    # the identifiers of the columns that name the same role (监护人电话); a guardian named
    # without an identifier counts once per distinct name in the file, as a record does.
    rng = random.Random(14)
    names = _names(rng, 40)
    root = tmp_path / "d"
    root.mkdir()
    with (root / "问卷.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "联系电话", "年龄", "监护人", "监护人电话"])
        for i in range(20):
            guardian, phone = "", ""
            if i < 8:  # a guardian with a phone: 8 people more
                guardian, phone = names[20 + i], mobile(rng)
            elif i < 12:  # a guardian by name only, two of them twice: 2 people more
                guardian = names[30 + i % 2]
            w.writerow([names[i], mobile(rng), 12 if guardian else 30, guardian, phone])
    assert _summary(root)["estimated_individuals"] == 20 + 8 + 2


def test_two_guardians_of_one_name_without_an_identifier_are_one_person(tmp_path: Path) -> None:
    # The demo's health survey (449 of its 450 people): two minors' guardians, two different
    # generated people, have one name and no identifier (the survey has no 监护人电话), and an
    # adult respondent has that name too, with a phone. Nothing in the file tells the two
    # guardians apart — a mother of two children in the survey reads the same — so they are
    # one person; the respondent of that name is another (a role's person is not joined to a
    # record by name).
    rng = random.Random(16)
    names = _names(rng, 14)
    adults, minors, other = names[:10], names[10:13], names[13]
    guardians = [adults[0], adults[0], other]  # the first two: two people, one name
    rows = [(name, 40, "") for name in adults]
    rows += [(name, 9, guardian) for name, guardian in zip(minors, guardians, strict=True)]
    root = tmp_path / "d"
    root.mkdir()
    with (root / "health_survey.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["问卷编号", "姓名", "年龄", "联系电话", "监护人", "病史"])
        for i, (name, age, guardian) in enumerate(rows):
            w.writerow([f"Q{i:05d}", name, age, mobile(rng), guardian, "无"])
    # 10 adults, 3 minors, 2 guardians' names (3 guardians)
    assert _summary(root)["estimated_individuals"] == 10 + 3 + 2


def test_a_contact_column_alone_is_the_records_person(tmp_path: Path) -> None:
    # a company customer's list names its contact person, who is the record's only person
    rng = random.Random(15)
    root = tmp_path / "d"
    root.mkdir()
    with (root / "企业客户.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["公司名称", "联系人", "联系人电话"])
        for i, name in enumerate(_names(rng, 12)):
            w.writerow([f"星辰科技{i}有限公司", name, mobile(rng)])
    assert _summary(root)["estimated_individuals"] == 12


def _contract(rng: random.Random, a: str, b: str) -> list[str]:
    """A share-transfer contract laid out as such contracts are: each party's name on a line
    of its own, then its ID, address and phone on the lines below; later a clause names the
    seller's account (户名…，账号…) and both parties' e-mail addresses."""
    from tests.engine.test_scan import card, resident_id

    lines = ["股权转让协议", ""]
    for role, name in (("甲方（转让方）", a), ("乙方（受让方）", b)):
        lines += [
            f"{role}：{name}",
            f"身份证号码：{resident_id(rng)}",
            "住址：北京市海淀区中关村大街1号",
            f"联系电话：{mobile(rng)}",
            "",
        ]
    lines += [
        "第一条 甲方同意将其持有的目标公司100%股权转让给乙方。",
        f"第二条 乙方应将转让款支付至甲方指定账户：开户行平安银行，户名{a}，账号{card(rng)}。",
        f"第三条 双方联系人：甲方{a}（邮箱a{rng.randrange(10**6)}@example.com），"
        f"乙方{b}（邮箱 b{rng.randrange(10**6)}@example.com）。",
        "",
        f"甲方（签字）：{a}",
        f"乙方（签字）：{b}",
    ]
    return lines


def test_a_contract_partys_lines_are_one_person(tmp_path: Path) -> None:
    # Each party's ID and phone on the lines under its name, its account and e-mail in later
    # clauses: one person per party (the ID and the phone were counted as two people, the
    # account's and the e-mail's lines as two more). A number after a blank line, under no
    # name, still stands alone.
    rng = random.Random(16)
    a, b = _names(rng, 2)
    root = tmp_path / "d"
    root.mkdir()
    lines = [*_contract(rng, a, b), "", f"见证人电话：{mobile(rng)}"]
    (root / "协议.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _summary(root)["estimated_individuals"] == 2 + 1


def test_the_same_name_in_two_contracts_is_two_people(tmp_path: Path) -> None:
    # A name stands for one person within one document; the same name in another document,
    # with other identifiers, is someone else (as two records of one name are).
    rng = random.Random(17)
    a, b, c = _names(rng, 3)
    root = tmp_path / "d"
    root.mkdir()
    (root / "协议1.txt").write_text("\n".join(_contract(rng, a, b)) + "\n", encoding="utf-8")
    (root / "协议2.txt").write_text("\n".join(_contract(rng, a, c)) + "\n", encoding="utf-8")
    assert _summary(root)["estimated_individuals"] == 4


def _crm(path: Path, rng: random.Random, *, twins: bool = False) -> int:
    """A CRM export: a customer sheet (name, phone, e-mail, account manager) and a follow-up
    sheet that names the customer and its staff member, its remark holding the customer's ID
    or card, or nothing. ``twins``: two customers of one name (each with a phone) and a
    follow-up naming that name. Returns the people in it."""
    from openpyxl import Workbook

    from tests.engine.test_scan import card, resident_id

    names = _names(rng, 26)
    customers, staff = names[:20], names[20:23]
    if twins:
        customers[1] = customers[0]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户信息"
    ws.append(["客户ID", "姓名", "手机号", "邮箱", "客户经理"])
    for i, name in enumerate(customers):
        ws.append([f"K{i}", name, mobile(rng), f"c{i}@example.com", staff[i % 3]])
    follow = wb.create_sheet("跟进记录")
    follow.append(["日期", "客户", "跟进人", "跟进内容"])
    for i in range(2, 20):  # not the twins' rows: those are added below when asked for
        remark = ["已电话回访，满意", f"已核验身份证{resident_id(rng)}", f"退款到卡号{card(rng)}"]
        follow.append(["2025-05-01", customers[i], staff[i % 3], remark[i % 3]])
    if twins:
        follow.append(["2025-05-02", customers[0], staff[0], "已电话回访，满意"])
    wb.save(path)
    return len(customers) + len(staff)


def test_a_follow_up_sheet_names_the_customers_of_the_customer_sheet(tmp_path: Path) -> None:
    # A follow-up row names the customer and holds only the customer's ID or card, or no
    # identifier: nothing tells it apart from the customer of that name in the customer sheet
    # (whose identifiers are of other kinds), so it is that customer. It counted as another
    # person each (a row without an identifier was joined, by its staff member's name, with
    # every such row of that staff member). The account managers are people of their own.
    root = tmp_path / "d"
    root.mkdir()
    people = _crm(root / "CRM导出.xlsx", random.Random(18))
    assert _summary(root)["estimated_individuals"] == people


def test_two_customers_of_one_name_are_not_joined(tmp_path: Path) -> None:
    # two customers of one name, each with a phone, are two people; a follow-up naming that
    # name with no identifier is one of them (which one changes no count); it was counted on
    # its own
    root = tmp_path / "d"
    root.mkdir()
    people = _crm(root / "CRM导出.xlsx", random.Random(19), twins=True)
    assert _summary(root)["estimated_individuals"] == people


def _crm_with_ids(path: Path, rng: random.Random, *, stranger: bool = False) -> int:
    """A CRM export whose customer sheet holds each customer's ID number and phone, two
    customers of one name among them, and a follow-up sheet naming the customers: of that
    name two rows with nothing, one with a card; of the others a row with nothing, with a
    card or with the customer's own ID number. ``stranger``: a row of that name with an ID
    number neither customer has. Returns the people in it."""
    from openpyxl import Workbook

    from tests.engine.test_scan import card, resident_id

    names = _names(rng, 10)
    names[1] = names[0]
    ids = [resident_id(rng) for _ in names]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户信息"
    ws.append(["客户ID", "姓名", "身份证号", "手机号"])
    for i, name in enumerate(names):
        ws.append([f"K{i}", name, ids[i], mobile(rng)])
    follow = wb.create_sheet("跟进记录")
    follow.append(["日期", "客户", "跟进内容"])
    rows = [(names[0], "已电话回访，满意"), (names[0], f"退款到卡号{card(rng)}")]
    rows += [(names[0], "客户要求寄送发票")]
    for i in range(2, 10):
        remark = ["已电话回访，满意", f"已核验身份证{ids[i]}", f"退款到卡号{card(rng)}"]
        rows.append((names[i], remark[i % 3]))
    if stranger:
        rows.append((names[0], f"已核验身份证{resident_id(rng)}"))
    for name, remark in rows:
        follow.append(["2025-05-01", name, remark])
    wb.save(path)
    return len(names) + (1 if stranger else 0)


def test_follow_ups_of_a_name_two_customers_share_are_those_customers(tmp_path: Path) -> None:
    # Two customers of one name, each with an ID number and a phone: two people. The
    # follow-ups of that name with no identifier, or only a card, are one of them each (a card
    # neither customer has tells no one apart); they were people of their own (12 of 10).
    root = tmp_path / "d"
    root.mkdir()
    people = _crm_with_ids(root / "CRM导出.xlsx", random.Random(20))
    assert people == 10
    assert _summary(root)["estimated_individuals"] == people


def test_a_follow_up_with_an_id_number_neither_customer_has_is_a_third_person(
    tmp_path: Path,
) -> None:
    root = tmp_path / "d"
    root.mkdir()
    people = _crm_with_ids(root / "CRM导出.xlsx", random.Random(20), stranger=True)
    assert people == 11
    assert _summary(root)["estimated_individuals"] == people


def test_a_contact_shared_by_people_of_different_ids_joins_none_of_them(tmp_path: Path) -> None:
    # An agent's mailbox or a family's phone on many customers' rows, each with a resident ID
    # of their own: an ID number is one person's, so a shared contact does not make them one
    # (the bench's unique CSV, whose 170,000 e-mail addresses are 26,000 distinct, counted
    # 28,308 people among 200,000 customers). Rows that hold one ID, or rows without an ID,
    # are still joined by a phone or e-mail address they share.
    from tests.engine.test_scan import resident_id

    rng = random.Random(20)
    names = _names(rng, 60)
    family = mobile(rng)
    root = tmp_path / "d"
    root.mkdir()
    with (root / "客户.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "身份证号", "手机", "邮箱"])
        for i in range(40):  # 40 people, one mailbox; ten of them one phone too
            w.writerow(
                [names[i], resident_id(rng), family if i < 10 else mobile(rng), "agent@example.com"]
            )
        again = resident_id(rng)  # one person on two rows: one ID, two phones, one e-mail
        w.writerow([names[40], again, mobile(rng), "li@example.com"])
        w.writerow([names[40], again, mobile(rng), ""])
        shared = mobile(rng)  # two rows without an ID, one phone: one person
        w.writerow([names[41], "", shared, ""])
        w.writerow([names[41], "", shared, "wang@example.com"])
        w.writerow([names[42], "", "", "li@example.com"])  # the e-mail of the one with an ID
    assert _summary(root)["estimated_individuals"] == 40 + 1 + 1


def test_an_id_number_that_fails_its_check_does_not_split_a_person(tmp_path: Path) -> None:
    # the same customer twice, the second time with a typo in the ID number (its check
    # character fails) and the same phone: one person; an ID that fails its check names no one
    from tests.engine.test_scan import resident_id

    rng = random.Random(21)
    good = resident_id(rng)
    typo = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
    root = tmp_path / "d"
    root.mkdir()
    phone = mobile(rng)
    with (root / "客户.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "身份证号", "手机"])
        w.writerow(["王芳", good, phone])
        w.writerow(["王芳", typo, phone])
    assert _summary(root)["estimated_individuals"] == 1


def test_a_name_joins_no_one_whose_person_holds_another_id_elsewhere(tmp_path: Path) -> None:
    # 王芳's phone is also on a nameless row with her ID number; a follow-up naming 王芳 with
    # another ID number is someone else, though 王芳's own row holds no ID
    from openpyxl import Workbook

    from tests.engine.test_scan import resident_id

    rng = random.Random(22)
    phone = mobile(rng)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws.append(["姓名", "手机号"])
    ws.append(["王芳", phone])
    ids = wb.create_sheet("证件")
    ids.append(["身份证号", "手机号"])
    ids.append([resident_id(rng), phone])
    follow = wb.create_sheet("跟进记录")
    follow.append(["客户", "跟进内容"])
    follow.append(["王芳", f"已核验身份证{resident_id(rng)}，本人办理"])
    root = tmp_path / "d"
    root.mkdir()
    wb.save(root / "CRM导出.xlsx")
    assert _summary(root)["estimated_individuals"] == 2
