"""``baomi govern remind``: remind each calendar item's owner (or its department's users) of
what is overdue or due soon — in the app and by e-mail, once per item per day."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict

import typer
from rich.table import Table

from baomi.cli.assess_profile import FORMAT_OPTION, Format
from baomi.cli.govern import govern_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.errors import InputError
from baomi.i18n import tr

OUTCOMES = {
    "sent": ("已发送", "sent"),
    "would send": ("将发送", "would send"),
    "already sent today": ("今日已发送", "already sent today"),
    "no recipient": ("无接收人", "no recipient"),
}


def _day(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(tr(f"日期无效：{value}", f"invalid date: {value}")) from None


@govern_app.command("remind")
def remind_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示，不发送 / show, send nothing"),
    today: str | None = typer.Option(None, "--today", help="ISO 日期（默认今天）/ as of date"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """提醒逾期与即将到期的事项 / remind owners of overdue and due-soon items."""
    from baomi.services.govern import notify

    with _vault() as vault:
        done = _run(
            lambda: notify.remind(vault, actor=_actor(as_), today=_day(today), dry_run=dry_run)
        )
    if fmt is Format.JSON:
        typer.echo(json.dumps([asdict(r) for r in done], ensure_ascii=False, indent=2))
        return
    table = Table()
    for col in (
        tr("到期日", "due"),
        tr("事项", "item"),
        tr("接收人", "recipients"),
        tr("结果", "outcome"),
    ):
        table.add_column(col)
    for r in done:
        zh, en = OUTCOMES.get(r.outcome, (r.outcome, r.outcome))
        table.add_row(r.due, r.title, ", ".join(r.recipients) or "-", tr(zh, en))
    _console().print(table)
    if not done:
        _console().print(tr("没有需要提醒的事项。", "Nothing to remind of."))
