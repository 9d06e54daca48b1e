"""``baomi demo DIR`` — write a generated, realistic seller data set (no real person's data)."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from baomi.i18n import tr


def _is_non_empty_dir(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def demo(
    directory: Path | None = typer.Argument(
        None, metavar="DIR", help="输出目录 / output directory", show_default=False
    ),
    seed: int = typer.Option(20240601, "--seed", help="随机种子：同一种子生成相同数据 / seed"),
    rows: int = typer.Option(2000, "--rows", min=1, help="客户名单行数 / customer-list rows"),
    force: bool = typer.Option(
        False, "--force", help="目录非空时仍写入（覆盖同名文件）/ write into a non-empty directory"
    ),
    database: str | None = typer.Option(
        None,
        "--database",
        help="在此数据库中建演示 CRM 表（--force 先删除同名表）/ create the demo CRM tables in this "
        "database (postgresql://…, mysql://…, sqlite:///…; --force drops them first)",
    ),
) -> None:
    """生成演示用的卖方客户数据（全部为生成数据，校验位有效）。Write a demo seller data set."""
    from baomi.demo import generate_demo

    if database is not None:  # the demo CRM schema in a database (docs/scale.md "Databases")
        _demo_database(database, seed, rows, force)
        if directory is None:
            return
    if directory is None:
        typer.echo(tr("错误：请给出目录 DIR", "error: give a directory DIR"), err=True)
        raise typer.Exit(2)

    if directory.exists() and not directory.is_dir():
        typer.echo(
            tr(f"错误：{directory} 不是目录", f"error: {directory} is not a directory"), err=True
        )
        raise typer.Exit(2)
    if _is_non_empty_dir(directory) and not force:
        typer.echo(
            tr(
                f"错误：目录 {directory} 非空。请换一个目录，或加 --force 覆盖同名文件。",
                f"error: {directory} is not empty. Choose another directory or add --force "
                "to overwrite files of the same name.",
            ),
            err=True,
        )
        raise typer.Exit(2)
    truth = generate_demo(directory, seed=seed, rows=rows)
    typer.echo(
        tr(
            f"已在 {directory} 生成演示数据（种子 {seed}，客户 {rows} 行）：",
            f"Demo data set written to {directory} (seed {seed}, {rows} customer rows):",
        )
    )
    per_file: dict[str, int] = {}
    for span in truth.spans:
        per_file[span.file] = per_file.get(span.file, 0) + 1
    for name in truth.files:
        size = (directory / name).stat().st_size
        enc = truth.encodings.get(name, "")
        count = per_file.get(name, 0)
        typer.echo(
            tr(
                f"  {name}  {size:,} 字节{'，' + enc if enc else ''}，{count} 处个人信息",
                f"  {name}  {size:,} bytes{', ' + enc if enc else ''}, {count} PI items",
            )
        )
    typer.echo(
        tr(
            f"共 {len(truth.spans)} 处个人信息，约 {truth.individuals} 人；"
            f"其中不满十四周岁 {truth.minors_under_14} 人。所有人员和号码均为生成数据。",
            f"{len(truth.spans)} PI items in all, about {truth.individuals} people; "
            f"{truth.minors_under_14} under 14. Every person and number is generated.",
        )
    )
    command = f"baomi scan {shlex.quote(str(directory))}"  # pasted into a shell as it is
    typer.echo(tr(f"下一步：{command}", f"Next: {command}"))


def _demo_database(url: str, seed: int, rows: int, replace: bool) -> None:
    from baomi.databases.source import DatabaseError, display_name, resolve_url
    from baomi.demo.database import create_demo_database

    try:
        made = create_demo_database(url, seed=seed, rows=rows, replace=replace)
    except DatabaseError as exc:
        typer.echo(tr("错误：", "error: ") + str(exc), err=True)
        raise typer.Exit(1) from None
    name = display_name(resolve_url(url))
    tables = ", ".join(f"{t} {n}" for t, n in made.rows.items())
    typer.echo(
        tr(
            f"已在 {name} 生成演示 CRM 表（种子 {seed}）：{tables}。所有人员和号码均为生成数据。",
            f"Demo CRM tables written to {name} (seed {seed}): {tables}. "
            "Every person and number is generated.",
        )
    )
    typer.echo(tr("下一步：baomi scan 数据库地址", "Next: baomi scan DATABASE-URL"))


def register(app: typer.Typer) -> None:
    """Add the demo command to ``app``."""
    app.command("demo")(demo)
