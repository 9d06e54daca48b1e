"""``baomi assess checklist …`` and ``baomi assess vendor…``: the company's compliance checklist
and its third-party register.

Each command names the company through a deal (``DEAL``, its data room's target company) or
directly (``--company USCC``); commands that also take an item or a party id take it after the
deal (``checklist-set DEAL ITEM``, or ``checklist-set --company USCC ITEM``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi.cli.assess import assess_app
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit, parse_choice
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.errors import InputError
from baomi.i18n import tr

DEAL_ARGUMENT = typer.Argument(None, help="交易名称或编号 / deal name or id")
COMPANY_OPTION = typer.Option(
    None, "--company", help="统一社会信用代码（代替交易）/ the company's USCC (instead of a deal)"
)


def _split_refs(refs: list[str], company: str | None, what: str) -> tuple[str | None, str]:
    """``[DEAL, ID]`` or, with ``--company``, ``[ID]`` → (deal, id)."""
    want = 1 if company else 2
    if len(refs) != want:
        usage = f"--company USCC {what}" if company else f"DEAL {what}"
        raise typer.BadParameter(tr(f"用法：{usage}", f"usage: {usage}"))
    return (None, refs[0]) if company else (refs[0], refs[1])


def one_ref(deal: str | None, company: str | None) -> None:
    """Refuse (usage error) unless exactly one of a deal and ``--company`` is given."""
    if (deal is None) == (company is None):
        raise typer.BadParameter(
            tr("请给出交易或 --company（二选一）", "give a deal or --company (one of them)")
        )


def _date(text: str | None, option: str) -> _dt.date | None:
    from baomi.services.comply.scope import parse_date

    try:
        return parse_date(text, option)
    except InputError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _keys(text: str, allowed: list[str], option: str) -> tuple[str, ...]:
    """``a,b`` (or ``all``) as a tuple of keys from ``allowed``."""
    if text.strip() == "all":
        return tuple(allowed)
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise typer.BadParameter(
            tr(f"未知选项 {unknown}，可选 {allowed}", f"unknown {unknown}; choose from {allowed}"),
            param_hint=option,
        )
    return keys


def _print_table(columns: list[str], rows: list[list[str]], title: str = "") -> None:
    table = Table(*columns, title=title or None)
    for row in rows:
        table.add_row(*row)
    _console().print(table)


# --- the checklist ---------------------------------------------------------------------------


def _checklist_json(view: Any) -> dict[str, Any]:
    return {
        "uscc": view.uscc,
        "deal": view.deal_name,
        "today": view.today.isoformat(),
        "score": view.score.overall,
        "done": view.score.done,
        "applicable": view.score.applicable,
        "areas": [asdict(a) | {"score": a.score} for a in view.score.areas],
        "items": [asdict(i) | {"overdue": i.overdue} for i in view.items],
        "trend": [asdict(p) for p in view.trend],
    }


def _show_checklist(view: Any, fmt: Format) -> None:
    from baomi.services.comply.reports.checklist import percent

    if fmt is Format.JSON:
        emit(_checklist_json(view), fmt, [])
        return
    rows = [
        [
            i.area.value,
            i.key,
            i.title,
            i.status.label,
            i.owner or "-",
            (i.due.isoformat() if i.due else "-")
            + (f" [red]{tr('逾期', 'overdue')}[/red]" if i.overdue else ""),
            str(len(i.evidence)),
        ]
        for i in view.items
    ]
    _print_table(
        [
            tr("领域", "area"),
            tr("条目", "item"),
            tr("名称", "title"),
            tr("状态", "status"),
            tr("负责人", "owner"),
            tr("截止", "due"),
            tr("证据", "evidence"),
        ],
        rows,
        title=f"{view.deal_name or view.uscc} · {tr('总分', 'score')} {percent(view.score.overall)}",
    )


@assess_app.command("checklist")
def checklist_cmd(
    deal: str | None = DEAL_ARGUMENT,
    company: str | None = COMPANY_OPTION,
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """公司的合规清单与得分 / the company's compliance checklist and score."""
    from baomi.services.comply import checklist as svc

    one_ref(deal, company)
    with _vault() as vault:
        view = _run(lambda: svc.checklist(vault, actor=_actor(as_), deal_ref=deal, uscc=company))
    _show_checklist(view, fmt)


@assess_app.command("checklist-set")
def checklist_set_cmd(
    refs: list[str] = typer.Argument(..., help="DEAL ITEM，或配合 --company 只给 ITEM"),
    company: str | None = COMPANY_OPTION,
    status: str | None = typer.Option(
        None, "--status", help="not_started|in_progress|done|not_applicable"
    ),
    owner: str | None = typer.Option(None, "--owner", help="负责人 / owner"),
    due: str | None = typer.Option(None, "--due", help="截止日期 YYYY-MM-DD（空串清除）"),
    notes: str | None = typer.Option(None, "--notes", help="备注 / notes"),
    evidence: list[Path] = typer.Option([], "--evidence", help="证据文件（可重复）/ evidence"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """更改清单条目，附加证据 / change a checklist item, attach evidence."""
    from baomi.services.comply import checklist as svc

    deal, item = _split_refs(refs, company, "ITEM")
    state = parse_choice(svc.Status, status, "--status") if status else None
    day = _date(due, "--due")
    files = [(p.name, p.read_bytes()) for p in evidence]
    with _vault() as vault:
        actor = _actor(as_)
        result = _run(
            lambda: svc.set_item(
                vault,
                actor=actor,
                deal_ref=deal,
                uscc=company,
                item=item,
                status=state,
                owner=owner,
                due=day,
                clear_due=due is not None and day is None,
                notes=notes,
            )
        )
        for name, content in files:
            _run(
                partial(
                    svc.add_evidence,
                    vault,
                    actor=actor,
                    deal_ref=deal,
                    uscc=company,
                    item=result.id,
                    name=name,
                    content=content,
                )
            )
        view = _run(lambda: svc.checklist(vault, actor=actor, deal_ref=deal, uscc=company))
    changed = next(i for i in view.items if i.id == result.id)
    emit(
        asdict(changed) | {"overdue": changed.overdue},
        fmt,
        [
            (tr("条目", "item"), changed.key),
            (tr("状态", "status"), changed.status.label),
            (tr("负责人", "owner"), changed.owner or "-"),
            (tr("截止", "due"), changed.due.isoformat() if changed.due else "-"),
            (tr("逾期", "overdue"), tr("是", "yes") if changed.overdue else tr("否", "no")),
            (tr("证据", "evidence"), ", ".join(e.name for e in changed.evidence) or "-"),
        ],
    )


@assess_app.command("checklist-add")
def checklist_add_cmd(
    deal: str | None = DEAL_ARGUMENT,
    company: str | None = COMPANY_OPTION,
    area: str = typer.Option(
        ..., "--area", help="policy|technical|management|staff|external|audit"
    ),
    title: str = typer.Option(..., "--title", help="条目名称（中文）/ title (Chinese)"),
    title_en: str = typer.Option("", "--title-en", help="英文名称 / title in English"),
    clause: str = typer.Option("", "--clause", help="依据 / basis"),
    owner: str = typer.Option("", "--owner", help="负责人 / owner"),
    due: str | None = typer.Option(None, "--due", help="截止日期 YYYY-MM-DD"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """向清单添加条目 / add an item of the company's own to the checklist."""
    from baomi.services.comply import checklist as svc

    one_ref(deal, company)
    where = parse_choice(svc.Area, area, "--area")
    day = _date(due, "--due")
    with _vault() as vault:
        item = _run(
            lambda: svc.add_item(
                vault,
                actor=_actor(as_),
                deal_ref=deal,
                uscc=company,
                area=where,
                title_zh=title,
                title_en=title_en,
                clause=clause,
                owner=owner,
                due=day,
            )
        )
    emit(
        asdict(item),
        fmt,
        [(tr("条目", "item"), item.key), (tr("名称", "title"), item.title), ("id", item.id)],
    )


# --- third parties ---------------------------------------------------------------------------


def _vendor_rows(entries: Any) -> list[list[str]]:
    from baomi.services.comply import vendors as svc

    cfg = svc.config()
    return [
        [
            v.id[:12],
            v.name,
            cfg.kind(v.kind).title,
            tr("是", "yes") if v.nda_signed else tr("否", "no"),
            f"{len(v.contract)}/{len(cfg.contract)}",
            f"{v.contract_start or '-'} – {v.contract_end or '-'}",
            f"{v.risk}（{svc.band_label(v.band)}）",
            v.ending.label if v.ending else "-",
        ]
        for v in entries
    ]


_VENDOR_COLUMNS = [
    "id",
    tr("名称", "name"),
    tr("类型", "kind"),
    tr("保密协议", "NDA"),
    tr("合同内容", "contract"),
    tr("合同期限", "term"),
    tr("风险", "risk"),
    tr("返还/删除", "ended"),
]


@assess_app.command("vendors")
def vendors_cmd(
    deal: str | None = DEAL_ARGUMENT,
    company: str | None = COMPANY_OPTION,
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """第三方登记册 / the company's third-party register."""
    from baomi.services.comply import vendors as svc

    one_ref(deal, company)
    with _vault() as vault:
        entries = _run(lambda: svc.vendors(vault, actor=_actor(as_), deal_ref=deal, uscc=company))
    if fmt is Format.JSON:
        emit([asdict(v) | {"missing_contract": v.missing_contract} for v in entries], fmt, [])
        return
    _print_table(_VENDOR_COLUMNS, _vendor_rows(entries), title=tr("第三方登记册", "Third parties"))


@assess_app.command("vendor-add")
def vendor_add_cmd(
    deal: str | None = DEAL_ARGUMENT,
    company: str | None = COMPANY_OPTION,
    name: str = typer.Option(..., "--name", help="名称 / name"),
    kind: str = typer.Option(..., "--kind", help="service_provider|adviser|buyer|other"),
    contact: str = typer.Option("", "--contact", help="联系方式（加密保存）/ contact (sealed)"),
    criteria: str = typer.Option("", "--criteria", help="满足的选择标准，逗号分隔或 all"),
    nda_date: str | None = typer.Option(None, "--nda", help="保密协议签署日期 YYYY-MM-DD"),
    contract: str = typer.Option(
        "", "--contract", help="合同已载明的 PIPL-21 内容，逗号分隔或 all"
    ),
    quality: int | None = typer.Option(None, "--quality", help="服务质量 1–5"),
    security: int | None = typer.Option(None, "--security", help="数据安全 1–5"),
    start: str | None = typer.Option(None, "--start", help="合同开始 YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--end", help="合同结束 YYYY-MM-DD"),
    buyer_of: str | None = typer.Option(None, "--buyer-of", help="买方所在交易 / the deal it buys"),
    nda_file: Path | None = typer.Option(None, "--nda-file", help="保密协议文件"),
    contract_file: Path | None = typer.Option(None, "--contract-file", help="委托处理合同文件"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """登记第三方（服务商、顾问、买方）/ enter a third party in the register."""
    from baomi.services.comply import vendors as svc

    one_ref(deal, company)
    cfg = svc.config()
    data = svc.VendorInput(
        name=name,
        kind=parse_choice(svc.Kind, kind, "--kind"),
        contact=contact,
        criteria=_keys(criteria, [c.key for c in cfg.criteria], "--criteria"),
        nda_signed=nda_date is not None,
        nda_date=_date(nda_date, "--nda"),
        contract=_keys(contract, [c.key for c in cfg.contract], "--contract"),
        quality=quality,
        security=security,
        contract_start=_date(start, "--start"),
        contract_end=_date(end, "--end"),
        buyer_of=buyer_of,
    )
    attached = [
        (purpose, path)
        for purpose, path in (
            (svc.FilePurpose.NDA, nda_file),
            (svc.FilePurpose.CONTRACT, contract_file),
        )
        if path is not None
    ]
    with _vault() as vault:
        actor = _actor(as_)
        info = _run(
            lambda: svc.save_vendor(vault, actor=actor, data=data, deal_ref=deal, uscc=company)
        )
        for purpose, path in attached:
            _run(
                partial(
                    svc.attach,
                    vault,
                    actor=actor,
                    deal_ref=deal,
                    uscc=company,
                    vendor_id=info.id,
                    purpose=purpose,
                    name=path.name,
                    content=path.read_bytes(),
                )
            )
    emit(
        asdict(info) | {"missing_contract": info.missing_contract},
        fmt,
        [
            ("id", info.id),
            (tr("名称", "name"), info.name),
            (tr("风险", "risk"), f"{info.risk}（{svc.band_label(info.band)}）"),
            (tr("合同缺少", "contract lacks"), ", ".join(info.missing_contract) or "-"),
        ],
    )


@assess_app.command("vendor-end")
def vendor_end_cmd(
    refs: list[str] = typer.Argument(..., help="DEAL ID，或配合 --company 只给 ID"),
    company: str | None = COMPANY_OPTION,
    deleted_by: str | None = typer.Option(
        None, "--confirm-deleted", help="确认已删除的人 / who confirmed the deletion"
    ),
    returned_by: str | None = typer.Option(
        None, "--confirm-returned", help="确认已返还的人 / who confirmed the return"
    ),
    on: str | None = typer.Option(None, "--on", help="确认日期 YYYY-MM-DD（默认今天）"),
    evidence: Path | None = typer.Option(None, "--evidence", help="证明文件 / proof"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """合同结束：确认返还或删除后关闭第三方（PIPL-21）/ close a party once its return or deletion
    of the PI is confirmed."""
    from baomi.services.comply import vendors as svc

    deal, vendor_id = _split_refs(refs, company, "ID")
    if (deleted_by is None) == (returned_by is None):
        raise typer.BadParameter(
            tr(
                "请给出 --confirm-deleted 或 --confirm-returned（二选一，PIPL-21）",
                "give --confirm-deleted or --confirm-returned (one of them, PIPL-21)",
            )
        )
    ending = svc.Ending.DELETED if deleted_by is not None else svc.Ending.RETURNED
    proof = (evidence.name, evidence.read_bytes()) if evidence is not None else None
    day = _date(on, "--on")
    with _vault() as vault:
        actor = _actor(as_)
        entries = _run(lambda: svc.vendors(vault, actor=actor, deal_ref=deal, uscc=company))
        matches = [v.id for v in entries if v.id.startswith(vendor_id)]
        if len(matches) != 1:
            raise typer.BadParameter(tr("没有唯一匹配的第三方", "no single matching party"))
        info = _run(
            lambda: svc.close_vendor(
                vault,
                actor=actor,
                deal_ref=deal,
                uscc=company,
                vendor_id=matches[0],
                ending=ending,
                confirmed_by=deleted_by or returned_by or "",
                confirmed_on=day,
                evidence=proof,
            )
        )
    emit(
        asdict(info),
        fmt,
        [
            (tr("名称", "name"), info.name),
            (tr("已关闭", "closed"), info.closed_at or "-"),
            (tr("方式", "ending"), info.ending.label if info.ending else "-"),
            (tr("确认人", "confirmed by"), info.confirmed_by or "-"),
        ],
    )


@assess_app.command("reminders")
def reminders_cmd(
    deal: str | None = typer.Argument(None, help="交易名称或编号（默认所有公司）"),
    company: str | None = COMPANY_OPTION,
    days: int | None = typer.Option(
        None, "--days", help="合同结束前多少天提醒（默认见 vendors.yaml）"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """即将到期与到期未确认返还或删除的第三方 / contracts ending soon, and ended ones whose return
    or deletion is not confirmed."""
    from baomi.services.comply import vendors as svc

    with _vault() as vault:
        due = _run(
            lambda: svc.reminders(vault, actor=_actor(as_), deal_ref=deal, uscc=company, days=days)
        )
    if fmt is Format.JSON:
        emit(
            {
                "on": due.on.isoformat(),
                "days": due.days,
                "ending_soon": [asdict(v) for v in due.ending_soon],
                "ended_unconfirmed": [asdict(v) for v in due.ended_unconfirmed],
            },
            fmt,
            [],
        )
        return
    _print_table(
        _VENDOR_COLUMNS,
        _vendor_rows(due.ending_soon),
        title=tr(f"{due.days} 天内到期", f"ending within {due.days} days"),
    )
    _print_table(
        _VENDOR_COLUMNS,
        _vendor_rows(due.ended_unconfirmed),
        title=tr("已到期，未确认返还或删除", "ended, return or deletion not confirmed"),
    )
