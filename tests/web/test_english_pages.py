"""The main pages in English say nothing in Chinese: no untranslated string, no full-width
punctuation. The deal, its company and its users have ASCII names, so any CJK character or
full-width mark in a page's main part is the page's own text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.web.app import create_app
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "deal-001"
#: CJK ideographs, CJK punctuation (。、「」), full-width forms (（），：；)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

PAGES = [
    ("seller", "/"),
    ("seller", f"/rooms/{DEAL}"),
    ("broker", f"/rooms/{DEAL}"),
    ("seller", f"/rooms/{DEAL}/comply"),
    ("seller", f"/rooms/{DEAL}/comply/checklist"),
    ("seller", f"/rooms/{DEAL}/comply/vendors"),
    ("seller", f"/rooms/{DEAL}/comply/notices"),
    ("seller", f"/rooms/{DEAL}/comply/crossborder"),
    ("seller", f"/rooms/{DEAL}/comply/pia"),
    ("seller", f"/rooms/{DEAL}/comply/risk"),
    ("seller", f"/rooms/{DEAL}/comply/inventory"),
    ("seller", f"/rooms/{DEAL}/comply/provisions"),
    ("seller", "/govern"),
    ("seller", "/govern/training"),
    ("seller", "/govern/audits"),
    ("seller", "/govern/policies"),
    ("seller", "/govern/surveys"),
    ("seller", "/notifications"),
    ("seller", "/requests"),
    ("seller", "/drills"),
    ("buyer", f"/rooms/{DEAL}"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tmp: Path = tmp_path_factory.mktemp("english")
    with room_home(tmp, DEAL, target_name="Example Tech Ltd") as (settings, vault):
        tokens = {"broker": signed_in(vault, "broker", Role.BROKER)}
        for name, role, side in (
            ("seller", Role.SELLER, Side.SELLER),
            ("buyer", Role.BUYER, Side.BUYER),
        ):
            tokens[name] = signed_in(vault, name, role)
            rooms.add_member(
                vault, actor=SYSTEM, deal_ref=DEAL, username=name, side=side, role=role
            )
        with TestClient(create_app(settings, vault=vault)) as c:
            yield c, tokens


def _main(html: str) -> str:
    part = html.split("<main", 1)[1].split("</main>", 1)[0]
    part = re.sub(r"<(script|style)\b.*?</\1>", "", part, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", part)


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w}:{p}" for w, p in PAGES])
def test_the_page_in_english_has_no_chinese(
    client: tuple[TestClient, dict[str, str]], who: str, path: str
) -> None:
    c, tokens = client
    c.cookies.set("baomi_session", tokens[who])
    r = c.get(path, params={"lang": "en"})
    assert r.status_code in (200, 403), (path, r.status_code)
    # a language's own name in a language choice is no translation gap
    lines = {
        line.strip()
        for line in _main(r.text).split("\n")
        if CJK.search(line) and line.strip() != "中文"
    }
    assert not lines, sorted(lines)
