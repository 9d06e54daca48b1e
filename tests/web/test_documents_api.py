"""Documents over HTTP: multipart upload (several files, zip), the list, downloads; bad uploads
are 4xx and leave the room as it was."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient

from baomi.services.dataroom import nda as ndas
from tests.services.dataroom.test_documents import _csv
from tests.vault_support import resident_id
from tests.web.test_rooms_api import _as, _setup


def _ready(client: TestClient, vault: Any) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    from tests.web.conftest import make_user

    broker, buyer = _setup(client, vault)
    make_user(vault, "seller.a", "seller")
    client.post(
        "/api/v1/rooms/转让-001/members",
        json={"username": "seller.a", "side": "seller", "role": "seller"},
        headers=broker,
    )
    nda = client.post(
        "/api/v1/rooms/转让-001/nda",
        json={"discloser": "卖方", "recipient": "买方"},
        headers=broker,
    ).json()
    client.post(
        "/api/v1/rooms/转让-001/nda/accept",
        json={"sha256": nda["sha256"], "name": "代表"},
        headers=buyer,
    )
    client.post("/api/v1/rooms/转让-001/stage", json={"stage": "due_diligence"}, headers=broker)
    return broker, buyer, _as(client, "seller.a")


def test_upload_list_and_download(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("订单.csv", _csv(5))
    r = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[
            ("files", ("名单.csv", _csv(), "text/csv")),
            ("files", ("more.zip", buf.getvalue(), "application/zip")),
        ],
        data={"folder": "客户"},
        headers=seller,
    )
    assert r.status_code == 201, r.text
    names = sorted(d["name"] for d in r.json())
    assert names == ["客户/more/订单.csv", "客户/名单.csv"]
    assert client.get("/api/v1/rooms/转让-001/documents", headers=buyer).json() == []
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "客户", "level": "download", "days": 7},
        headers=broker,
    )
    listed = client.get("/api/v1/rooms/转让-001/documents", headers=buyer).json()
    assert len(listed) == 2 and all(d["protected"] for d in listed)
    doc = next(d for d in listed if d["name"] == "客户/名单.csv")
    got = client.get(f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=buyer)
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert resident_id(1).encode() not in got.content
    own = client.get(f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=seller)
    assert own.content == _csv()


def test_bad_uploads_are_4xx_and_store_nothing(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    bad = [
        [("files", ("../x.csv", _csv(), "text/csv"))],
        [("files", ("a.pdf", b"not a pdf", "application/pdf"))],
        [("files", ("empty.csv", b"", "text/csv"))],
    ]
    for files in bad:
        r = client.post("/api/v1/rooms/转让-001/documents", files=files, headers=seller)
        assert 400 <= r.status_code < 500, r.text
    r = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("a.csv", _csv(), "text/csv"))],
        headers=buyer,
    )
    assert r.status_code == 403
    assert client.get("/api/v1/rooms/转让-001/documents", headers=seller).json() == []


def test_preview_api_and_page(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    doc = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(60), "text/csv"))],
        headers=seller,
    ).json()[0]
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "/", "level": "view", "days": 7},
        headers=broker,
    )
    shown = client.get(
        f"/api/v1/rooms/转让-001/documents/{doc['id']}/preview?page=1", headers=buyer
    )
    body = shown.json()
    assert shown.status_code == 200 and body["kind"] == "table" and len(body["rows"]) == 10
    assert not body["more"]  # the last page: no "next" (a 1-row table showed one, to nothing)
    first = client.get(f"/api/v1/rooms/转让-001/documents/{doc['id']}/preview", headers=buyer)
    assert first.json()["more"] and len(first.json()["rows"]) == 50
    last = client.get(f"/rooms/转让-001/documents/{doc['id']}?page=1", headers=buyer).text
    assert "?page=2" not in last and "?page=0" in last
    assert body["protected"] and resident_id(55) not in shown.text
    assert (
        client.get(
            f"/api/v1/rooms/转让-001/documents/{doc['id']}/preview?page=-1", headers=buyer
        ).status_code
        == 422
    )
    page = client.get(f"/rooms/转让-001/documents/{doc['id']}", headers=buyer)
    assert (
        page.status_code == 200 and 'id="preview"' in page.text and resident_id(1) not in page.text
    )
    # a view grant lists the file without a download link (it would answer 403)
    room = client.get("/rooms/转让-001", headers=buyer)
    assert "名单.csv" in room.text and 'class="download"' not in room.text
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "/", "level": "download", "days": 7},
        headers=broker,
    )
    assert 'class="download"' in client.get("/rooms/转让-001", headers=buyer).text
    # the broker's forms name sides and roles in the page's language
    managed = client.get("/rooms/转让-001", headers=broker).text
    assert '<option value="buyer">买方</option>' in managed
    assert '<option value="counsel">律师</option>' in managed


def test_a_page_or_document_that_does_not_exist_is_a_clear_404(
    client: TestClient, vault: Any
) -> None:
    """?page=99999 answered 200 with "第100000 页" and an empty table, ?page=-1 a generic error,
    and an unknown document (or another room's) 400."""
    _, _, seller = _ready(client, vault)
    doc = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(60), "text/csv"))],
        headers=seller,
    ).json()[0]
    page = f"/rooms/转让-001/documents/{doc['id']}"
    beyond = client.get(f"{page}?page=99999", headers={**seller, "Accept": "text/html"})
    assert beyond.status_code == 404 and "没有第 100000 页：该文件共 2 页" in beyond.text
    api = client.get(f"/api/v1{page}/preview?page=5", headers=seller)
    assert api.status_code == 404
    negative = client.get(f"{page}?page=-1", headers={**seller, "Accept": "text/html"})
    assert negative.status_code == 404 and "页码从 1 开始" in negative.text
    shown = client.get(page, headers={**seller, "Accept": "text/html"}).text
    assert "第 1 页" in shown and "· 返回数据室" not in shown
    for missing in ("no-such-id", "0" * 32):
        r = client.get(f"/rooms/转让-001/documents/{missing}", headers=seller)
        assert r.status_code == 404
        r = client.get(f"/api/v1/rooms/转让-001/documents/{missing}/preview", headers=seller)
        assert r.status_code == 404 and r.json()["detail"] == "没有该文件"


def test_the_upload_form_confirms_and_says_when_no_file_was_chosen(
    client: TestClient, vault: Any
) -> None:
    _, _, seller = _ready(client, vault)
    html = {**seller, "Accept": "text/html"}
    done = client.post(
        "/rooms/转让-001/upload",
        files=[("files", ("名单.csv", _csv(3), "text/csv"))],
        headers=html,
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"], headers=html).text
    assert "已上传并扫描 1 个文件：名单.csv" in page
    # a browser sends an empty part when no file was chosen
    empty = client.post(
        "/rooms/转让-001/upload",
        files=[("files", ("", b"", "application/octet-stream"))],
        headers=html,
        follow_redirects=False,
    )
    assert empty.status_code == 303
    assert "请选择要上传的文件" in client.get(empty.headers["location"], headers=html).text


def test_a_role_that_may_not_upload_is_refused_before_being_asked_for_a_file(
    client: TestClient, vault: Any
) -> None:
    """The buyer, who may not upload, sending the form without a file was told "请选择要上传的文件"
    as if it might: the refusal comes first, as on the other forms."""
    _, buyer, _ = _ready(client, vault)
    empty = client.post(
        "/rooms/转让-001/upload",
        files=[("files", ("", b"", "application/octet-stream"))],
        headers={**buyer, "Accept": "text/html"},
        follow_redirects=False,
    )
    assert empty.status_code == 403 and "请选择要上传的文件" not in empty.text


def test_file_pickers_use_the_pages_words(client: TestClient, vault: Any) -> None:
    """The native picker's words ("Choose file / No file chosen") follow the browser's language;
    the page gives its own, which static/forms.js puts on a label and a span."""
    _, _, seller = _ready(client, vault)
    zh = client.get("/rooms/转让-001", headers=seller).text
    assert 'data-file-choose="选择文件"' in zh and 'data-file-none="未选择文件"' in zh
    en = client.get("/rooms/转让-001?lang=en", headers=seller).text
    assert 'data-file-choose="Choose files"' in en and 'data-file-none="No file chosen"' in en
    assert '<script src="/static/forms.js" defer></script>' in en
    script = client.get("/static/forms.js").text
    assert 'input[type="file"]' in script and "fileChoose" in script


def test_the_nda_signer_name_has_a_limit_and_a_refusal_is_shown(
    client: TestClient, vault: Any
) -> None:
    """500 characters were accepted as a signature; and a refused acceptance said nothing."""
    broker, buyer = _setup(client, vault)
    nda = client.post(
        "/api/v1/rooms/转让-001/nda",
        json={"discloser": "卖方", "recipient": "买方"},
        headers=broker,
    ).json()
    html = {**buyer, "Accept": "text/html"}
    r = client.post(
        "/rooms/转让-001/nda",
        data={"sha256": nda["sha256"], "name": "张" * 500},
        headers=html,
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]
    page = client.get(r.headers["location"], headers=html).text
    assert f"签署人姓名最多 {ndas.MAX_SIGNER} 个字" in page
    api = client.post(
        "/api/v1/rooms/转让-001/nda/accept",
        json={"sha256": nda["sha256"], "name": "张" * (ndas.MAX_SIGNER + 1)},
        headers=buyer,
    )
    assert api.status_code in (400, 422)
    ok = client.post(
        "/api/v1/rooms/转让-001/nda/accept",
        json={"sha256": nda["sha256"], "name": "张" * ndas.MAX_SIGNER},
        headers=buyer,
    )
    assert ok.status_code == 204


def test_a_download_link_that_fails_answers_a_page_in_the_browser(
    client: TestClient, vault: Any
) -> None:
    """The room page's download links point into the API; one that failed (a damaged file, a
    document gone) showed the browser the raw JSON {"detail": …}. A browser following a link
    (a GET asking for HTML first) is answered a page in words; the API's clients keep JSON."""
    _, buyer, _ = _ready(client, vault)
    url = "/api/v1/rooms/转让-001/documents/no-such-id/download"
    browser = {**buyer, "accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get(url, headers=browser)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '{"detail"' not in page.text and "没有找到" in page.text
    api = client.get(url, headers=buyer)
    assert api.status_code == 404 and api.json()["detail"]
