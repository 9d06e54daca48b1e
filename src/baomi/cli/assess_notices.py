"""``baomi assess notice-text | notice-export | notice-import | notices``: customer notices for
the transfer (PIPL-22/23/39) — the texts, the mail-merge export, sending status and the campaign.

The export writes raw contacts to the file the operator names (and nowhere else); this command
prints counts and the path only.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from baomi.cli.assess import assess_app
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit, parse_choice
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr

DEAL_ARG = typer.Argument(..., help="交易名称或编号 / deal name or id")
KIND_OPTION = typer.Option(
    None,
    "--kind",
    help="transfer|consent|deletion|control|crossborder（默认按转让类型 / default: from the "
    "transfer type）",
)
LANG_OPTION = typer.Option("zh", "--notice-lang", help="通知语言 zh|en / language of the notice")


def _cites(citations: object) -> str:
    from baomi.services.comply.reports.model import Citation

    assert isinstance(citations, tuple)
    return ", ".join(
        c.rule_id + (tr("（未确认）", " (unconfirmed)") if c.unconfirmed else "")
        for c in citations
        if isinstance(c, Citation)
    )


def _lang(value: str) -> str:
    if value not in ("zh", "en"):
        raise typer.BadParameter(tr("可选 zh|en", "choose zh|en"), param_hint="--notice-lang")
    return value


@assess_app.command("notice-text")
def notice_text_cmd(
    deal: str = DEAL_ARG,
    channel: str = typer.Option("letter", "--channel", help="letter|sms|email"),
    kind: str | None = KIND_OPTION,
    notice_lang: str = LANG_OPTION,
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """预览客户通知（示例客户“张三”）/ preview the customer notice (sample customer 张三)."""
    from baomi.services.comply.notices import export as svc
    from baomi.services.comply.notices.texts import Channel, NoticeKind

    ch = parse_choice(Channel, channel, "--channel")
    chosen = parse_choice(NoticeKind, kind, "--kind") if kind else None
    lang = _lang(notice_lang)
    with _vault() as vault:
        actor = _actor(as_)
        p = _run(
            lambda: svc.preview(
                vault, actor=actor, deal_ref=deal, channel=ch, kind=chosen, lang=lang
            )
        )
    t = p.text
    if fmt is Format.JSON:
        emit(asdict(p) | {"deal_id": p.deal_id}, fmt, [])
        return
    rows = [
        (tr("通知", "notice"), f"{t.title}（{p.kind}）"),
        (tr("建议通知", "recommended"), p.recommended.value),
        (tr("渠道", "channel"), t.channel.value),
        (
            tr("需要单独同意", "separate consent required"),
            tr("是", "yes") if t.consent_required else tr("否", "no"),
        ),
        (tr("依据", "rules"), _cites(t.citations)),
    ]
    if t.missing:
        rows.append((tr("缺少内容", "missing"), ", ".join(t.missing)))
    if t.subject:
        rows.append((tr("邮件主题", "subject"), t.subject))
    rows.append((tr("字数", "characters"), str(t.chars)))
    if t.segments:
        rows.append((tr("短信条数", "SMS segments"), str(t.segments)))
    emit(None, fmt, rows)
    _console().print(t.body, markup=False)


@assess_app.command("notice-export")
def notice_export_cmd(
    deal: str = DEAL_ARG,
    document: str = typer.Argument(..., help="客户名单文件（编号或名称）/ the customer table"),
    out: Path = typer.Option(..., "--out", help="FILE.xlsx 或 FILE.csv（邮件合并）"),
    kind: str | None = KIND_OPTION,
    notice_lang: str = LANG_OPTION,
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """导出客户联系名单及通知文本（邮件合并）/ export the contact list with notice texts."""
    from baomi.services.comply.notices import export as svc
    from baomi.services.comply.notices.texts import NoticeKind

    chosen = parse_choice(NoticeKind, kind, "--kind") if kind else None
    lang = _lang(notice_lang)
    with _vault() as vault:
        actor = _actor(as_)
        r = _run(
            lambda: svc.export(
                vault,
                actor=actor,
                deal_ref=deal,
                document=document,
                out=out,
                kind=chosen,
                lang=lang,
            )
        )
    data = asdict(r) | {"path": str(r.path)}
    emit(
        data,
        fmt,
        [
            (tr("文件", "file"), str(r.path)),
            (tr("通知", "notice"), r.kind.value),
            (tr("客户（通知数）", "customers (notices)"), str(r.notices)),
            (tr("读取行数", "rows read"), str(r.rows)),
            (tr("无姓名或联系方式", "without name or contact"), str(r.incomplete)),
            (tr("重复客户", "listed twice"), str(r.repeated)),
            (tr("已同意，不再征求", "consented already, not asked again"), str(r.consented_before)),
            (tr("刚拒绝，暂不征求", "refused recently, not asked yet"), str(r.refused_recently)),
            *((tr(f"可用渠道 {c}", f"reachable by {c}"), str(n)) for c, n in r.channels.items()),
        ],
    )
    if fmt is Format.TABLE:  # the whole path, which a narrow table cuts
        _console().print(tr(f"已写入：{r.path}", f"written: {r.path}"), markup=False)


@assess_app.command("notice-import")
def notice_import_cmd(
    deal: str = DEAL_ARG,
    file: Path = typer.Argument(..., help="发送状态文件 CSV/XLSX / sending status file"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """导入邮寄/短信/邮件发送状态 / import sending status from the mailing house or gateway."""
    from baomi.errors import InputError
    from baomi.services.comply.notices import status as svc

    def read() -> bytes:
        try:
            return file.read_bytes()
        except OSError as exc:
            raise InputError(tr(f"无法读取 {file}", f"cannot read {file}")) from exc

    content = _run(read)
    with _vault() as vault:
        actor = _actor(as_)
        r = _run(
            lambda: svc.import_status(
                vault, actor=actor, deal_ref=deal, name=file.name, content=content
            )
        )
    emit(
        asdict(r),
        fmt,
        [
            (tr("行数", "rows"), str(r.rows)),
            (tr("已记录", "recorded"), str(r.recorded)),
            (tr("未知通知编号", "unknown notice ids"), str(r.unknown)),
            (tr("重复", "duplicates"), str(r.duplicates)),
            (tr("无效", "invalid"), str(r.invalid)),
            *((tr("问题", "problem"), p) for p in r.problems),
        ],
    )


@assess_app.command("notices")
def notices_cmd(
    deal: str = DEAL_ARG, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """通知进度：各渠道状态、同意情况 / the campaign: status per channel, consents."""
    from baomi.services.comply.notices import status as svc

    with _vault() as vault:
        actor = _actor(as_)
        c = _run(lambda: svc.campaign(vault, actor=actor, deal_ref=deal))
    if fmt is Format.JSON:
        emit(asdict(c), fmt, [])
        return
    emit(
        None,
        fmt,
        [
            (tr("通知数", "notices"), str(c.notices)),
            (tr("未确认送达", "not confirmed reached"), str(c.unreached)),
            (tr("需单独同意", "consent required"), str(c.consent_required)),
            (tr("已同意", "consented"), str(c.consented)),
            (tr("已拒绝", "refused"), str(c.refused)),
            (tr("未答复（不得提供）", "no answer (may not be provided)"), str(c.consent_pending)),
            (tr("依据", "rules"), _cites(c.citations)),
        ],
    )
    statuses = ("pending", "sent", "delivered", "bounced")
    table = Table(title=tr("各渠道状态", "status per channel"))
    table.add_column(tr("渠道", "channel"))
    for s in statuses:
        table.add_column(s, justify="right")
    for channel, counts in c.channels.items():
        table.add_row(channel, *(str(counts.get(s, 0)) for s in statuses))
    _console().print(table)
