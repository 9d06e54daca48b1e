"""Incidents over HTTP: register, clocks, playbook, notices; a leaked copy traced back to the
buyer who downloaded it; the pages show grade and overdue duties."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.services.dataroom.test_documents import _csv
from tests.web.test_documents_api import _ready

BASE = "/api/v1/rooms/转让-001/incidents"


def test_register_clocks_and_steps(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    found = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(hours=5)).isoformat()
    r = client.post(
        BASE,
        json={"title": "名单外泄", "discovered_at": found, "individuals": 1_000_000},
        headers=seller,
    )
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["grade"] == "relatively_major"
    clocks = {d["clock"]: d for d in inc["deadlines"]}
    assert clocks["provincial"]["overdue"]  # 5 hours after discovery, the 4 hours are gone
    assert clocks["regulator"]["immediate"] and clocks["regulator"]["overdue"]
    assert client.get(BASE, headers=buyer).status_code == 403
    done = client.post(
        f"{BASE}/{inc['id']}/clocks", json={"clock": "provincial"}, headers=seller
    ).json()
    assert {d["clock"]: d for d in done["deadlines"]}["provincial"]["done_at"]
    step = client.post(
        f"{BASE}/{inc['id']}/steps/isolate",
        json={"tick": ["revoke_access"], "done": True},
        headers=broker,
    ).json()
    assert step["steps"][0]["done_by"]
    facts = {
        "categories": "姓名、手机号",
        "cause": "误发邮件",
        "harm": "骚扰电话",
        "measures": "要求删除",
        "advice": "留意陌生来电",
        "contact": "400-000-0000",
        "company": "示例有限公司",
    }
    texts = client.post(f"{BASE}/{inc['id']}/notices", json=facts, headers=seller).json()
    assert "400-000-0000" in texts["individuals"] and "较大" in texts["regulator"]
    pdf = client.post(f"{BASE}/{inc['id']}/report", json=facts, headers=seller)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "incident-report" in pdf.headers["content-disposition"]
    xlsx = client.post(f"{BASE}/{inc['id']}/report?format=xlsx", json=facts, headers=seller)
    assert xlsx.content[:2] == b"PK"
    assert client.post(f"{BASE}/{inc['id']}/report", json=facts, headers=buyer).status_code == 403
    form = facts | {"channel": "sms"}
    drafted = client.post(
        f"/rooms/转让-001/incidents/{inc['id']}/notices", data=form, headers=seller
    )
    assert drafted.status_code == 200 and 'id="draft-regulator"' in drafted.text
    assert "400-000-0000" in drafted.text and "【示例有限公司】" in drafted.text  # the SMS form
    assert client.post(
        f"/rooms/转让-001/incidents/{inc['id']}/report", data=form, headers=seller
    ).content.startswith(b"%PDF")
    page = client.get(f"/rooms/转让-001/incidents/{inc['id']}", headers=seller)
    assert page.status_code == 200 and "clock" in page.text and "较大" in page.text
    listing = client.get("/rooms/转让-001/incidents", headers=seller)
    assert "名单外泄" in listing.text and 'class="overdue"' in listing.text


def test_the_report_form_reads_a_count_as_people_type_it(client: TestClient, vault: Any) -> None:
    """`1,200,000` affected was stored as not entered (graded below "relatively major", with
    no word); a count that is no number is an error shown on the page."""
    _broker, _buyer, seller = _ready(client, vault)
    for typed in ("1,200,000", "１２０００００", "1 200 000"):
        r = client.post(
            "/rooms/转让-001/incidents",
            data={"title": f"外泄 {typed}", "individuals": typed},
            headers=seller,
            follow_redirects=False,
        )
        assert r.status_code == 303 and "error=" not in r.headers["location"], typed
    grades = {i["title"]: i["grade"] for i in client.get(BASE, headers=seller).json()}
    assert set(grades.values()) == {"relatively_major"}, grades
    bad = client.post(
        "/rooms/转让-001/incidents",
        data={"title": "外泄", "individuals": "很多"},
        headers=seller,
        follow_redirects=False,
    )
    assert "error=" in bad.headers["location"]
    assert len(client.get(BASE, headers=seller).json()) == 3  # nothing recorded
    # a count no database column holds was a 500 (OverflowError from SQLite): an error shown
    huge = client.post(
        "/rooms/转让-001/incidents",
        data={"title": "外泄", "individuals": "9" * 20},
        headers=seller,
        follow_redirects=False,
    )
    assert huge.status_code == 303 and "error=" in huge.headers["location"]
    assert len(client.get(BASE, headers=seller).json()) == 3


def _downloaded(
    client: TestClient, broker: dict[str, str], buyer: dict[str, str], seller: dict[str, str]
) -> bytes:
    """名单.csv (60 generated rows) uploaded into 客户, granted to the buyer's side and
    downloaded by the buyer: the protected copy's bytes."""
    client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(60), "text/csv"))],
        data={"folder": "客户"},
        headers=seller,
    )
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "客户", "level": "download", "days": 7},
        headers=broker,
    )
    doc = client.get("/api/v1/rooms/转让-001/documents", headers=buyer).json()[0]
    return client.get(
        f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=buyer
    ).content


def test_a_leaked_download_is_traced_to_the_buyer(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    leaked = _downloaded(client, broker, buyer, seller)
    inc = client.post(BASE, json={"title": "网上出现客户名单"}, headers=seller).json()
    r = client.post(
        f"{BASE}/{inc['id']}/attribution",
        files=[("sample", ("leak.csv", leaked, "text/csv"))],
        headers=seller,
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["attributed_package"] and got["attributed_recipient"]
    assert re.search("buyer", got["attributed_recipient"]), got["attributed_recipient"]
    bad = client.post(
        f"{BASE}/{inc['id']}/attribution",
        files=[("sample", ("leak.exe", b"MZ", "application/octet-stream"))],
        headers=seller,
    )
    assert bad.status_code == 400


def test_a_trace_that_cannot_be_made_says_why_without_server_paths(
    client: TestClient, vault: Any
) -> None:
    """Tracing a leaked sample before the deal had delivered a package said
    "/…/home/rooms/<id>/records: 追踪记录目录不存在…", and a damaged workbook as the sample
    "/tmp/baomi-sample-v2_7qmgf/sample.xlsx: 不是有效的 XLSX 工作簿…": the server's folders.
    The first says no package was delivered yet; the second calls the file the sample — not by
    the name it was uploaded under, which may hold a person's name."""
    broker, buyer, seller = _ready(client, vault)
    inc = client.post(BASE, json={"title": "网上出现客户名单"}, headers=seller).json()
    damaged = [("sample", ("张伟.xlsx", b"PK\x03\x04garbage", "application/octet-stream"))]
    early = client.post(f"{BASE}/{inc['id']}/attribution", files=damaged, headers=seller)
    assert early.status_code == 400 and early.json()["detail"].startswith(
        "本交易还没有交付过数据包"
    )
    _downloaded(client, broker, buyer, seller)  # a package delivered: trace records kept
    r = client.post(f"{BASE}/{inc['id']}/attribution", files=damaged, headers=seller)
    assert r.status_code == 400
    said = r.json()["detail"]
    assert said.startswith("样本：") and "/tmp" not in said and "张伟" not in said


def test_drills_page_and_api(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    r = client.post(
        "/api/v1/drills",
        json={"scenario": "名单外泄演练", "scheduled_for": "2026-03-01", "targets": {"isolate": 1}},
        headers=seller,
    )
    assert r.status_code == 201, r.text
    drill = r.json()
    client.post(
        f"/api/v1/drills/{drill['id']}/timings",
        json={"step": "isolate", "event": "start"},
        headers=seller,
    )
    done = client.post(
        f"/api/v1/drills/{drill['id']}/timings",
        json={"step": "isolate", "event": "end"},
        headers=seller,
    ).json()
    assert done["steps"][0]["minutes"] is not None
    # a step timed in seconds reads "0 秒", not "0.0" or "0.01" minutes; its target "1 分钟"
    page = client.get("/drills", headers=seller).text
    row = page.split("名单外泄演练", 1)[1].split("</tr>", 2)[1]
    assert "<td>1 分钟</td>" in row and " 秒</td>" in row and "0.0" not in row
    unknown = client.post(
        f"/api/v1/drills/{drill['id']}/timings",
        json={"step": "nope", "event": "start"},
        headers=seller,
    )
    assert unknown.status_code == 400  # the user's mistake, not a server error
    assert (
        client.post(
            "/api/v1/drills", json={"scenario": "x", "scheduled_for": "2026-03-01"}, headers=buyer
        ).status_code
        == 403
    )
    page = client.get("/drills", headers=seller)
    assert page.status_code == 200 and "名单外泄演练" in page.text and "S35-10.1" in page.text
    assert "/drills" in client.get("/", headers=seller).text
    assert "/drills" not in client.get("/", headers=buyer).text


def test_the_incident_page_shows_the_discovery_in_beijing_time(
    client: TestClient, vault: Any
) -> None:
    """The incident page showed the stored UTC time ("2026-12-04 00:00:00 UTC") while the
    list and every other page show Beijing time: a time typed without an offset is China's
    and reads back as typed."""
    _broker, _buyer, seller = _ready(client, vault)
    r = client.post(
        "/rooms/转让-001/incidents",
        data={"title": "外泄", "discovered_at": "2026-12-04 08:00"},
        headers=seller,
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=" not in r.headers["location"]
    (incident,) = client.get(BASE, headers=seller).json()
    page = client.get(f"/rooms/转让-001/incidents/{incident['id']}", headers=seller)
    assert page.status_code == 200
    assert "2026-12-04 08:00" in page.text and "UTC</dd>" not in page.text


def test_the_report_form_warns_at_the_description(client: TestClient, vault: Any) -> None:
    """The warning not to type customers' data sat only in the notices section; it is now at
    the description field of the report form, which also says what is masked."""
    _, _, seller = _ready(client, vault)
    page = client.get("/rooms/转让-001/incidents", headers=seller).text
    field = page.split('name="description"')[1].split("</p>")[0]
    assert 'id="description-note"' in field and "请勿填写客户个人信息" in field


def test_a_reader_who_cannot_plan_a_drill_is_told_who_can(client: TestClient, vault: Any) -> None:
    """The broker reads the drills page but may not schedule one: it was asked to "请安排第一次
    演练" with no form to do it."""
    broker, _, _ = _ready(client, vault)
    page = client.get("/drills", headers=broker).text
    status = page[page.index('id="drill-status"') :]
    status = status[: status.index("</p>")]
    assert 'id="schedule"' not in page and "请安排" not in status
    assert "由卖方或管理员安排" in status
    english = client.get("/drills?lang=en", headers=broker).text
    assert "the seller or an administrator plans the first one" in english


def test_the_drills_page_says_when_no_drill_was_ever_held(client: TestClient, vault: Any) -> None:
    """With no drill ever held or planned the page read "演练已逾期：上次完成 - · 下次截止 -":
    it says none was held yet and asks for the first; a planned one is named as the first."""
    _, _, seller = _ready(client, vault)
    status = client.get("/drills", headers=seller).text
    status = status[status.index('id="drill-status"') :]
    status = status[: status.index("</p>")]
    assert "尚未举行过演练" in status and "上次完成" not in status and " - " not in status
    assert "请安排第一次演练（至少每" in status  # no space before a full-width bracket
    english = client.get("/drills?lang=en", headers=seller).text
    assert "No drill has been held yet" in english
    client.post(
        "/api/v1/drills", json={"scenario": "名单外泄演练", "scheduled_for": "2099-03-01"},
        headers=seller,
    )  # fmt: skip
    status = client.get("/drills?lang=zh", headers=seller).text  # the switch is remembered
    status = status[status.index('id="drill-status"') :]
    assert "第一次演练计划于 2099-03-01" in status[: status.index("</p>")]
