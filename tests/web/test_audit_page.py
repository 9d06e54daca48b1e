"""The room's audit page as an auditor reads it: times in Beijing time, filters typed as days
in China, an action's family, a document id's first characters; a filter that cannot be read
is said on the page, never an empty list that reads as "nothing happened"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from baomi.clock import CHINA_TIME
from baomi.services.dataroom import auditlog
from tests.web.test_documents_api import _ready

PAGE = "/rooms/转让-001/audit"
API = "/api/v1/rooms/转让-001/audit"


def test_the_page_shows_beijing_time_and_reads_days_in_china(
    client: TestClient, vault: Any
) -> None:
    _broker, _buyer, seller = _ready(client, vault)
    events = client.get(API, headers=seller).json()["events"]
    assert events
    newest = dt.datetime.fromisoformat(events[0]["ts"])
    beijing = newest.astimezone(CHINA_TIME)
    page = client.get(PAGE, headers=seller)
    assert page.status_code == 200
    assert beijing.strftime("%Y-%m-%d %H:%M") in page.text  # as every other page shows it
    assert events[0]["ts"][:19] not in page.text  # not the stored UTC time
    assert auditlog.action_label(events[0]["action"]) in page.text
    day = beijing.date().isoformat()
    for query in (f"since={day}", f"until={day}", f"since={day}&until={day}"):
        listed = client.get(f"{API}?{query}", headers=seller).json()["events"]
        assert events[0]["seq"] in [e["seq"] for e in listed], query
    before = (beijing.date() - dt.timedelta(days=1)).isoformat()
    assert client.get(f"{API}?until={before}", headers=seller).json()["events"] == []


def test_a_filter_that_cannot_be_read_is_said_not_an_empty_list(
    client: TestClient, vault: Any
) -> None:
    _broker, _buyer, seller = _ready(client, vault)
    for query in ("since=2026-13-45", "since=yesterday", "since=2026-12-07&until=2026-12-05"):
        page = client.get(f"{PAGE}?{query}", headers=seller)
        assert page.status_code == 200 and 'id="filter-error"' in page.text, query
        assert "没有符合条件的事件" not in page.text
        assert client.get(f"{API}?{query}", headers=seller).status_code == 400, query
    # an action's family, any case
    family = client.get(f"{API}?action=NDA", headers=seller).json()["events"]
    assert family and all(e["action"].startswith("nda.") for e in family)


def test_objects_are_named_not_shown_as_internal_ids(client: TestClient, vault: Any) -> None:
    _broker, _buyer, seller = _ready(client, vault)
    events = client.get(API, headers=seller).json()["events"]
    page = client.get(PAGE, headers=seller).text
    deal_events = [e for e in events if e["object"].startswith("deal:")]
    assert deal_events and "本交易" in page
    assert f">{deal_events[0]['object']}<" not in page  # the id is the title, not the text


def test_the_language_switch_keeps_the_pages_filter(client: TestClient, vault: Any) -> None:
    """ "English" / "中文" in the header led to the page's bare address: the audit log's filter
    (and any other page's query) was dropped on switching. It keeps the query, without the
    language itself and without a message from the address (an error, a notice: said in the
    other language, and signed for its own address)."""
    _, _, seller = _ready(client, vault)
    page = client.get("/rooms/转让-001/audit?action=nda&actor=seller.a", headers=seller).text
    assert 'href="/rooms/转让-001/audit?action=nda&amp;actor=seller.a&amp;lang=en"' in page
    english = client.get("/rooms/转让-001/audit?action=nda&lang=en", headers=seller).text
    assert 'href="/rooms/转让-001/audit?action=nda&amp;lang=zh"' in english
    plain = client.get("/rooms/转让-001/audit?lang=zh", headers=seller).text  # remembered
    assert 'href="/rooms/转让-001/audit?lang=en"' in plain
