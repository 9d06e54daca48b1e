"""One request's page and API: search a deal for the requester (linked to the request), the
response package, a deletion applied as new versions — the identifier never kept."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from baomi.services import accounts, deals
from baomi.services.permissions import Actor, Role
from baomi.storage.models import AuditEventRow, SubjectRequest
from baomi.web.security import SESSION_COOKIE
from tests.web.conftest import api_login, make_user

OP = Actor("op", Role.OPERATOR)
PEOPLE = "姓名,手机,城市\n张三,13812345678,北京\n李四,13812345678,上海\n王五,13900001111,天津\n"
WIDE = "１３８ １２３４ ５６７８"


def _login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    r = api_login(client, username=username)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _home(client: TestClient, vault: Any, tmp_path: Path) -> tuple[dict[str, str], str, str]:
    f = tmp_path / "客户.csv"
    f.write_text(PEOPLE, encoding="utf-8")
    deals.create(vault, actor=OP, name="甲")
    deals.add(vault, actor=OP, deal_ref="甲", paths=[f], scanner=lambda _p: None)
    make_user(vault, "keeper", "admin")
    token = _login(client, "keeper")
    admin = {"Authorization": f"Bearer {token}"}
    req = client.post(
        "/api/v1/subject-requests", json={"kind": "deletion", "contact": "a@b.cn"}, headers=admin
    ).json()
    client.post(
        f"/api/v1/subject-requests/{req['id']}/verifications",
        json={"method": "sms_code", "passed": True},
        headers=admin,
    )
    return admin, token, req["id"]


def _kept(vault: Any) -> str:
    """Everything the vault keeps in plain columns of the audit and the request rows."""
    with vault.reading() as session:
        events = " ".join(str(vars(e)) for e in session.execute(select(AuditEventRow)).scalars())
        rows = " ".join(str(vars(r)) for r in session.execute(select(SubjectRequest)).scalars())
    return events + rows


def test_search_package_and_deletion_over_the_api(
    client: TestClient, vault: Any, tmp_path: Path
) -> None:
    admin, _token, request_id = _home(client, vault, tmp_path)
    base = f"/api/v1/subject-requests/{request_id}"
    found = client.post(
        base + "/search",
        json={"deal": "甲", "kind": "CN_MOBILE", "value": WIDE, "name": "张 三"},
        headers=admin,
    )
    assert found.status_code == 200, found.text
    assert {(h["row"], h["column"]) for h in found.json()["hits"]} == {(0, "手机"), (0, "姓名")}
    shown = client.get(base, headers=admin).json()
    assert shown["search_per_file"] == {"客户.csv": 2}
    package = client.get(base + "/package", params={"format": "csv"}, headers=admin)
    assert package.status_code == 200
    assert package.headers["content-type"].startswith("text/csv")
    assert "attachment" in package.headers["content-disposition"]
    assert package.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(package.content.decode("utf-8-sig"))))
    assert ["客户.csv", "", "0", "城市", "北京"] in lines and "上海" not in package.text
    bad = client.get(base + "/package", params={"format": "pdf"}, headers=admin)
    assert bad.status_code == 422
    applied = client.post(base + "/apply", json={}, headers=admin)
    assert applied.status_code == 200, applied.text
    assert [(v["file"], v["rows"]) for v in applied.json()["versions"]] == [("客户.csv", 1)]
    again = client.post(
        base + "/search",
        json={"deal": "甲", "kind": "CN_MOBILE", "value": "13812345678", "name": "张三"},
        headers=admin,
    ).json()
    assert again["hits"] == []
    kept = _kept(vault)
    assert "13812345678" not in kept and "张三" not in kept and "张 三" not in kept


def test_the_request_page_searches_downloads_and_applies(
    client: TestClient, vault: Any, tmp_path: Path
) -> None:
    _admin, token, request_id = _home(client, vault, tmp_path)
    client.cookies.set(SESSION_COOKIE, token)
    csrf = accounts.csrf_token(vault, token)
    page = client.get(f"/requests/{request_id}")
    assert page.status_code == 200 and 'action="/requests/' in page.text and "甲" in page.text
    assert f'href="/requests/{request_id}"' in client.get("/requests").text
    deal_id = deals.list_deals(vault, actor=OP)[0].id
    r = client.post(
        f"/requests/{request_id}/search",
        data={
            "csrf_token": csrf,
            "deal": deal_id,
            "kind": "CN_MOBILE",
            "value": WIDE,
            "name": "张三",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and "note=" in r.headers["location"]
    # no value in the address; its signature (msig, random hex) may hold any digits
    where = re.sub(r"[?&]msig=[0-9a-f]+", "", r.headers["location"])
    assert "msig" not in where and "1234" not in where and "%E5%BC%A0%E4%B8%89" not in where
    shown = client.get(r.headers["location"])
    assert "客户.csv ×2" in shown.text and "/package?format=xlsx" in shown.text
    xlsx = client.get(f"/requests/{request_id}/package", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    wrong = client.post(
        f"/requests/{request_id}/search",
        data={"csrf_token": csrf, "deal": deal_id, "kind": "NONSENSE", "value": "1"},
        follow_redirects=False,
    )
    assert wrong.status_code == 303 and "error=" in wrong.headers["location"]
    done = client.post(
        f"/requests/{request_id}/apply", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303 and "note=" in done.headers["location"], done.headers
    current = deals.objects(vault, deal_id)
    assert len(current) == 1
    assert "张三" not in deals.open_object(vault, deal_id, current[0].id)[1].decode()
    no_csrf = client.post(f"/requests/{request_id}/apply", data={}, follow_redirects=False)
    assert no_csrf.status_code == 403
    assert "13812345678" not in _kept(vault)


def test_who_may_search(client: TestClient, vault: Any, tmp_path: Path) -> None:
    _admin, _token, request_id = _home(client, vault, tmp_path)
    make_user(vault, "broker.b", "broker")
    token = _login(client, "broker.b")
    broker = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/subject-requests/{request_id}"
    body = {"deal": "甲", "kind": "CN_MOBILE", "value": "13812345678"}
    assert client.post(base + "/search", json=body, headers=broker).status_code == 403
    assert client.get(base + "/package", headers=broker).status_code == 403
    assert client.post(base + "/apply", json={}, headers=broker).status_code == 403
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get(f"/requests/{request_id}")
    assert page.status_code == 200 and "/search" not in page.text
