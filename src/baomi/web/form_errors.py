"""A page's form that FastAPI could not read: the refusal first, then what is wrong in words.

A form POST from a page answers a page, never the API's 422 JSON. Two things decide what it says
(the first holds for the JSON API too: a role that may not use an endpoint gets its 403 — or the
404 of a room it is not in — whatever the body or query it sends, never the 422 that would list
the schema's choices):

- **The refusal first.** A form route marks the action its form performs (:func:`form_action`);
  when the form does not validate, the handler asks the one permission table (through the
  services: the room's gate for a room's form, the role for anything else) before it says
  anything about the fields, so a role that may not act at all learns nothing about what the
  form expects. The mark is not a rule — the table decides, as everywhere.
- **The fields in words.** Each error becomes "field: reason" in the user's language, the field
  named as the page names it (:data:`FIELD_LABELS`) and the limit stated ("at most 128
  characters"); the value sent is never echoed (it may be a password or a person's identifier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import Request

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.accounts import UserPublic
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action
from baomi.web.deps import optional_user

F = TypeVar("F", bound=Callable[..., Any])

#: What the pages call their forms' fields (Chinese, English); a field not listed is "a field".
FIELD_LABELS: Mapping[str, tuple[str, str]] = {
    "days": ("有效天数", "days valid"),
    "interval_days": ("间隔天数", "interval in days"),
    "password": ("密码", "password"),
    "username": ("用户名", "user name"),
    "display_name": ("显示名", "display name"),
    "name": ("名称", "name"),
    "signer": ("签署人姓名", "signer's name"),
    "folder": ("文件夹", "folder"),
    "side": ("一方", "side"),
    "level": ("权限", "level"),
    "role": ("角色", "role"),
    "stage": ("阶段", "stage"),
    "kind": ("类型", "kind"),
    "status": ("状态", "status"),
    "contact": ("联系方式", "contact"),
    "details": ("说明", "details"),
    "text": ("内容", "text"),
    "title": ("标题", "title"),
    "owner": ("负责人", "owner"),
    "due": ("截止日期", "due date"),
    "date": ("日期", "date"),
    "purpose": ("目的", "purpose"),
    "file": ("文件", "file"),
    "files": ("文件", "files"),
    "document": ("文件", "document"),
    "scenario": ("演练场景", "scenario"),
    "scheduled_for": ("计划时间", "planned time"),
    "participants": ("参与人", "participants"),
    "findings": ("发现", "findings"),
    "transfer_type": ("转让类型", "transfer type"),
    "recipient_location": ("接收方所在地区", "recipient's location"),
    "recipient_name": ("接收方名称", "recipient's name"),
    "recipient_contact": ("接收方联系方式", "recipient's contact"),
    "exemption": ("豁免情形", "exemption"),
    "quality": ("服务质量", "quality"),
    "security": ("数据安全", "data security"),
    "question": ("问题", "question"),
    "answer": ("回答", "answer"),
    "reason": ("理由", "reason"),
    "deal": ("交易", "deal"),
    "target_name": ("目标公司名称", "target company's name"),
    "target_uscc": ("统一社会信用代码", "unified social credit code"),
    "totp": ("动态验证码", "authenticator code"),
    "department": ("部门", "department"),
    "comment": ("备注", "comment"),
    "note": ("备注", "note"),
    # the governance pages' forms: audits, RACI, surveys, policies, training
    "scope": ("审计范围", "scope"),
    "frequency_months": ("频率（月）", "frequency (months)"),
    "planned_for": ("计划日期", "planned date"),
    "auditors": ("审计人员", "auditors"),
    "individuals": ("处理个人信息的人数", "persons whose PI is processed"),
    "severity": ("严重程度", "severity"),
    "detail": ("说明", "detail"),
    "conclusion": ("审计结论", "conclusion"),
    "activity": ("活动", "activity"),
    "letter": ("职责", "responsibility"),
    "intro": ("说明", "introduction"),
    "options": ("选项", "options"),
    "required": ("必答", "required"),
    "published": ("公开摘要", "published summary"),
    "outcome": ("结论", "outcome"),
    "reviewed_on": ("复核日期", "review date"),
    "next_review": ("首次复核日期", "first review"),
    "course": ("课程", "course"),
    "due_days": ("期限（天）", "days to complete"),
}


def form_action(action: Action) -> Callable[[F], F]:
    """Mark a route that reads input with the action it performs (see the module's text): a
    page's form route, and every API route that takes a body or a query — the refusal comes
    before a 422 there too, whatever the body (an enum's value, a missing field, JSON that
    does not parse)."""

    def mark(endpoint: F) -> F:
        endpoint.form_action = action  # type: ignore[attr-defined]
        return endpoint

    return mark


def acts(request: Request) -> Action | None:
    """The action the request's route is marked with (:func:`form_action`), if any."""
    route = request.scope.get("route")
    action: Action | None = getattr(getattr(route, "endpoint", None), "form_action", None)
    return action


def is_form(request: Request) -> bool:
    """A page's form post (not the JSON API): its errors are pages."""
    kind = request.headers.get("content-type", "")
    return not request.url.path.startswith("/api/") and (
        kind.startswith("application/x-www-form-urlencoded")
        or kind.startswith("multipart/form-data")
    )


def refuse_first(request: Request, user: UserPublic | None) -> None:
    """Raise the recorded refusal when the signed-in ``user`` may not perform the action the
    request's form route is marked with (nothing when unmarked, or nobody is signed in)."""
    action = acts(request)
    if action is None or user is None:
        return
    vault = request.app.state.vault
    deal = request.path_params.get("deal")
    if deal is not None:
        rooms.gate(vault, rooms.seat(vault, user, deal), action, deal)
    else:
        audit.require(vault, rooms.seat_outside(user), action, obj=f"page:{request.url.path}")


@contextmanager
def refusal_first(request: Request) -> Iterator[None]:
    """Around a form handler's own reading of its fields (a choice or a date named in words)
    and the service call it feeds: an input error there — raised before the service could
    decide — gives way to the recorded refusal when the signed-in user may not perform the
    form's action at all (:func:`refuse_first`), as a form FastAPI cannot read does."""
    try:
        yield
    except (InputError, ValueError) as exc:
        if not isinstance(exc, PermissionDeniedError):  # a refusal (or a hidden id) stands
            refuse_first(request, optional_user(request))
        raise


def _reason(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return tr("必填", "is required")
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return tr(f"最多 {n} 个字符", f"must be at most {n} characters")
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return tr(f"至少 {n} 个字符", f"must be at least {n} characters")
    if kind in ("greater_than_equal", "greater_than"):
        n = ctx.get("ge", ctx.get("gt"))
        return (
            tr(f"须不小于 {n}", f"must be at least {n}")
            if kind.endswith("equal")
            else tr(f"须大于 {n}", f"must be more than {n}")
        )
    if kind in ("less_than_equal", "less_than"):
        n = ctx.get("le", ctx.get("lt"))
        return (
            tr(f"须不大于 {n}", f"must be at most {n}")
            if kind.endswith("equal")
            else tr(f"须小于 {n}", f"must be less than {n}")
        )
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        return tr("须为数字", "must be a number")
    if kind in ("enum", "literal_error"):
        return tr("请从列表中选择", "must be one of the choices")
    if kind.startswith("date") or kind.startswith("datetime"):
        return tr("须为日期（如 2026-01-31）", "must be a date (e.g. 2026-01-31)")
    if kind == "bool_parsing":
        return tr("须为是或否", "must be yes or no")
    if kind == "too_long":
        n = ctx.get("max_length")
        return tr(f"最多 {n} 项", f"must be at most {n} items")
    return tr("无效", "is not valid")


def _field(loc: Iterable[Any]) -> str:
    names = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    name = next((n for n in reversed(names) if not n.isdigit()), "")
    label = FIELD_LABELS.get(name)
    return tr(*label) if label else tr("某一项", "a field")


def describe(errors: Iterable[Mapping[str, Any]]) -> str:
    """The errors as one sentence per field, in the user's language, without the values."""
    said: list[str] = []
    for error in errors:
        field = _field(error.get("loc", ()))
        line = tr(f"{field}{_reason(error)}", f"{field} {_reason(error)}")
        if line not in said:
            said.append(line)
    text = tr("；", "; ").join(said)
    return tr(f"表单有误：{text}", f"The form is not valid: {text}.")
