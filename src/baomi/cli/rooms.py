"""``baomi room``: running the data rooms from the machine that holds the key — the twins of the
room page's management section: rooms listed and opened, the stage, the NDA published, members
listed, seated and removed, grants listed, set and revoked.

Whoever opens the key store here acts as the installation's administrator (as ``baomi user``
does); the services ask the permission table and the room's rules (an ended deal takes no new
member or grant, not oneself, not the last member who runs the room) and audit each change
(``services/dataroom/rooms.py``, ``members.py``, ``grants.py``, ``nda.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

import typer
from rich.table import Column, Table

from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import LEVEL_LABELS, SIDE_LABELS, SIDE_ROLES, Level, Side
from baomi.services.dataroom.stages import LABELS as STAGE_LABELS
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import ROLE_LABELS, Actor, Role

room_app = typer.Typer(
    help="数据室：列出、开设、阶段、保密协议、成员、授权 / data rooms: list, open, stage, NDA, "
    "members, grants",
    no_args_is_help=True,
)

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

DEAL = typer.Argument(..., help="交易名称或编号 / deal name or id")
USER = typer.Argument(..., help="用户名 / user name")
#: The roles a room seats (the command-line operator and the administrator sit in none).
SEATED_ROLES = tuple(Role(r) for r in sorted({r.value for rs in SIDE_ROLES.values() for r in rs}))


def _as_admin(as_: str | None) -> Actor:
    return _actor(as_, Role.ADMIN)


def _in_room(use_case: Callable[..., T], deal: str, as_: str | None, **kwargs: Any) -> T:
    """A room's use case on ``deal``, by the installation's administrator named by ``--as``; a
    refusal is said in red and exits 1 (``cli/vault._run``)."""
    with _vault() as vault:
        return _run(lambda: use_case(vault, actor=_as_admin(as_), deal_ref=deal, **kwargs))


def _choices(labels: dict[E, tuple[str, str]]) -> str:
    return ", ".join(f"{value.value} ({tr(*label)})" for value, label in labels.items())


def _chosen(kind: type[E], value: str, labels: dict[E, tuple[str, str]], option: str) -> E:
    """``value`` as a member of ``kind``, or a usage error that lists the choices."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise typer.BadParameter(
            tr(
                f"{value!r} 不是可选值：{_choices(labels)}",
                f"{value!r} is not one of: {_choices(labels)}",
            ),
            param_hint=option,
        ) from None


def _show(
    headers: Iterable[str | Column], rows: Iterable[tuple[str, ...]], empty: tuple[str, str]
) -> None:
    """``rows`` as a table, or ``empty`` when there are none. Cells fold at the terminal's
    width, never cut: ids and names are copied."""
    table = Table(*(h if isinstance(h, Column) else Column(h, overflow="fold") for h in headers))
    for row in rows:
        table.add_row(*row)
    _console().print(table if table.row_count else tr(*empty))


def _side(side: Side) -> str:
    return tr(*SIDE_LABELS[side])


def _role(role: str) -> str:
    return tr(*ROLE_LABELS.get(role, (role, role)))


def _stage(stage: Stage) -> str:
    return tr(*STAGE_LABELS[stage])


def _when(timestamp: str | None) -> str:
    from baomi import clock

    return clock.shown(timestamp)


# --- rooms ---------------------------------------------------------------------------------------


@room_app.command("list")
def list_cmd(as_: str | None = AS_OPTION) -> None:
    """列出数据室（交易、目标公司、阶段）/ list the rooms (deal, target company, stage)."""
    from baomi.services.comply.provisions import region_of

    with _vault() as vault:
        found = _run(lambda: rooms.rooms_for_actor(vault, _as_admin(as_)))
    _show(
        (
            tr("交易", "deal"),
            tr("目标公司", "target company"),
            tr("统一社会信用代码", "unified social credit code"),
            tr("阶段", "stage"),
            tr("接收方所在地区", "recipient's region"),
        ),
        (
            (
                r.deal_name,
                r.target_name,
                r.target_uscc,
                _stage(r.stage),
                region_of(r.recipient_region).label,
            )
            for r in (entry.room for entry in found)
        ),
        ("暂无数据室。", "No rooms yet."),
    )


@room_app.command("open")
def open_cmd(
    deal: str = typer.Argument(..., help="交易名称（没有则新建）/ deal name (created if none)"),
    target: str = typer.Option(..., "--target", help="目标公司名称 / target company's name"),
    uscc: str = typer.Option(
        ..., "--uscc", help="目标公司统一社会信用代码 / target's unified social credit code"
    ),
    region: str | None = typer.Option(
        None,
        "--region",
        help="接收方所在地区（默认取转让概况，否则 CN）/ recipient's region (default: the deal's "
        "profile, else CN)",
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """开设交易的数据室（没有该交易则先创建）/ open a deal's data room (the deal is created
    when there is none by that name)."""
    with _vault() as vault:
        info = _run(
            lambda: rooms.open_deal_room(
                vault,
                actor=_as_admin(as_),
                deal_name=deal.strip(),
                target_name=target,
                target_uscc=uscc,
                recipient_region=region,
            )
        )
    _console().print(
        tr(
            f"已开设数据室 {info.deal_name}（阶段：{_stage(info.stage)}）",
            f"data room {info.deal_name} opened (stage: {_stage(info.stage)})",
        )
    )


@room_app.command("stage")
def stage_cmd(
    deal: str = DEAL,
    stage: str = typer.Argument(..., help="|".join(s.value for s in Stage)),
    as_: str | None = AS_OPTION,
) -> None:
    """更改交易阶段（交割或终止即结束买方访问）/ move the deal to a stage (closing or aborting
    ends the buyer's access at once)."""
    target = _chosen(Stage, stage, STAGE_LABELS, "STAGE")
    info = _in_room(rooms.set_stage, deal, as_, stage=target)
    _console().print(rooms.stage_notice(info))


@room_app.command("nda")
def nda_cmd(
    deal: str = DEAL,
    discloser: str = typer.Option(..., "--discloser", help="披露方 / discloser"),
    recipient: str = typer.Option(..., "--recipient", help="接收方 / recipient"),
    as_: str | None = AS_OPTION,
) -> None:
    """发布新版保密协议（此前的接受不再有效）/ publish a new version of the NDA (earlier
    acceptances no longer count)."""
    from baomi.services.dataroom import nda

    _in_room(nda.publish_nda, deal, as_, discloser=discloser, recipient=recipient)
    with _vault() as vault:
        _console().print(_run(lambda: nda.published_notice(vault, deal)))


# --- members -------------------------------------------------------------------------------------


def _nda_state(accepted_at: str | None, required: bool) -> str:
    if accepted_at:
        return tr(f"已接受 {_when(accepted_at)}", f"accepted {_when(accepted_at)}")
    return tr("未接受", "not accepted") if required else tr("无需", "not needed")


@room_app.command("members")
def members_cmd(deal: str = DEAL, as_: str | None = AS_OPTION) -> None:
    """列出成员（一方、角色、保密协议）/ list the members (side, role, NDA)."""
    from baomi.services.dataroom import members

    found = _in_room(members.list_members, deal, as_)
    _show(
        (
            tr("用户名", "user name"),
            tr("显示名", "display name"),
            tr("一方", "side"),
            tr("角色", "role"),
            tr("保密协议", "NDA"),
            tr("加入", "added"),
        ),
        (
            (
                m.username + (tr("（已停用）", " (disabled)") if m.disabled else ""),
                m.display_name,
                _side(m.side),
                _role(m.role.value),
                _nda_state(m.nda_accepted_at, m.nda_required),
                f"{_when(m.added_at)} {m.added_by}",
            )
            for m in found
        ),
        ("暂无成员。", "No members yet."),
    )


@room_app.command("add")
def add_cmd(
    deal: str = DEAL,
    username: str = USER,
    side: str = typer.Option(..., "--side", help="|".join(s.value for s in Side)),
    role: str = typer.Option(..., "--role", help="|".join(r.value for r in SEATED_ROLES)),
    as_: str | None = AS_OPTION,
) -> None:
    """让用户在一方入座（角色须为其账号角色）/ seat a user on a side (the role must be the
    account's)."""
    seat_side = _chosen(Side, side, SIDE_LABELS, "--side")
    seat_role = _chosen(Role, role, {r: ROLE_LABELS[r.value] for r in SEATED_ROLES}, "--role")
    _in_room(rooms.add_member, deal, as_, username=username, side=seat_side, role=seat_role)
    _console().print(rooms.seated_notice(username, seat_side, seat_role))


@room_app.command("remove")
def remove_cmd(deal: str = DEAL, username: str = USER, as_: str | None = AS_OPTION) -> None:
    """把成员移出数据室：其访问立即结束 / take a member's seat away: their access ends now."""
    from baomi.services.dataroom import members

    removed = _in_room(members.remove_member, deal, as_, username=username)
    _console().print(removed.summary())


# --- grants --------------------------------------------------------------------------------------


def _grant_state(grant: Any) -> str:
    if grant.revoked_at:
        return tr(f"已撤销 {_when(grant.revoked_at)}", f"revoked {_when(grant.revoked_at)}")
    if grant.live:
        return tr(f"有效至 {_when(grant.expires_at)}", f"until {_when(grant.expires_at)}")
    return tr(f"已过期 {_when(grant.expires_at)}", f"expired {_when(grant.expires_at)}")


@room_app.command("grants")
def grants_cmd(deal: str = DEAL, as_: str | None = AS_OPTION) -> None:
    """列出授权（最新在前，含已撤销和已过期）/ list the grants (the newest first, ended ones
    too)."""
    from baomi.services.dataroom import grants

    found = _in_room(grants.list_grants, deal, as_)
    _show(
        (
            # what ``room revoke`` takes: whole on one line, whatever the terminal's width
            Column(tr("授权编号", "grant id"), no_wrap=True, min_width=32),
            tr("一方", "side"),
            tr("文件夹", "folder"),
            tr("级别", "level"),
            tr("授权", "granted"),
            tr("状态", "state"),
        ),
        (
            (
                g.id,
                _side(g.side),
                g.folder,
                tr(*LEVEL_LABELS[g.level]),
                f"{_when(g.created_at)} {g.created_by}",
                _grant_state(g),
            )
            for g in found
        ),
        ("暂无授权。", "No grants yet."),
    )


@room_app.command("grant")
def grant_cmd(
    deal: str = DEAL,
    side: str = typer.Argument(..., help="|".join(s.value for s in Side)),
    folder: str = typer.Argument("/", help="文件夹（/ 为整个数据室）/ folder (/: the whole room)"),
    level: str = typer.Option("view", "--level", help="view|download"),
    days: int = typer.Option(30, "--days", help="有效天数 1–366 / days it lasts, 1–366"),
    as_: str | None = AS_OPTION,
) -> None:
    """授权一方查看或下载文件夹 / give a side access to a folder (view or download)."""
    from baomi.services.dataroom import grants

    grant_side = _chosen(Side, side, SIDE_LABELS, "SIDE")
    grant_level = _chosen(Level, level, LEVEL_LABELS, "--level")
    grant_id: str = _in_room(
        grants.set_grant, deal, as_, side=grant_side, folder=folder, level=grant_level, days=days
    )
    where, how = grants.room_folder(folder), tr(*LEVEL_LABELS[grant_level])
    _console().print(
        tr(
            f"已授权{_side(grant_side)}一方{how}文件夹 {where}，{days} 天；授权编号：",
            f"the {_side(grant_side)} side may {how} the folder {where} for {days} days; grant id:",
        )
    )
    typer.echo(grant_id)


@room_app.command("revoke")
def revoke_cmd(
    deal: str = DEAL,
    grant_id: str = typer.Argument(..., help="授权编号（room grants）/ grant id (room grants)"),
    as_: str | None = AS_OPTION,
) -> None:
    """撤销授权：该方的下一次访问即被拒绝 / revoke a grant: that side's next request is
    refused."""
    from baomi.services.dataroom import grants

    _in_room(grants.revoke_grant, deal, as_, grant_id=grant_id.strip())
    with _vault() as vault:
        _console().print(_run(lambda: grants.revoked_notice(vault, grant_id=grant_id.strip())))


def register(app: typer.Typer) -> None:
    """Add ``baomi room`` to ``app``."""
    app.add_typer(room_app, name="room")
