"""What the services say about a value they refuse: a choice lists the choices by name, each with
the code a command or the API takes (never codes alone), and a date names its field and its
format — never the value typed, which may be anything a person put there, personal information
included."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from baomi.errors import InputError
from baomi.i18n import set_language
from baomi.services.dataroom import auditlog
from baomi.services.govern import audits, departments, policies, raci, surveys, training
from baomi.services.permissions import Actor, Role
from baomi.services.respond import drills, incidents
from baomi.services.vault import Vault

SELLER = Actor("seller", Role.SELLER)
OP = Actor("op", Role.OPERATOR)
#: what a person might type where a date or a choice belongs (generated, not anyone's)
TYPED = "张三13812345678"


def _message(call: Callable[[], object]) -> str:
    with pytest.raises(InputError) as refused:
        call()
    return str(refused.value)


def test_a_refused_choice_names_each_choice_with_its_code(vault: Vault) -> None:
    """The refusals listed codes a page's user never sees ("部门须为 technology, legal, …",
    "严重程度须为 low|medium|high|critical", "状态须为 open 或 closed")."""
    cases: list[tuple[Callable[[], object], str, str]] = [
        (lambda: departments.check(TYPED), "技术部门（technology）", "Internal audit (audit)"),
        (lambda: audits.severity(TYPED), "严重（critical）", "Critical"),
        (
            lambda: surveys.set_status(vault, actor=SELLER, survey_id="x", status=TYPED),
            "已关闭（closed）",
            "closed",
        ),
        (
            lambda: surveys.add_question(vault, actor=SELLER, survey_id="x", kind=TYPED, text="q"),
            "单选（choice）",
            "single choice (choice)",
        ),
        (lambda: raci.activity(TYPED), "（", "("),
        (
            lambda: training.assign(
                vault, actor=SELLER, course_id=next(iter(training.courses())), role=TYPED
            ),
            "卖方成员（seller）",
            "seller member (seller)",
        ),
        (
            lambda: drills.add_action(
                vault, actor=OP, drill_id="x", text="t", owner=TYPED, due="2026-07-01"
            ),
            "法务部门（legal）",
            "Legal",
        ),
    ]
    for call, zh, en in cases:
        set_language("zh")
        said = _message(call)
        assert zh in said and TYPED not in said, said
        assert "须为以下之一：" in said, said
        set_language("en")
        said = _message(call)
        assert en in said and TYPED not in said, said
        assert "one of" in said, said


@pytest.mark.parametrize("typed", [TYPED, "NOPE", ""])
def test_a_refused_date_names_its_field_and_format_not_the_value(vault: Vault, typed: str) -> None:
    """The date refusals echoed the input ("计划日期无效：NOPE"), and an empty one read "…无效："."""
    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: audits.plan(
                vault,
                actor=SELLER,
                scope="s",
                frequency_months=12,
                planned_for=typed,
                auditors=["a"],
            ),
            "计划日期须为 YYYY-MM-DD",
        ),
        (
            lambda: audits.add_action(
                vault, actor=SELLER, finding_id="x", text="t", department="legal", due=typed
            ),
            "截止日期须为 YYYY-MM-DD",
        ),
        (
            lambda: policies.create(
                vault,
                actor=SELLER,
                title="t",
                department="legal",
                filename="a.txt",
                data=b"x",
                next_review=typed or " ",
            ),
            "下次复核日期须为 YYYY-MM-DD",
        ),
        (
            lambda: policies.review(vault, actor=SELLER, policy_id="x", reviewed_on=typed or " "),
            "复核日期须为 YYYY-MM-DD",
        ),
        (
            lambda: surveys.add_action(
                vault, actor=SELLER, survey_id="x", text="t", department="legal", due=typed
            ),
            "截止日期须为 YYYY-MM-DD",
        ),
        (
            lambda: drills.schedule(vault, actor=OP, scenario="s", scheduled_for=typed),
            "计划日期须为 YYYY-MM-DD",
        ),
        (
            lambda: drills.add_action(
                vault, actor=OP, drill_id="x", text="t", owner="legal", due=typed
            ),
            "截止日期须为 YYYY-MM-DD",
        ),
        (
            lambda: incidents.report(vault, actor=OP, title="t", discovered_at=typed or " "),
            "时间须为 YYYY-MM-DD HH:MM",
        ),
        (lambda: auditlog.filter_from(since=typed or " "), "起始日期应为日期"),
    ]
    for call, expected in cases:
        said = _message(call)
        assert expected in said, said
        assert not said.endswith("：") and (not typed or typed not in said), said
