"""The data-subject request register: sealed contacts, the 30-day clock at its boundary,
verification before an answer, refusals with reasons, audit without personal values."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.services import deals
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Actor, Role
from baomi.services.respond import requests
from baomi.services.respond.requests import Kind, Method, Status
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, SubjectRequest, SubjectVerification
from tests.vault_support import mobile, resident_id

OP = Actor("op", Role.OPERATOR)
T0 = _dt.datetime(2026, 11, 1, 8, 0, tzinfo=_dt.UTC)
CONTACT = "13812345678"


def _request(vault: Vault, kind: Kind = Kind.ACCESS) -> requests.RequestInfo:
    return requests.receive(vault, actor=OP, kind=kind, contact=CONTACT, received_at=T0.isoformat())


def test_the_deadline_comes_from_the_rule_book_and_is_30_days() -> None:
    days = int(rules()["S35-8.7"].param("days"))
    assert days == 30
    assert requests.due(T0) == T0 + _dt.timedelta(days=days)


def test_day_30_is_not_overdue_the_instant_after_is(vault: Vault) -> None:
    info = _request(vault)
    due = T0 + _dt.timedelta(days=30)
    assert info.due_at == due.isoformat()
    one_before = requests.get(
        vault, actor=OP, request_id=info.id, at=due - _dt.timedelta(microseconds=1)
    )
    at_due = requests.get(vault, actor=OP, request_id=info.id, at=due)
    after = requests.get(
        vault, actor=OP, request_id=info.id, at=due + _dt.timedelta(microseconds=1)
    )
    assert not one_before.overdue
    assert not at_due.overdue and at_due.remaining == 0
    assert after.overdue and after.remaining is not None and after.remaining < 0


def test_an_answered_request_is_never_overdue(vault: Vault) -> None:
    info = _request(vault)
    requests.verify(vault, actor=OP, request_id=info.id, method=Method.SMS_CODE, passed=True)
    requests.set_status(vault, actor=OP, request_id=info.id, status=Status.ANSWERED)
    late = requests.get(vault, actor=OP, request_id=info.id, at=T0 + _dt.timedelta(days=99))
    assert late.status is Status.ANSWERED and not late.overdue and late.remaining is None
    # answering again says so (it said "verify the identity before answering")
    with pytest.raises(InputError, match=r"already|已答复"):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.ANSWERED)


def test_the_contact_is_sealed_never_plain(vault: Vault) -> None:
    info = _request(vault)
    assert info.contact == CONTACT
    assert info.reference.startswith("DSR-")
    with vault.reading() as session:
        row = session.get(SubjectRequest, info.id)
        assert row is not None
        assert b"13812345678" not in row.contact_sealed
        assert "张三".encode() not in row.contact_sealed
    # the reference number finds the request too
    assert requests.get(vault, actor=OP, request_id=info.reference.lower()).id == info.id


def test_verification_keeps_only_a_keyed_hash_of_the_identifier(vault: Vault) -> None:
    info = _request(vault)
    out = requests.verify(
        vault,
        actor=OP,
        request_id=info.id,
        method=Method.ID_DOCUMENT,
        passed=True,
        identifier="11010519491231002x",
    )
    assert out.status is Status.VERIFIED
    (step,) = out.verifications
    assert step.method is Method.ID_DOCUMENT and step.passed and step.checked_by == "op"
    assert step.id_hash is not None and len(step.id_hash) == 16
    with vault.reading() as session:
        stored = session.execute(select(SubjectVerification)).scalar_one()
        assert "110105" not in json.dumps(
            {c.name: str(getattr(stored, c.name)) for c in SubjectVerification.__table__.columns}
        )


def test_a_failed_check_leaves_the_request_open_and_an_answer_needs_a_verified_identity(
    vault: Vault,
) -> None:
    info = _request(vault)
    out = requests.verify(
        vault, actor=OP, request_id=info.id, method=Method.EMAIL_CODE, passed=False
    )
    assert out.status is Status.OPEN
    with pytest.raises(InputError):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.ANSWERED)


def test_a_refusal_needs_its_reasons_and_keeps_them_sealed(vault: Vault) -> None:
    info = _request(vault, Kind.DELETION)
    with pytest.raises(InputError):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.REFUSED)
    with pytest.raises(InputError):
        requests.set_status(
            vault, actor=OP, request_id=info.id, status=Status.REFUSED, reason="   "
        )
    out = requests.set_status(
        vault,
        actor=OP,
        request_id=info.id,
        status=Status.REFUSED,
        reason="法定保存期限未届满（会计档案）",
    )
    assert out.status is Status.REFUSED and out.reason == "法定保存期限未届满（会计档案）"
    assert out.answered_at is not None
    closed = requests.set_status(vault, actor=OP, request_id=info.id, status=Status.CLOSED)
    assert closed.status is Status.CLOSED and closed.closed_at is not None
    with pytest.raises(InputError):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.ANSWERED)


def test_closing_needs_an_answer_or_a_refusal_first(vault: Vault) -> None:
    info = _request(vault)
    with pytest.raises(InputError):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.CLOSED)
    with pytest.raises(InputError):
        requests.set_status(vault, actor=OP, request_id=info.id, status=Status.VERIFIED)


def test_bad_input_is_refused(vault: Vault) -> None:
    # the contact is checked as the public page checks it: an e-mail address or a phone number
    for contact in ("", "  ", "x" * (requests.MAX_CONTACT + 1), "not a contact", "张三"):
        with pytest.raises(InputError):
            requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact=contact)
    with pytest.raises(InputError):
        requests.receive(
            vault,
            actor=OP,
            kind=Kind.ACCESS,
            contact="a@b.cn",
            details="x" * (requests.MAX_DETAILS + 1),
        )
    with pytest.raises(InputError):
        requests.receive(
            vault,
            actor=OP,
            kind=Kind.ACCESS,
            contact="a@b.cn",
            received_at=(_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=1)).isoformat(),
        )
    assert requests.register(vault, actor=OP) == []


def test_the_register_puts_overdue_first(vault: Vault) -> None:
    old = _request(vault)
    fresh = requests.receive(vault, actor=OP, kind=Kind.EXPLANATION, contact="b@example.com")
    listed = requests.register(vault, actor=OP)
    assert [r.id for r in listed] == [old.id, fresh.id]
    assert listed[0].overdue and not listed[1].overdue


def test_the_public_submission_returns_only_a_reference(vault: Vault) -> None:
    ref = requests.submit(vault, kind=Kind.PORTABILITY, contact="c@example.com", details="x")
    info = requests.get(vault, actor=OP, request_id=ref)
    assert info.channel is requests.Channel.PUBLIC and info.kind is Kind.PORTABILITY


def test_the_audit_names_kinds_never_the_contact(vault: Vault) -> None:
    info = _request(vault)
    requests.verify(
        vault,
        actor=OP,
        request_id=info.id,
        method=Method.ID_DOCUMENT,
        passed=True,
        identifier="11010519491231002X",
    )
    requests.set_status(vault, actor=OP, request_id=info.id, status=Status.ANSWERED)
    with vault.reading() as session:
        events = session.execute(select(AuditEventRow)).scalars().all()
        text = " ".join(str(vars(e)) for e in events)
    assert "request.receive" in text and "request.update" in text
    for value in ("13812345678", "张三", "110105"):
        assert value not in text


def test_roles_and_deals(vault: Vault) -> None:
    deals.create(vault, actor=OP, name="d")
    info = requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="x@y.cn", deal_ref="d")
    assert info.deal_id is not None
    with pytest.raises(PermissionDeniedError):
        requests.register(vault, actor=Actor("b", Role.BUYER))
    with pytest.raises(PermissionDeniedError):
        requests.receive(vault, actor=Actor("a", Role.AUDITOR), kind=Kind.ACCESS, contact="x@y.cn")
    other = Actor("s", Role.SELLER, deals=frozenset({"elsewhere"}))
    assert requests.register(vault, actor=other) == []
    with pytest.raises(PermissionDeniedError):
        requests.get(vault, actor=other, request_id=info.id)


def test_find_in_a_deal_audits_counts_never_the_identifier(vault: Vault, tmp_path: Path) -> None:
    from baomi.services.respond import subjects
    from baomi.services.respond.subjects import IdKind

    f = tmp_path / "客户.csv"
    f.write_text("姓名,手机\n张三,13812345678\n李四,+86 138 1234 5678\n王五,13900001111\n")
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None)
    result = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="１３８ １２３４ ５６７８"
    )
    assert [(h.file, h.row, h.column) for h in result.hits] == [
        ("客户.csv", 0, "手机"),
        ("客户.csv", 1, "手机"),
    ]
    assert result.per_file() == {"客户.csv": 2}
    with vault.reading() as session:
        text = " ".join(str(vars(e)) for e in session.execute(select(AuditEventRow)).scalars())
    assert "subject.find" in text and "13812345678" not in text
    with pytest.raises(PermissionDeniedError):
        subjects.find_in_deal(
            vault,
            actor=Actor("b", Role.BROKER),
            deal_ref="d",
            kind=IdKind.MOBILE,
            query="13812345678",
        )


def test_find_in_a_scan_reads_only_under_the_root(vault: Vault, tmp_path: Path) -> None:
    from baomi.services.respond import subjects
    from baomi.services.respond.subjects import IdKind

    root, out = tmp_path / "root", tmp_path / "out"
    root.mkdir()
    out.mkdir()
    (root / "a.csv").write_text("手机\n13812345678\n", encoding="utf-8")
    (tmp_path / "outside.csv").write_text("手机\n13812345678\n", encoding="utf-8")

    def listing(*names: str) -> None:
        files = [{"path": n} for n in names]
        (out / "inventory.json").write_text(json.dumps({"files": files}), encoding="utf-8")

    listing("a.csv")
    found = subjects.find_in_scan(
        vault, actor=OP, scan_dir=out, root=root, kind=IdKind.MOBILE, query="+8613812345678"
    )
    assert [(h.file, h.row, h.column) for h in found.hits] == [("a.csv", 0, "手机")]
    for bad in (("../outside.csv",), ("missing.csv",)):
        listing(*bad)
        with pytest.raises(InputError):
            subjects.find_in_scan(
                vault, actor=OP, scan_dir=out, root=root, kind=IdKind.MOBILE, query="13812345678"
            )
    (out / "inventory.json").write_text("not json", encoding="utf-8")
    with pytest.raises(InputError):
        subjects.find_in_scan(
            vault, actor=OP, scan_dir=out, root=root, kind=IdKind.MOBILE, query="13812345678"
        )


def test_a_deal_is_indexed_when_added_sealed_with_its_key(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.services.respond import subjects
    from baomi.services.respond.subjects import IdKind
    from baomi.storage.models import SubjectIndex

    f = tmp_path / "客户.csv"
    f.write_text("姓名,手机\n张三,13812345678\n李四,13900001111\n", encoding="utf-8")
    deals.create(vault, actor=OP, name="d")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None)
    with vault.reading() as session:
        (row,) = session.execute(select(SubjectIndex)).scalars().all()
        # two mobiles and two names, as keyed hashes only
        assert row.entries == 4 and b"13812345678" not in row.sealed
        assert "张三".encode() not in row.sealed
    # the search reads the index written by ``deal add``: no document is decrypted
    monkeypatch.setattr(
        deals, "open_object", lambda *a, **k: (_ for _ in ()).throw(AssertionError("decrypted"))
    )
    first = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="+86 138 1234 5678"
    )
    assert [(h.file, h.row, h.column) for h in first.hits] == [("客户.csv", 0, "手机")]
    other = subjects.find_in_deal(
        vault, actor=OP, deal_ref="d", kind=IdKind.MOBILE, query="13900001111"
    )
    assert [(h.file, h.row) for h in other.hits] == [("客户.csv", 1)]


def _denials(vault: Vault) -> list[AuditEventRow]:
    with vault.reading() as s:
        found = select(AuditEventRow).where(AuditEventRow.action == "access.denied")
        return list(s.execute(found).scalars())


def test_an_id_outside_ones_deals_answers_as_one_that_does_not_exist(vault: Vault) -> None:
    """A seller's staff member asking for another deal's request (by id or reference), or for
    one of no deal (the public page's, which their register does not list either), was told it
    exists (403 naming the deal) where an unknown id said "没有该请求": ids could be probed.
    Every one now answers as an unknown id, and each refusal is recorded."""
    for name in ("d1", "d2"):
        deals.create(vault, actor=OP, name=name)
    ours = requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="a@b.cn", deal_ref="d1")
    theirs = requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="c@d.cn", deal_ref="d2")
    public = requests.submit(vault, kind=Kind.ACCESS, contact="e@f.cn")
    seller = Actor("s", Role.SELLER, deals=frozenset({ours.deal_id or ""}))
    assert requests.get(vault, actor=seller, request_id=ours.id).id == ours.id
    said = []
    for asked in (theirs.id, theirs.reference, public, "0" * 32):
        before = len(_denials(vault))
        for use in (requests.get, requests.authorize_edit):
            with pytest.raises(NotFoundError) as err:
                use(vault, actor=seller, request_id=asked)
            said.append(str(err.value))
        assert len(_denials(vault)) == before + 2  # each refusal recorded
    assert set(said) == {"没有该请求"}
    details = [json.loads(e.details)["reason"] for e in _denials(vault)]
    assert details.count("no such request") == 2 and "not in the actor's deals" in details
    # those who see every deal are told it is missing, nothing refused; the role still first
    with pytest.raises(NotFoundError):
        requests.get(vault, actor=OP, request_id="0" * 32)
    with pytest.raises(PermissionDeniedError) as refused:
        requests.get(vault, actor=Actor("b", Role.BUYER), request_id=theirs.id)
    assert not isinstance(refused.value, NotFoundError)


def test_a_deal_outside_ones_scope_is_not_told_apart_from_a_missing_one(vault: Vault) -> None:
    deals.create(vault, actor=OP, name="d1")
    deals.create(vault, actor=OP, name="d2")
    seller = Actor("s", Role.SELLER, deals=frozenset({"elsewhere"}))
    said = set()
    for deal in ("d2", "不存在的交易"):
        with pytest.raises(NotFoundError) as err:
            requests.receive(vault, actor=seller, kind=Kind.ACCESS, contact="a@b.cn", deal_ref=deal)
        said.add(str(err.value))
        assert deal not in str(err.value)
    assert len(said) == 1


def test_the_register_masks_identifiers_in_the_details_and_the_request_shows_them(
    vault: Vault,
) -> None:
    """The register (the list every viewer reads) returned each request's details whole, with
    the identifiers a requester typed; they are masked there now, as its contacts are."""
    phone, person = mobile(7), resident_id(7)
    text = f"请删除手机号{phone}和身份证{person}的记录"
    made = requests.receive(vault, actor=OP, kind=Kind.DELETION, contact=CONTACT, details=text)
    (listed,) = requests.register(vault, actor=OP)
    assert phone not in listed.details and person not in listed.details
    assert listed.details.startswith("请删除手机号") and "****" in listed.details
    assert requests.get(vault, actor=OP, request_id=made.id).details == text
