"""Training over HTTP: the company's staff take a course and get a certificate, managers
assign and read the dashboard (and export it), the buyer sees none of it; the quiz form needs
the session's CSRF token and never carries the answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.govern import training
from tests.web.conftest import ADMIN, api_login, make_user
from tests.web.test_rooms_api import _as

BASE = "/api/v1/govern/training"


def _right(course: str) -> list[int]:
    return [q.answer for q in training.course(course).questions]


def test_take_a_course_and_manage_training(client: TestClient, vault: Any) -> None:
    make_user(vault, "seller.a", "seller")
    make_user(vault, "broker.a", "broker")
    make_user(vault, "buyer.a", "buyer")
    make_user(vault, "counsel.a", "counsel")
    accounts.set_department(vault, actor=ADMIN, username="seller.a", department="hr")
    seller, broker = _as(client, "seller.a"), _as(client, "broker.a")
    buyer, counsel = _as(client, "buyer.a"), _as(client, "counsel.a")

    assert client.get(f"{BASE}/courses", headers=buyer).status_code == 403
    listed = client.get(f"{BASE}/courses", headers=counsel).json()
    assert {c["topic"] for c in listed} == set(training.TOPICS)
    assert "answer" not in str(listed)

    made = client.post(
        f"{BASE}/assignments", json={"course": "law", "department": "hr"}, headers=broker
    )
    assert made.status_code == 201, made.text
    assert (
        client.post(f"{BASE}/assignments", json={"course": "law"}, headers=broker).status_code
        == 400
    )
    assert (
        client.post(
            f"{BASE}/assignments", json={"course": "law", "role": "seller"}, headers=counsel
        )
    ).status_code == 403
    (mine,) = client.get(f"{BASE}/mine", headers=seller).json()
    assert (mine["course"], mine["status"]) == ("law", "open")

    failed = client.post(
        f"{BASE}/courses/law/attempts", json={"answers": [9, 9, 9][:3]}, headers=seller
    )
    assert failed.status_code == 400  # option 9 does not exist
    passed = client.post(
        f"{BASE}/courses/law/attempts", json={"answers": _right("law")}, headers=seller
    ).json()
    assert passed["passed"] and passed["score"] == 100 and passed["code"]
    pdf = client.get(f"{BASE}/attempts/{passed['id']}/certificate", headers=seller)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = client.get(f"{BASE}/attempts/{passed['id']}/certificate?format=html", headers=seller)
    assert passed["code"] in html.text
    # another user's attempt answers counsel (no governance reading) as an unknown id does
    theirs = client.get(f"{BASE}/attempts/{passed['id']}", headers=counsel)
    unknown = client.get(f"{BASE}/attempts/{'0' * 32}", headers=counsel)
    assert (theirs.status_code, theirs.text) == (unknown.status_code, unknown.text)
    assert theirs.status_code == 404 and passed["id"] not in theirs.text
    assert (
        client.get(f"{BASE}/verify/{passed['code']}", headers=broker).json()["id"] == passed["id"]
    )
    assert client.get(f"{BASE}/verify/{'0' * 64}", headers=broker).status_code == 400

    (row,) = client.get(f"{BASE}/dashboard", headers=broker).json()
    assert (row["department"], row["assigned"], row["done"], row["rate"]) == ("hr", 1, 1, 1.0)
    assert client.get(f"{BASE}/dashboard", headers=counsel).status_code == 403
    csv_file = client.get(f"{BASE}/dashboard/export?format=csv", headers=broker)
    assert csv_file.content.startswith(b"\xef\xbb\xbf") and "人力资源" in csv_file.text
    xlsx = client.get(f"{BASE}/dashboard/export?format=xlsx", headers=broker)
    assert xlsx.content.startswith(b"PK")
    listed = client.get(f"{BASE}/exports/assignments?format=csv", headers=broker)
    assert listed.content.startswith(b"\xef\xbb\xbf") and "人力资源" in listed.text
    assert (
        client.get(f"{BASE}/exports/assignments?format=xlsx", headers=broker).content[:2] == b"PK"
    )
    assert client.get(f"{BASE}/exports/assignments", headers=counsel).status_code == 403
    cal = client.get("/api/v1/govern/calendar", headers=broker).json()
    assert [i["ref"] for i in cal if i["kind"] == "training"] == ["law:seller.a"]

    assignment = client.get(f"{BASE}/assignments", headers=broker).json()[0]["id"]
    assert client.delete(f"{BASE}/assignments/{assignment}", headers=broker).status_code == 204
    assert client.get(f"{BASE}/mine", headers=seller).json() == []


def _page_session(client: TestClient, username: str) -> None:
    client.cookies.clear()
    assert api_login(client, username=username).status_code == 200


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_quiz_page_with_csrf_and_certificate(client: TestClient, vault: Any) -> None:
    make_user(vault, "seller.b", "seller")
    _page_session(client, "seller.b")
    page = client.get("/govern/training/incidents")
    assert page.status_code == 200 and "测验" in page.text
    assert 'name="q2"' in page.text and "answer" not in page.text
    form = {f"q{n}": str(a) for n, a in enumerate(_right("incidents"))}
    assert client.post("/govern/training/incidents", data=form).status_code == 403  # no token
    token = _csrf(page.text)
    short = client.post(
        "/govern/training/incidents", data={"csrf_token": token, "q0": "0"}, follow_redirects=False
    )
    assert short.status_code == 303 and "error=" in short.headers["location"]
    done = client.post(
        "/govern/training/incidents", data=form | {"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    result = client.get(done.headers["location"])
    assert "已通过" in result.text and "个人信息保护培训证书" in result.text
    mine = client.get("/govern/training")
    assert "我的答题记录" in mine.text and "完成情况" in mine.text  # the seller manages too
    assert client.get("/govern/training/exports/dashboard.csv").status_code == 200
    assert 'href="/govern/training"' in client.get("/govern").text


def test_buyer_has_no_training_pages(client: TestClient, vault: Any) -> None:
    make_user(vault, "buyer.b", "buyer")
    _page_session(client, "buyer.b")
    assert client.get("/govern/training").status_code == 403


def test_the_assignment_form_names_roles_in_words(client: TestClient, vault: Any) -> None:
    """The role list showed the codes (seller, counsel…) where every other list names them."""
    make_user(vault, "seller.c", "seller")
    _page_session(client, "seller.c")
    page = client.get("/govern/training").text
    roles = page[page.index('<select name="role"') :]
    roles = roles[: roles.index("</select>")]
    assert '<option value="seller">卖方成员</option>' in roles
    english = client.get("/govern/training?lang=en").text
    assert '<option value="seller">seller member</option>' in english
