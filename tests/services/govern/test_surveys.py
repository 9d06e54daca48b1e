"""Surveys: the builder, the public submission's checks (masking free text), the aggregate
results, the published summary's smallest sample, improvement actions on the calendar."""

from __future__ import annotations

import datetime as _dt

import pytest

from baomi.errors import InputError, PermissionDeniedError
from baomi.services.comply.reports.model import ChartKind
from baomi.services.govern import calendar, exports, surveys
from baomi.services.govern.surveys import Kind, Status
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

SELLER = Actor("seller", Role.SELLER)
AUDITOR = Actor("auditor", Role.AUDITOR)
BUYER = Actor("buyer", Role.BUYER)
TODAY = _dt.date(2026, 6, 15)
#: a generated mobile number (not a real person's)
PHONE = "13812345678"


def _survey(vault: Vault) -> surveys.SurveyInfo:
    info = surveys.create(vault, actor=SELLER, title="信息保护满意度", intro="匿名")
    surveys.add_question(
        vault, actor=SELLER, survey_id=info.id, kind="scale", text="总体满意度", required=True
    )
    surveys.add_question(
        vault,
        actor=SELLER,
        survey_id=info.id,
        kind=Kind.CHOICE,
        text="是否清楚处理规则",
        options=["清楚", "不清楚"],
    )
    surveys.add_question(vault, actor=SELLER, survey_id=info.id, kind="text", text="建议")
    return surveys.set_status(vault, actor=SELLER, survey_id=info.id, status=Status.OPEN)


def _ids(info: surveys.SurveyInfo) -> tuple[str, str, str]:
    a, b, c = (q.id for q in info.questions)
    return a, b, c


def test_permissions(vault: Vault) -> None:
    with pytest.raises(PermissionDeniedError):
        surveys.create(vault, actor=AUDITOR, title="x")
    info = surveys.create(vault, actor=SELLER, title="x")
    assert surveys.get(vault, actor=AUDITOR, survey_id=info.id).status is Status.DRAFT
    with pytest.raises(PermissionDeniedError):
        surveys.surveys(vault, actor=BUYER)


def test_builder_checks_kinds_options_and_state(vault: Vault) -> None:
    info = surveys.create(vault, actor=SELLER, title="x")
    with pytest.raises(InputError):
        surveys.add_question(vault, actor=SELLER, survey_id=info.id, kind="rating", text="q")
    with pytest.raises(InputError):  # one option is not a choice
        surveys.add_question(
            vault, actor=SELLER, survey_id=info.id, kind="choice", text="q", options=["a"]
        )
    with pytest.raises(InputError):  # no question yet
        surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="open")
    surveys.add_question(vault, actor=SELLER, survey_id=info.id, kind="scale", text="q")
    surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="open")
    with pytest.raises(InputError):  # questions are fixed once open
        surveys.add_question(vault, actor=SELLER, survey_id=info.id, kind="text", text="q2")
    surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="closed")
    with pytest.raises(InputError):  # closed stays closed
        surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="open")


def test_max_options_at_the_boundary(vault: Vault) -> None:
    most = surveys.limit("max_options")
    info = surveys.create(vault, actor=SELLER, title="x")
    opts = [f"o{i}" for i in range(most + 1)]
    for n in (most - 1, most):
        surveys.add_question(
            vault, actor=SELLER, survey_id=info.id, kind="choice", text="q", options=opts[:n]
        )
    with pytest.raises(InputError):
        surveys.add_question(
            vault, actor=SELLER, survey_id=info.id, kind="choice", text="q", options=opts
        )


def test_submit_masks_identifiers_in_free_text_and_aggregates(vault: Vault) -> None:
    info = _survey(vault)
    scale, choice, text = _ids(info)
    surveys.submit(vault, token=info.token, answers={scale: "4", choice: "清楚"})
    surveys.submit(vault, token=info.token, answers={scale: "2", text: f"请回电 {PHONE} 谢谢"})
    res = surveys.results(vault, actor=AUDITOR, survey_id=info.id)
    assert res.responses == 2 and res.overall == 3.0
    by_q = {r.question.id: r for r in res.questions}
    assert dict(by_q[scale].counts) == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert dict(by_q[choice].counts) == {"清楚": 1, "不清楚": 0}
    (stored,) = by_q[text].texts
    assert PHONE not in stored and "****" in stored
    report = surveys.report(res)
    assert any(c.kind is ChartKind.BAR for s in report.sections for c in s.charts)
    table = surveys.responses_table(vault, actor=AUDITOR, survey_id=info.id)
    assert len(table.rows) == 2 and PHONE not in str(table.rows)
    data = exports.csv_bytes(table)
    assert data.startswith("\ufeff".encode()) and PHONE.encode() not in data


@pytest.mark.parametrize(
    "answers",
    [
        {},  # nothing answered (and the required scale missing)
        {"x": "1"},  # an unknown question
        {"SCALE": "6"},
        {"SCALE": "0"},
        {"SCALE": "3", "CHOICE": "maybe"},
        {"SCALE": "3", "TEXT": "x" * 2001},
        {"SCALE": "3", "TEXT": "bad\x07text"},
        {"CHOICE": "清楚"},  # the required scale missing
    ],
)
def test_submit_refuses_bad_answers(vault: Vault, answers: dict[str, str]) -> None:
    info = _survey(vault)
    scale, choice, text = _ids(info)
    real = {
        {"SCALE": scale, "CHOICE": choice, "TEXT": text}.get(k, k): v for k, v in answers.items()
    }
    with pytest.raises(InputError):
        surveys.submit(vault, token=info.token, answers=real)
    assert surveys.get(vault, actor=SELLER, survey_id=info.id).responses == 0


def test_text_length_at_the_boundary(vault: Vault) -> None:
    info = _survey(vault)
    scale, _, text = _ids(info)
    most = surveys.limit("max_text_chars")
    for n in (most - 1, most):
        surveys.submit(vault, token=info.token, answers={scale: "3", text: "好" * n})
    with pytest.raises(InputError):
        surveys.submit(vault, token=info.token, answers={scale: "3", text: "好" * (most + 1)})


def test_closed_draft_and_unknown_links(vault: Vault) -> None:
    info = _survey(vault)
    scale, _, _ = _ids(info)
    draft = surveys.create(vault, actor=SELLER, title="draft")
    with pytest.raises(LookupError):
        surveys.public_form(vault, token=draft.token)
    with pytest.raises(LookupError):
        surveys.public_form(vault, token="nope")
    surveys.set_status(vault, actor=SELLER, survey_id=info.id, status="closed")
    assert surveys.public_form(vault, token=info.token).open is False
    with pytest.raises(InputError):
        surveys.submit(vault, token=info.token, answers={scale: "3"})


def test_published_summary_needs_the_switch_and_the_smallest_sample(vault: Vault) -> None:
    info = _survey(vault)
    scale, _, text = _ids(info)
    with pytest.raises(LookupError):
        surveys.published_summary(vault, token=info.token)
    surveys.set_published(vault, actor=SELLER, survey_id=info.id, published=True)
    least = surveys.limit("min_published_responses")
    for _ in range(least - 1):
        surveys.submit(vault, token=info.token, answers={scale: "5", text: "很好"})
    assert surveys.published_summary(vault, token=info.token) is None  # one below
    surveys.submit(vault, token=info.token, answers={scale: "5"})
    shown = surveys.published_summary(vault, token=info.token)  # at the boundary
    assert shown is not None and shown.responses == least
    assert all(r.question.kind is not Kind.TEXT for r in shown.questions)  # aggregates only
    surveys.submit(vault, token=info.token, answers={scale: "4"})
    above = surveys.published_summary(vault, token=info.token)
    assert above is not None and above.responses == least + 1


def test_actions_are_calendar_items_and_count_in_the_summary(vault: Vault) -> None:
    info = _survey(vault)
    with pytest.raises(InputError):
        surveys.add_action(
            vault, actor=SELLER, survey_id=info.id, text="x", department="sales", due="2026-06-01"
        )
    with pytest.raises(InputError):
        surveys.add_action(
            vault, actor=SELLER, survey_id=info.id, text="x", department="legal", due="soon"
        )
    info = surveys.add_action(
        vault,
        actor=SELLER,
        survey_id=info.id,
        text="改写隐私政策",
        department="legal",
        due="2026-06-14",
    )
    items = [i for i in calendar.collect(vault, TODAY) if i.kind == "survey"]
    assert len(items) == 1 and items[0].department == "legal"
    assert items[0].state(TODAY) is calendar.State.OVERDUE
    numbers = surveys.summary(vault, TODAY)
    assert numbers["actions_open"] == 1 and numbers["actions_overdue"] == 1
    assert numbers["surveys_open"] == 1
    surveys.complete_action(vault, actor=SELLER, action_id=info.actions[0].id)
    assert surveys.summary(vault, TODAY)["actions_overdue"] == 0
    assert next(i for i in calendar.collect(vault, TODAY) if i.kind == "survey").done
