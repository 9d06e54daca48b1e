"""``baomi assess facts | risk | risk-answer | pia | pia-answer | pia-risk | pia-complete |
pia-new``: the facts baomi checks, the six-area risk assessment and the PIA (thin)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi import clock
from baomi.cli.assess import assess_app
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit, parse_choice
from baomi.cli.vault import AS_OPTION, _actor, _console, _fail, _run, _vault
from baomi.errors import InputError
from baomi.i18n import tr

DEAL = typer.Argument(..., help="交易名称或编号 / deal name or id")
EVIDENCE = typer.Option(None, "--evidence", help="证明材料文件 / an evidence file")
COMMENT = typer.Option("", "--comment", help="备注 / comment")


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], title: str = "") -> None:
    table = Table(*columns, title=title or None)
    for row in rows:
        table.add_row(*row)
    _console().print(table)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        error = InputError(tr(f"无法读取 {path}", f"cannot read {path}: {exc.strerror}"))
        raise _fail(error) from None


def _attach(
    add: Callable[..., Any], vault: Any, actor: Any, deal: str, question: str, path: Path
) -> None:
    """Attach the evidence file ``path`` to ``question`` with the service's ``add_evidence``."""
    data = _read(path)
    _run(
        lambda: add(
            vault, actor=actor, deal_ref=deal, question_id=question, name=path.name, data=data
        )
    )


@assess_app.command("facts")
def facts_cmd(deal: str = DEAL, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """系统自查的事实及其状态 / the facts baomi checks itself, with their status."""
    from baomi.services.comply import facts as svc
    from baomi.services.comply.assessments import as_data

    with _vault() as vault:
        found = _run(lambda: svc.deal_facts(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Format.JSON:
        emit(as_data(found), fmt, [])
        return
    _table(
        (tr("事实", "fact"), tr("值", "value"), tr("状态", "status"), tr("来源", "source")),
        [(f.label, f.value, f.status.label, f.source) for f in found],
        tr(
            f"检查时间 {clock.zoned(found[0].checked_at)}",
            f"checked {clock.zoned(found[0].checked_at)}",
        ),
    )


@assess_app.command("risk")
def risk_cmd(deal: str = DEAL, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """六个方面的风险评估 / the risk assessment in six areas."""
    from baomi.services.comply import risk as svc
    from baomi.services.comply.assessments import as_data

    with _vault() as vault:
        r = _run(lambda: svc.assessment(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Format.JSON:
        emit(as_data(r) | {"complete": r.complete}, fmt, [])
        return
    _table(
        (tr("方面", "area"), tr("得分", "score"), tr("等级", "level"), tr("已回答", "answered")),
        [
            (
                a.title,
                "-" if a.score is None else f"{a.score:.0f}",
                a.level.label if a.level else "-",
                f"{a.answered}/{len(a.questions)}",
            )
            for a in r.areas
        ],
        r.deal_name,
    )
    _table(
        ("id", tr("问题", "question"), tr("回答", "answer"), tr("来源", "from")),
        [
            (q.id, q.text, q.choice.label if q.choice else "-", q.answered_from or "-")
            for a in r.areas
            for q in a.questions
        ],
    )


@assess_app.command("risk-answer")
def risk_answer_cmd(
    deal: str = DEAL,
    question: str = typer.Argument(..., help="问题编号 / question id"),
    answer: str = typer.Option(..., "--answer", help="yes|partly|no|na"),
    comment: str = COMMENT,
    evidence: Path | None = EVIDENCE,
    as_: str | None = AS_OPTION,
) -> None:
    """回答风险评估中的一个问题 / answer a question of the risk assessment."""
    from baomi.services.comply import risk as svc

    choice = parse_choice(svc.Choice, answer, "--answer")
    with _vault() as vault:
        actor = _actor(as_)
        _run(
            lambda: svc.answer(
                vault,
                actor=actor,
                deal_ref=deal,
                question_id=question,
                choice=choice,
                comment=comment,
            )
        )
        if evidence is not None:
            _attach(svc.add_evidence, vault, actor, deal, question, evidence)
    _console().print(tr("已记录。", "recorded."))


def _print_pia(p: Any) -> None:
    _console().print(
        f"{p.deal_name} · {tr('第', 'version ')}{max(p.version, 1)}{tr(' 版', '')} · "
        f"{p.state.value}"
        + (f" · {tr('保存至', 'keep until')} {clock.day(p.keep_until)}" if p.keep_until else "")
    )
    for section in p.sections:
        _table(
            ("id", tr("问题", "question"), tr("回答", "answer"), tr("来源", "source")),
            [
                (
                    q.id,
                    q.text,
                    q.value if q.prefilled else (q.answer.answer if q.answer else "-"),
                    tr("系统填写", "baomi")
                    if q.prefilled
                    else (q.answer.answered_by if q.answer else "-"),
                )
                for q in section.questions
            ],
            section.title,
        )
    _table(
        (
            "id",
            tr("风险", "risk"),
            tr("影响", "impact"),
            tr("可能性", "likelihood"),
            tr("等级", "level"),
        ),
        [
            (
                r.id[:8],
                r.title,
                r.impact.label,
                r.likelihood.label,
                r.level.label + (tr("（不可接受）", " (unacceptable)") if r.unacceptable else ""),
            )
            for r in p.risks
        ],
        tr(
            "风险（矩阵取自 GB/T 39335 报批稿，未确认）",
            "risks (matrix from the draft of GB/T 39335, unconfirmed)",
        ),
    )
    if p.missing:
        _console().print(tr("未回答：", "not answered: ") + ", ".join(p.missing))


@assess_app.command("pia")
def pia_cmd(deal: str = DEAL, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """个人信息保护影响评估 / show the PI protection impact assessment."""
    from baomi.services.comply import pia as svc

    with _vault() as vault:
        p = _run(lambda: svc.show(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Format.JSON:
        emit(svc.as_json(p), fmt, [])
        return
    _print_pia(p)


@assess_app.command("pia-answer")
def pia_answer_cmd(
    deal: str = DEAL,
    question: str = typer.Argument(..., help="问题编号 / question id"),
    answer: str = typer.Option(..., "--answer", help="回答 / the answer"),
    comment: str = COMMENT,
    evidence: Path | None = EVIDENCE,
    as_: str | None = AS_OPTION,
) -> None:
    """回答影响评估中的一个问题 / answer a question of the PIA."""
    from baomi.services.comply import pia as svc

    with _vault() as vault:
        actor = _actor(as_)
        _run(
            lambda: svc.answer(
                vault,
                actor=actor,
                deal_ref=deal,
                question_id=question,
                text=answer,
                comment=comment,
            )
        )
        if evidence is not None:
            _attach(svc.add_evidence, vault, actor, deal, question, evidence)
    _console().print(tr("已记录。", "recorded."))


@assess_app.command("pia-risk")
def pia_risk_cmd(
    deal: str = DEAL,
    title: str = typer.Option("", "--title", help="风险 / the risk"),
    impact: str = typer.Option("medium", "--impact", help="severe|high|medium|low"),
    likelihood: str = typer.Option("medium", "--likelihood", help="low|medium|high|very_high"),
    remove: str | None = typer.Option(None, "--remove", help="删除该编号的风险 / remove risk ID"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """列出（或删除）一项风险；等级由矩阵得出 / list (or remove) a risk; the matrix gives its level."""
    from baomi.services.comply import pia as svc

    with _vault() as vault:
        actor = _actor(as_)
        if remove is not None:
            p = _run(lambda: svc.show(vault, actor=actor, deal_ref=deal))
            matches = [r.id for r in p.risks if r.id.startswith(remove)]
            if len(matches) != 1:
                raise _fail(InputError(tr("没有该风险", "no such risk")))
            _run(lambda: svc.remove_risk(vault, actor=actor, deal_ref=deal, risk_id=matches[0]))
            _console().print(tr("已删除。", "removed."))
            return
        level_of = parse_choice(svc.Impact, impact, "--impact")
        chance = parse_choice(svc.Likelihood, likelihood, "--likelihood")
        risk_id = _run(
            lambda: svc.add_risk(
                vault, actor=actor, deal_ref=deal, title=title, impact=level_of, likelihood=chance
            )
        )
    level = svc.risk_level(level_of, chance)
    rule = svc.matrix_rule()
    emit(
        {
            "id": risk_id,
            "impact": level_of.value,
            "likelihood": chance.value,
            "level": level.value,
            "unacceptable": svc.unacceptable(level),
            "matrix_rule": {"id": rule.id, "status": rule.status, "confirmed": rule.confirmed},
        },
        fmt,
        [
            ("id", risk_id),
            (tr("风险等级", "level"), level.label),
            (tr("依据", "rule"), rule.label()),
        ],
    )


@assess_app.command("pia-complete")
def pia_complete_cmd(
    deal: str = DEAL,
    officer: str = typer.Option(
        ..., "--officer", help="个人信息保护负责人 / PI protection officer"
    ),
    legal: str = typer.Option(..., "--legal", help="法务负责人 / legal"),
    management: str = typer.Option(..., "--management", help="管理层 / management"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """完成并签署影响评估（此后保存至少三年）/ complete and sign the PIA (kept ≥ 3 years)."""
    from baomi.services.comply import pia as svc

    with _vault() as vault:
        p = _run(
            lambda: svc.complete(
                vault,
                actor=_actor(as_),
                deal_ref=deal,
                officer=officer,
                legal=legal,
                management=management,
            )
        )
    if fmt is Format.JSON:
        emit(svc.as_json(p), fmt, [])
        return
    _console().print(
        tr(
            f"第 {p.version} 版已完成，保存至 {clock.day(p.keep_until) or '-'}。",
            f"version {p.version} completed; kept until {clock.day(p.keep_until) or '-'}.",
        )
    )


@assess_app.command("pia-new")
def pia_new_cmd(deal: str = DEAL, as_: str | None = AS_OPTION) -> None:
    """在已完成的评估之后开始新一版 / start the next version after a completed PIA."""
    from baomi.services.comply import pia as svc

    with _vault() as vault:
        version = _run(lambda: svc.new_version(vault, actor=_actor(as_), deal_ref=deal))
    _console().print(tr(f"已开始第 {version} 版。", f"version {version} started."))
