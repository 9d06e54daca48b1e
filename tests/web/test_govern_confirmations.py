"""The governance forms say what they did, and refuse what they used to take silently: a policy
owner no reminder can reach, an audit completed without a conclusion, a survey "published" with
a value the form never sends."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from tests.web.test_documents_api import _ready


def _post(client: TestClient, who: dict[str, str], path: str, data: dict[str, Any]) -> str:
    """The page a form goes back to, with its messages (``?notice=`` / ``?error=``) shown."""
    out = client.post(path, data=data | {"csrf_token": "x"}, headers=who, follow_redirects=False)
    assert out.status_code == 303, out.text
    return str(out.headers["location"])


def _said(location: str, key: str) -> str:
    return parse_qs(urlsplit(location).query).get(key, [""])[0]


def test_each_governance_form_says_what_it_did(client: TestClient, vault: Any) -> None:
    """A successful post went back to its page without a word (the users page says what each
    action did); now each says so, signed like every page message, and the page shows it."""
    _, _, seller = _ready(client, vault)
    made = _post(
        client,
        seller,
        "/govern/policies",
        {"title": "数据安全管理制度", "department": "legal", "text": "正文", "owner": "seller.a"},
    )
    assert _said(made, "notice") == "已新建制度", made
    page = client.get(made, headers=seller).text
    assert 'role="status"' in page and "已新建制度" in page
    policy = urlsplit(made).path
    assert "已记录复核" in _said(
        _post(client, seller, policy + "/reviews", {"outcome": "仍适用"}), "notice"
    )
    assert _said(_post(client, seller, policy + "/versions", {"text": "第二版"}), "notice")
    survey = _post(client, seller, "/govern/surveys", {"title": "满意度"})
    assert _said(survey, "notice") == "已新建问卷"
    planned = _post(
        client,
        seller,
        "/govern/audits",
        {"scope": "营销", "frequency_months": "6", "planned_for": "2026-08-31", "auditors": "甲"},
    )
    assert _said(planned, "notice") == "已计划审计"
    assert "已计划审计" in client.get(planned, headers=seller).text
    english = client.post(
        "/govern/surveys?lang=en",
        data={"title": "Satisfaction", "csrf_token": "x"},
        headers=seller,
        follow_redirects=False,
    )
    assert _said(english.headers["location"], "notice") == "Survey created"


def test_a_policy_owner_must_be_a_user_the_reminders_reach(client: TestClient, vault: Any) -> None:
    """The owner is who the reminder run tells (instead of the department): a name that is no
    user's was kept, and the reminders for the policy reached nobody."""
    _, _, seller = _ready(client, vault)
    form = {"title": "隐私政策", "department": "legal", "text": "正文", "owner": "nobody.here"}
    refused = _post(client, seller, "/govern/policies", form)
    assert "负责人" in _said(refused, "error") and "nobody.here" not in _said(refused, "error")
    assert client.get("/api/v1/govern/policies", headers=seller).json() == []


def test_an_audit_is_not_completed_without_a_conclusion(client: TestClient, vault: Any) -> None:
    _, _, seller = _ready(client, vault)
    from tests.web.conftest import make_user
    from tests.web.test_rooms_api import _as

    make_user(vault, "zhao.auditor", "auditor")
    auditor = _as(client, "zhao.auditor")
    planned = client.post(
        "/api/v1/govern/audits",
        json={
            "scope": "营销",
            "frequency_months": 6,
            "planned_for": "2026-08-31",
            "auditors": ["甲"],
        },
        headers=seller,
    )
    audit = planned.json()["id"]
    for blank in ("", "   "):
        refused = _post(client, auditor, f"/govern/audits/{audit}/complete", {"conclusion": blank})
        assert "结论" in _said(refused, "error"), refused
    assert (
        client.get(f"/api/v1/govern/audits/{audit}", headers=seller).json()["completed_at"] is None
    )
    done = _post(client, auditor, f"/govern/audits/{audit}/complete", {"conclusion": "基本合规"})
    assert _said(done, "notice") == "已完成审计"


def test_publishing_takes_only_the_values_the_form_sends(client: TestClient, vault: Any) -> None:
    """Anything but "1" unpublished the summary (a typo, "yes", "true"): only 1 (publish) and 0
    (withdraw) are taken."""
    _, _, seller = _ready(client, vault)
    survey = urlsplit(_post(client, seller, "/govern/surveys", {"title": "满意度"})).path
    sid = survey.rsplit("/", 1)[1]

    def published() -> bool:
        return bool(client.get(f"/api/v1/govern/surveys/{sid}", headers=seller).json()["published"])

    assert _said(_post(client, seller, survey + "/publish", {"published": "1"}), "notice")
    assert published()
    for odd in ("yes", "true", ""):
        refused = _post(client, seller, survey + "/publish", {"published": odd})
        assert _said(refused, "error"), odd
        assert published(), odd
    assert _said(_post(client, seller, survey + "/publish", {"published": "0"}), "notice")
    assert not published()
    page = client.get(survey, headers=seller).text
    assert 'name="published" value="1"' in page
