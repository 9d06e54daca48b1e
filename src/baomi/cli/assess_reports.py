"""Reports at the command line: ``baomi assess report inventory`` and
``baomi certificate pdf``, and :func:`write_report_cli`, which every ``baomi assess <x>
--report pdf --out F`` reuses.

A report is built by its service as a :class:`~baomi.services.comply.reports.model.Report` and
written here in the format asked for (``--format``, else the ``--out`` file's suffix): HTML,
PDF, XLSX, or JSON (the view model; printed when there is no ``--out``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from baomi.cli.assess import assess_app
from baomi.cli.assess_checklist import COMPANY_OPTION, DEAL_ARGUMENT, one_ref
from baomi.cli.assess_profile import parse_choice
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault, cert_app
from baomi.i18n import tr
from baomi.services.comply.reports.model import Report
from baomi.services.comply.reports.render import ReportFormat, render_json, write_report

if TYPE_CHECKING:
    from baomi.services.permissions import Actor
    from baomi.services.vault import Vault

report_app = typer.Typer(
    help="报告：HTML、PDF、XLSX / reports as HTML, PDF, XLSX", no_args_is_help=True
)
assess_app.add_typer(report_app, name="report")

#: ``--report html|pdf|xlsx|json`` for an assessment command that also writes its report.
REPORT_OPTION = typer.Option(
    None, "--report", help="同时写出报告 html|pdf|xlsx|json（需 --out）/ also write the report"
)
#: ``--out FILE`` for the report.
OUT_OPTION = typer.Option(None, "--out", help="报告文件 / the report file")
#: ``--format html|pdf|xlsx|json`` for a report command (default: the --out file's suffix).
REPORT_FORMAT_OPTION = typer.Option(
    None, "--format", help="html|pdf|xlsx|json（默认按 --out 的扩展名 / default: by suffix）"
)


def report_format(value: str | ReportFormat | None, out: Path | None) -> ReportFormat:
    """The format asked for: ``value``, else the ``out`` file's suffix, else JSON."""
    if value is not None:
        return parse_choice(ReportFormat, value, "--format")
    if out is None:
        return ReportFormat.JSON
    return _run(lambda: ReportFormat.of_path(out))


def write_report_cli(report: Report, fmt: str | ReportFormat | None, out: Path | None) -> None:
    """Write ``report`` to ``out`` in ``fmt`` (else by the suffix) and say so, naming the
    unconfirmed rules it relies on; without ``out`` only JSON, printed."""
    kind = report_format(fmt, out)
    if out is None:
        if kind is not ReportFormat.JSON:
            raise typer.BadParameter(
                tr(f"{kind} 报告需要 --out 文件", f"a {kind} report needs --out FILE"),
                param_hint="--out",
            )
        typer.echo(render_json(report), nl=False)
        return
    _run(lambda: write_report(report, kind, out))
    console = _console()
    console.print(tr(f"报告已写入 {out}（{kind}）", f"report written to {out} ({kind})"))
    if report.unconfirmed:
        ids = ", ".join(c.rule_id for c in report.unconfirmed)
        console.print(
            tr(
                f"[yellow]注意：报告使用了未确认的规则 {ids}（报告中已注明）[/yellow]",
                f"[yellow]note: the report relies on unconfirmed rules {ids} (it says so)[/yellow]",
            )
        )


@report_app.command("inventory")
def inventory_cmd(
    deal: str | None = typer.Option(None, "--deal", help="交易名称或编号 / deal name or id"),
    scan: Path | None = typer.Option(
        None, "--scan", help="扫描输出目录（含 inventory.json）/ a scan's output folder"
    ),
    fmt: str | None = REPORT_FORMAT_OPTION,
    out: Path | None = OUT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """个人信息清单报告 / the PI inventory report of a deal or a scan."""
    from baomi.engine.contracts.codec import load_inventory
    from baomi.services.comply.reports import inventory as svc

    if (deal is None) == (scan is None):
        raise typer.BadParameter(
            tr("请给出 --deal 或 --scan 之一", "give one of --deal or --scan"), param_hint="--deal"
        )
    if scan is not None:
        path = scan / "inventory.json" if scan.is_dir() else scan
        if not path.is_file():
            raise typer.BadParameter(
                tr(f"没有扫描清单 {path}", f"no scan inventory at {path}"), param_hint="--scan"
            )
        subject = path.resolve().parent.name  # the scan's output folder
        report = svc.inventory_report(_run(lambda: load_inventory(path)), subject)
    else:
        assert deal is not None
        with _vault() as vault:
            actor = _actor(as_)
            report = _run(lambda: svc.deal_inventory_report(vault, actor=actor, deal_ref=deal))
    write_report_cli(report, fmt, out)


def _write(
    build: Callable[[Vault, Actor], Report], fmt: str | None, out: Path | None, as_: str | None
) -> None:
    """Build a report as the acting user and write it."""
    with _vault() as vault:
        actor = _actor(as_)
        report = _run(lambda: build(vault, actor))
    write_report_cli(report, fmt, out)


def _deal_report(kind: str) -> None:
    """Register ``baomi assess report KIND DEAL`` for one kind of the catalog."""
    from baomi.services.comply.catalog import ReportKind

    which = ReportKind(kind)

    def command(
        deal: str = typer.Argument(..., help="交易名称或编号 / deal name or id"),
        fmt: str | None = REPORT_FORMAT_OPTION,
        out: Path | None = OUT_OPTION,
        as_: str | None = AS_OPTION,
    ) -> None:
        from baomi.services.comply import catalog

        _write(lambda v, a: catalog.build(v, actor=a, kind=which, deal_ref=deal), fmt, out, as_)

    command.__doc__ = f"{which.label} / the deal's {which.value} report (html|pdf|xlsx|json)"
    report_app.command(which.value)(command)


def _company_report(kind: str) -> None:
    """Register ``baomi assess report KIND (DEAL | --company USCC)`` for a report of the target
    company (its checklist, its third parties), named through a deal's room or by its code, as
    ``baomi assess checklist`` and ``vendors`` name it."""
    from baomi.services.comply.catalog import ReportKind

    which = ReportKind(kind)

    def command(
        deal: str | None = DEAL_ARGUMENT,
        company: str | None = COMPANY_OPTION,
        fmt: str | None = REPORT_FORMAT_OPTION,
        out: Path | None = OUT_OPTION,
        as_: str | None = AS_OPTION,
    ) -> None:
        from baomi.services.comply.reports import checklist as svc

        one_ref(deal, company)
        build = svc.checklist_report if which is ReportKind.CHECKLIST else svc.vendors_report
        _write(lambda v, a: build(v, actor=a, deal_ref=deal, uscc=company), fmt, out, as_)

    command.__doc__ = f"{which.label} / the company's {which.value} report (html|pdf|xlsx|json)"
    report_app.command(which.value)(command)


for _kind in ("overview", "pia", "risk", "crossborder", "notices"):
    _deal_report(_kind)
for _kind in ("checklist", "vendors"):
    _company_report(_kind)


# ``baomi certificate pdf`` lives here, with the other report commands (cli/vault.py holds
# the group): the vault's commands do not import the reports.
@cert_app.command("pdf")
def certificate_pdf(
    source: str = typer.Argument(
        ..., help="证书 JSON 文件，或已销毁交易的名称/编号 / certificate file, or a destroyed deal"
    ),
    out: Path = typer.Option(..., "--out", help="PDF 文件 / the PDF file"),
    fmt: str | None = REPORT_FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """销毁证书的 PDF（附签名 JSON）/ the certificate as a PDF that carries the signed JSON."""
    from baomi.services.comply.reports import certificate as svc

    path = Path(source)
    text: str | bytes
    if path.is_file():
        text = _run(lambda: _read(path))
    else:
        with _vault() as vault:
            actor = _actor(as_)
            text = _run(lambda: svc.deal_certificate(vault, actor=actor, deal_ref=source))
    # PDF unless --format or the name's suffix says otherwise (cert.html: HTML)
    by_name = None if out.suffix.lower() not in ("", ".pdf") else ReportFormat.PDF
    write_report_cli(_run(lambda: svc.certificate_report(text)), fmt or by_name, out)


def _read(path: Path) -> bytes:
    from baomi.errors import InputError

    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            tr(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}")
        ) from None
