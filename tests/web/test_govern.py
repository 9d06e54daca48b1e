"""The governance hub over HTTP: the company's side sees it and its calendar, the buyer's side
does not; an administrator puts users in departments."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.test_documents_api import _ready


def test_hub_and_calendar_for_the_company_side_only(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    assert client.get("/api/v1/govern/calendar", headers=seller).status_code == 200
    assert client.get("/api/v1/govern/calendar", headers=buyer).status_code == 403
    bad = client.get("/api/v1/govern/calendar?department=sales", headers=seller)
    assert bad.status_code == 400
    board = client.get("/api/v1/govern/dashboard", headers=seller)
    assert board.status_code == 200
    assert {"incidents_open", "requests_due"} <= {t["key"] for t in board.json()["tiles"]}
    assert client.get("/api/v1/govern/dashboard", headers=buyer).status_code == 403
    page = client.get("/govern", headers=seller)
    assert page.status_code == 200 and "个人信息保护管理" in page.text
    assert 'id="tiles"' in page.text and 'id="departments"' in page.text
    assert client.get("/govern", headers=buyer).status_code == 403
    assert 'href="/govern"' in client.get("/", headers=seller).text
    assert 'href="/govern"' not in client.get("/", headers=buyer).text


def test_an_auditor_seated_on_the_buyers_side_only_sees_no_governance(
    client: TestClient, vault: Any
) -> None:
    """``govern.view`` is open to auditors, so an auditor the buyer seated in a room read the
    company's audits, each employee's training record, policies and surveys (PIPL-6): refused
    now on every page and API (403, the action in words, recorded); no link on the start page.
    An auditor seated on the seller's side still reads them."""
    from baomi.services.govern.demo import ensure_demo_governance
    from tests.vault_support import denials
    from tests.web.conftest import make_user
    from tests.web.test_rooms_api import _as

    broker, _, _ = _ready(client, vault)
    ensure_demo_governance(vault)
    for name, side in (("aud.buyer", "buyer"), ("aud.seller", "seller")):
        make_user(vault, name, "auditor")
        r = client.post(
            "/api/v1/rooms/转让-001/members",
            json={"username": name, "side": side, "role": "auditor"},
            headers=broker,
        )
        assert r.status_code == 204, r.text
    theirs, ours = _as(client, "aud.buyer"), _as(client, "aud.seller")
    api = "/api/v1/govern"
    addresses = [
        f"{api}/dashboard",
        f"{api}/calendar",
        f"{api}/audits",
        f"{api}/audits/findings/export?format=csv",
        f"{api}/raci",
        f"{api}/policies",
        f"{api}/surveys",
        f"{api}/training/dashboard",
        f"{api}/training/assignments",
        "/govern",
        "/govern/audits",
        "/govern/policies",
        "/govern/surveys",
        "/govern/raci",
    ]

    for address in addresses:
        assert client.get(address, headers=ours).status_code == 200, address
        before = len(denials(vault))
        refused = client.get(address, headers=theirs)
        assert refused.status_code == 403, address
        assert "查看治理" in refused.text, address
        assert len(denials(vault)) == before + 1, address
    english = client.get(f"{api}/audits?lang=en", headers=theirs)
    assert "seated on the buyer's side only, may not see governance" in english.json()["detail"]
    assert 'href="/govern"' in client.get("/", headers=ours).text
    assert 'href="/govern"' not in client.get("/", headers=theirs).text
    # nor the company's training: its pages and API refuse in words, in either language
    html = {"Accept": "text/html"}
    page = client.get("/govern/training?lang=zh", headers=theirs | html)
    assert page.status_code == 403
    assert "仅在买方就座，无权参加培训" in page.text
    english = client.get("/govern/training/law?lang=en", headers=theirs | html)
    assert english.status_code == 403
    assert "seated on the buyer&#39;s side only, may not take training" in english.text
    quiz = client.post(  # the refusal before what is wrong with the answers
        "/govern/training/law", data={"q0": "0"}, headers=theirs | html, follow_redirects=False
    )
    assert quiz.status_code == 403 and "may not take training" in quiz.text
    for address in ("courses", "mine", "courses/law"):
        refused = client.get(f"{api}/training/{address}", headers=theirs)
        assert refused.status_code == 403, address
    taken = client.post(
        f"{api}/training/courses/law/attempts", json={"answers": []}, headers=theirs
    )
    assert taken.status_code == 403 and "may not take training" in taken.text
    assert client.get(f"{api}/training/courses", headers=ours).status_code == 200
    assert client.get("/govern/training", headers=ours | html).status_code == 200
