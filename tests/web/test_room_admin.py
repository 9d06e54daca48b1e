"""Running a room from the web: a broker opens one from the home page, lists and removes members,
lists and revokes grants on the room page (forms with the CSRF token) and through the API;
refusals come back in the management section; the seller reads, the buyer sees none of it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.dataroom import nda as ndas
from baomi.services.permissions import Actor, Role
from baomi.web.security import SESSION_COOKIE
from tests.web.conftest import PASSWORD, make_user
from tests.web.test_rooms_api import VALID

DEAL = "转让-001"
ROOM = f"/rooms/{DEAL}"
API = f"/api/v1/rooms/{DEAL}"
BROKER = Actor("broker.a", Role.BROKER)


def _bearer(vault: Any, username: str) -> dict[str, str]:
    token = accounts.login(vault, username=username, password=PASSWORD).token
    return {"Authorization": f"Bearer {token}"}


def _browser(client: TestClient, vault: Any, username: str) -> str:
    """``username`` signed in with a cookie, as a browser is; the session's CSRF token."""
    token = accounts.login(vault, username=username, password=PASSWORD).token
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    return accounts.csrf_token(vault, token)


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


@pytest.fixture
def room(client: TestClient, vault: Any) -> str:
    """A room opened from the home page by broker.a (seated), with a seller and a buyer; the
    broker's CSRF token."""
    for name, role in (("broker.a", "broker"), ("seller.a", "seller"), ("buyer.a", "buyer")):
        make_user(vault, name, role)
    csrf = _browser(client, vault, "broker.a")
    home = client.get("/")
    assert 'id="open-room"' in home.text
    form = {"deal": DEAL, "target_name": "示例科技有限公司", "target_uscc": VALID}
    assert client.post("/rooms", data=form).status_code == 403  # no CSRF token
    opened = client.post("/rooms", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/rooms/{quote(DEAL)}"
    for name, side in (("broker.a", "platform"), ("seller.a", "seller"), ("buyer.a", "buyer")):
        role = name.split(".")[0]
        seated = client.post(
            ROOM + "/manage/member",
            data={"csrf_token": csrf, "username": name, "side": side, "role": role},
            follow_redirects=False,
        )
        assert "error" not in seated.headers["location"], seated.headers["location"]
    return csrf


def test_a_bad_code_comes_back_to_the_home_page(client: TestClient, vault: Any) -> None:
    make_user(vault, "broker.a", "broker")
    csrf = _browser(client, vault, "broker.a")
    form = {"deal": "d2", "target_name": "示例", "target_uscc": "91110000MA01ABCD00"}
    back = client.post("/rooms", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].startswith("/?error=")
    assert "GB 32100" in _section(client.get(back.headers["location"]).text, 'id="open-room"')
    make_user(vault, "ops.a", "operator")  # creates deals, opens no room: no form
    _browser(client, vault, "ops.a")
    assert 'id="open-room"' not in client.get("/").text


def test_members_are_listed_and_removed_from_the_room_page(
    client: TestClient, vault: Any, room: str
) -> None:
    ndas.publish_nda(vault, actor=BROKER, deal_ref=DEAL, discloser="卖方", recipient="买方")
    manage = _section(client.get(ROOM).text, 'id="manage"')
    buyer_row = manage.split('id="member-buyer.a"')[1].split("</tr>")[0]
    assert "买方" in buyer_row and "未接受" in buyer_row and "/buyer.a/remove" in buyer_row
    assert "/broker.a/remove" not in manage  # not one's own seat
    removed = client.post(
        ROOM + "/manage/member/buyer.a/remove", data={"csrf_token": room}, follow_redirects=False
    )
    assert removed.status_code == 303 and "notice=" in removed.headers["location"]
    page = client.get(removed.headers["location"])
    assert "已将 buyer.a 移出数据室" in _section(page.text, 'id="manage"')
    assert 'id="member-buyer.a"' not in page.text
    buyer = _bearer(vault, "buyer.a")
    assert client.get(API, headers=buyer).status_code == 404  # no longer in it: not found
    assert client.get("/api/v1/rooms", headers=buyer).json() == []


def test_a_refusal_is_shown_in_the_management_section(
    client: TestClient, vault: Any, room: str
) -> None:
    """A management form's error used to land above the documents, out of sight of the
    section the page jumps to (#manage)."""
    make_user(vault, "root", "admin")
    csrf = _browser(client, vault, "root")
    last = client.post(
        ROOM + "/manage/member/broker.a/remove", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert "manage_error=" in last.headers["location"]
    manage = _section(client.get(last.headers["location"]).text, 'id="manage"')
    assert 'class="error"' in manage and "broker.a" in manage
    assert 'id="member-broker.a"' in manage  # still seated


def test_grants_are_listed_and_revoked_from_the_room_page(
    client: TestClient, vault: Any, room: str
) -> None:
    client.post(
        ROOM + "/manage/grant",
        data={"csrf_token": room, "side": "buyer", "folder": "/财务", "level": "view", "days": "7"},
    )
    (grant,) = client.get(API + "/grants", headers=_bearer(vault, "broker.a")).json()
    assert (grant["side"], grant["folder"], grant["level"], grant["live"]) == (
        "buyer",
        "财务",  # typed "/财务": the room's folder 财务
        "view",
        True,
    )
    assert grant["created_by"] == "broker.a"
    row = client.get(ROOM).text.split(f'id="grant-{grant["id"]}"')[1].split("</tr>")[0]
    assert "财务" in row and "有效至" in row and "broker.a" in row
    revoke = f"{ROOM}/manage/grant/{grant['id']}/revoke"
    assert client.post(revoke).status_code == 403  # no CSRF token
    client.post(revoke, data={"csrf_token": room})
    row = client.get(ROOM).text.split(f'id="grant-{grant["id"]}"')[1].split("</tr>")[0]
    assert "已撤销" in row and "/revoke" not in row
    assert (
        client.get(API + "/grants", headers=_bearer(vault, "broker.a")).json()[0]["live"] is False
    )
    english = client.get(ROOM + "?lang=en").text
    assert "Grants" in english and "revoked" in english and "Members" in english
    client.get("/?lang=zh")


def test_the_api_twins_and_who_sees_what(client: TestClient, vault: Any, room: str) -> None:
    broker = _bearer(vault, "broker.a")
    listed = client.get(API + "/members", headers=broker).json()
    assert [(m["username"], m["side"], m["role"]) for m in listed] == [
        ("buyer.a", "buyer", "buyer"),
        ("broker.a", "platform", "broker"),
        ("seller.a", "seller", "seller"),
    ]
    assert listed[0]["nda_required"] is True and listed[0]["nda_accepted_at"] is None
    assert client.get(API + "/members", headers=_bearer(vault, "buyer.a")).status_code == 403
    seller = _bearer(vault, "seller.a")
    assert client.get(API + "/members", headers=seller).status_code == 200
    assert client.delete(API + "/members/buyer.a", headers=seller).status_code == 403
    page = client.get(ROOM, headers=seller).text
    assert 'id="members"' in page and "/remove" not in page  # the seller reads, removes nothing
    itself = client.delete(API + "/members/broker.a", headers=broker)
    assert itself.status_code == 400 and "自己" in itself.json()["detail"]
    gone = client.delete(API + "/members/seller.a", headers=broker)
    assert gone.json() == {"username": "seller.a", "copies_outstanding": 0}
    assert client.get(API + "/members", headers=seller).status_code == 404


def test_the_stage_is_named_in_the_pages_language(client: TestClient, room: str) -> None:
    """The room page and the home page's list name the stage by its label, in the page's
    language — never by its code (``due_diligence``) outside the form's values."""
    moved = client.post(
        ROOM + "/manage/stage",
        data={"csrf_token": room, "stage": "due_diligence"},
        follow_redirects=False,
    )
    assert "manage_error" not in moved.headers["location"]
    for lang, shown in (("en", "due diligence"), ("zh", "尽职调查")):
        page = client.get(f"{ROOM}?lang={lang}").text
        assert f"<dd>{shown}</dd>" in page, lang
        assert 'option value="due_diligence" selected>' + shown in page, lang
        home = client.get(f"/?lang={lang}").text
        assert f"<td>{shown}</td>" in home, lang
        for html in (page, home):
            assert "due_diligence" not in html.replace('value="due_diligence"', ""), lang


def test_a_grant_on_a_folder_without_documents_is_kept_and_says_so(
    client: TestClient, vault: Any, room: str
) -> None:
    """A grant may name a folder before its files are uploaded (the broker sets up the room
    ahead); it is accepted, and the notice says the folder has no documents yet."""
    done = client.post(
        ROOM + "/manage/grant",
        data={"csrf_token": room, "side": "buyer", "folder": "财务", "level": "view", "days": "7"},
        follow_redirects=False,
    )
    assert "notice=" in done.headers["location"]
    notice = _section(client.get(done.headers["location"]).text, 'id="manage"')
    assert "已授予买方对“财务”的查看权限，7 天" in notice
    assert "该文件夹目前没有文件，上传后买方即可访问" in notice


def test_each_management_form_says_what_it_did(client: TestClient, vault: Any, room: str) -> None:
    """Granting said what it did; moving the stage, seating a member, publishing the NDA and
    revoking a grant came back to the page without a word (the command line says each)."""
    make_user(vault, "counsel.b", "counsel")

    def said(path: str, **form: str) -> str:
        done = client.post(ROOM + path, data={"csrf_token": room, **form}, follow_redirects=False)
        assert "notice=" in done.headers["location"], done.headers["location"]
        return _section(client.get(done.headers["location"]).text, 'id="manage"')

    assert "阶段：尽职调查" in said("/manage/stage", stage="due_diligence")
    seated = said("/manage/member", username="counsel.b", side="buyer", role="counsel")
    assert "已让 counsel.b 以“律师”身份坐在买方一方" in seated
    assert "已发布第 1 版保密协议" in said("/manage/nda", discloser="卖方", recipient="买方")
    said("/manage/grant", side="buyer", folder="财务", level="view", days="7")
    (grant,) = client.get(API + "/grants", headers=_bearer(vault, "broker.a")).json()
    assert "已撤销买方对“财务”的授权" in said(f"/manage/grant/{grant['id']}/revoke")


def test_the_grant_form_offers_the_buyers_side_first(client: TestClient, room: str) -> None:
    """Grants are for the receiving side; the form's side started at 卖方."""
    form = (
        client.get(ROOM).text.split('action="/rooms/转让-001/manage/grant"')[1].split("</form>")[0]
    )
    assert '<option value="buyer" selected>' in form
