"""Surveys over HTTP: the staff build, open and read a survey; the public page takes an
anonymous response and refuses bad input (missing, oversized, unknown fields; a closed survey; a
wrong link; a flood), the published summary shows aggregates only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from baomi.services.govern import surveys
from baomi.services.permissions import Actor, Role
from tests.web.test_documents_api import _ready

SELLER = Actor("seller", Role.SELLER)
PHONE = "13812345678"  # generated, not a real person's


def _open(vault: Any) -> tuple[surveys.SurveyInfo, str, str]:
    info = surveys.create(vault, actor=SELLER, title="信息保护满意度")
    surveys.add_question(
        vault, actor=SELLER, survey_id=info.id, kind="scale", text="总体满意度", required=True
    )
    surveys.add_question(vault, actor=SELLER, survey_id=info.id, kind="text", text="建议")
    info = surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="open")
    scale, text = (q.id for q in info.questions)
    return info, "q_" + scale, "q_" + text


def _pre(client: TestClient, token: str) -> str:
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200 and "自动遮盖" in page.text  # the page says it masks
    return client.cookies.get("baomi_csrf") or ""


def _count(vault: Any, survey_id: str) -> int:
    return surveys.get(vault, actor=SELLER, survey_id=survey_id).responses


def test_staff_build_open_and_read_a_survey(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    made = client.post("/api/v1/govern/surveys", json={"title": "满意度"}, headers=seller)
    assert made.status_code == 201
    sid = made.json()["id"]
    assert (
        client.post("/api/v1/govern/surveys", json={"title": "x"}, headers=buyer).status_code == 403
    )
    q = client.post(
        f"/api/v1/govern/surveys/{sid}/questions",
        json={"kind": "choice", "text": "清楚吗", "options": ["是", "否"], "required": True},
        headers=seller,
    )
    assert q.status_code == 201
    bad = client.post(
        f"/api/v1/govern/surveys/{sid}/questions",
        json={"kind": "choice", "text": "x", "options": ["only"]},
        headers=seller,
    )
    assert bad.status_code == 400
    opened = client.post(
        f"/api/v1/govern/surveys/{sid}/status", json={"status": "open"}, headers=seller
    )
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    link = opened.json()["link"]
    client.cookies.clear()  # the public side: no session
    token = _pre(client, link.rsplit("/", 1)[1])
    qid = opened.json()["questions"][0]["id"]
    done = client.post(link, data={"csrf_token": token, f"q_{qid}": "是"})
    assert done.status_code == 200 and "感谢" in done.text
    res = client.get(f"/api/v1/govern/surveys/{sid}/results", headers=seller).json()
    assert res["responses"] == 1
    page = client.get(f"/govern/surveys/{sid}", headers=seller)
    assert page.status_code == 200 and "<svg" in page.text
    assert client.get("/govern/surveys", headers=seller).status_code == 200
    assert client.get("/govern/surveys", headers=buyer).status_code == 403
    csv = client.get(f"/api/v1/govern/surveys/{sid}/responses?format=csv", headers=seller)
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    xlsx = client.get(f"/api/v1/govern/surveys/{sid}/responses?format=xlsx", headers=seller)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    listed = client.get("/api/v1/govern/surveys/export?format=csv", headers=seller)
    assert listed.status_code == 200 and "满意度" in listed.content.decode("utf-8-sig")
    assert client.get("/api/v1/govern/surveys/export", headers=buyer).status_code == 403
    act = client.post(
        f"/api/v1/govern/surveys/{sid}/actions",
        json={"text": "改写告知", "department": "legal", "due": "2026-12-31"},
        headers=seller,
    )
    assert act.status_code == 201
    cal = client.get("/api/v1/govern/calendar", headers=seller).json()
    assert any(i["kind"] == "survey" for i in cal)
    aid = act.json()["actions"][0]["id"]
    assert (
        client.post(f"/api/v1/govern/surveys/actions/{aid}/done", headers=seller).status_code == 200
    )


def test_public_page_stores_masked_free_text(client: TestClient, vault: Any) -> None:
    info, scale, text = _open(vault)
    token = _pre(client, info.token)
    r = client.post(
        f"/survey/{info.token}", data={"csrf_token": token, scale: "5", text: f"电话 {PHONE}"}
    )
    assert r.status_code == 200
    (stored,) = surveys.results(vault, actor=SELLER, survey_id=info.id).questions[1].texts
    assert PHONE not in stored


def test_public_page_refuses_bad_input(client: TestClient, vault: Any) -> None:
    info, scale, text = _open(vault)
    token = _pre(client, info.token)
    most = surveys.limit("max_text_chars")
    for body in (
        {},  # nothing
        {text: "只有建议"},  # the required scale missing
        {scale: "9"},
        {scale: "3", text: "长" * (most + 1)},  # oversized
        {scale: "3", "q_no-such-question": "x"},  # an unknown question
        {scale: "3", "name": "张三"},  # a field that is no question (no PI is asked)
    ):
        r = client.post(f"/survey/{info.token}", data={"csrf_token": token, **body})
        assert r.status_code == 400, body
    # a repeated field
    r = client.post(
        f"/survey/{info.token}",
        content=f"csrf_token={token}&{scale}=3&{scale}=4",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    # no CSRF token: refused before anything
    assert client.post(f"/survey/{info.token}", data={scale: "3"}).status_code == 403
    assert _count(vault, info.id) == 0


def test_wrong_link_closed_survey_and_draft(client: TestClient, vault: Any) -> None:
    info, scale, _ = _open(vault)
    token = _pre(client, info.token)
    assert client.get("/survey/no-such-token").status_code == 404
    assert (
        client.post("/survey/no-such-token", data={"csrf_token": token, scale: "3"}).status_code
        == 404
    )
    draft = surveys.create(vault, actor=SELLER, title="草稿")
    assert client.get(f"/survey/{draft.token}").status_code == 404
    surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="closed")
    page = client.get(f"/survey/{info.token}")
    assert page.status_code == 200 and 'id="closed"' in page.text
    r = client.post(f"/survey/{info.token}", data={"csrf_token": token, scale: "3"})
    assert r.status_code == 410
    assert _count(vault, info.id) == 0


def test_a_flood_gets_429(client: TestClient, vault: Any) -> None:
    info, scale, _ = _open(vault)
    token = _pre(client, info.token)
    most = surveys.limit("public_limit")
    codes = [
        client.post(f"/survey/{info.token}", data={"csrf_token": token, scale: "4"}).status_code
        for _ in range(most + 2)
    ]
    assert codes[:most] == [200] * most
    assert set(codes[most:]) == {429}
    assert _count(vault, info.id) == most


def test_published_summary_is_aggregate_only(client: TestClient, vault: Any) -> None:
    info, scale, text = _open(vault)
    assert client.get(f"/survey/{info.token}/summary").status_code == 404  # not published
    surveys.set_published(vault, actor=SELLER, survey_id=info.id, published=True)
    token = _pre(client, info.token)
    page = client.get(f"/survey/{info.token}/summary")
    assert page.status_code == 200 and 'id="too-few"' in page.text
    for _ in range(surveys.limit("min_published_responses")):
        client.post(
            f"/survey/{info.token}", data={"csrf_token": token, scale: "4", text: "私密意见"}
        )
    page = client.get(f"/survey/{info.token}/summary")
    assert page.status_code == 200 and "<svg" in page.text
    assert "私密意见" not in page.text


def test_a_file_or_too_many_fields_is_refused(client: TestClient, vault: Any) -> None:
    info, scale, _ = _open(vault)
    token = _pre(client, info.token)
    r = client.post(
        f"/survey/{info.token}",
        data={"csrf_token": token, scale: "3"},
        files={"upload": ("a.txt", b"x", "text/plain")},
    )
    assert r.status_code == 400
    many = {f"q_{i}": "1" for i in range(surveys.limit("max_questions") + 5)}
    r = client.post(f"/survey/{info.token}", data={"csrf_token": token, **many})
    assert r.status_code == 400
    assert _count(vault, info.id) == 0
