"""The inventory report: what personal information a scan found, or a deal's documents hold.

Built from a scan's ``inventory.json`` (:class:`~baomi.engine.contracts.inventory.Inventory`) or
from a deal's :class:`~baomi.services.comply.data.DataSummary` with its documents' inventories.
Counts, categories and column names only (an identifier in a name is already masked by the
scan) — an inventory holds no raw value, so neither does the report.
"""

from __future__ import annotations

from collections.abc import Sequence

from baomi.engine.contracts import codec
from baomi.engine.contracts import notes as said
from baomi.engine.contracts.codec import ContractError
from baomi.engine.contracts.inventory import Inventory, InventoryFile, SkippedFile
from baomi.engine.entities import ENTITIES
from baomi.i18n import current_language, tr
from baomi.services import deals
from baomi.services.comply.data import DataSummary, label, labels_text, summarize
from baomi.services.comply.reports.charts import number
from baomi.services.comply.reports.model import (
    Chart,
    ChartKind,
    Citation,
    Figure,
    Report,
    Section,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.rulebook import rules
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault


def entity_label(entity: str) -> str:
    """The entity's name for people (``手机号`` / ``mobile number``), its code if unknown."""
    info = ENTITIES.get(entity)
    return tr(info.label_zh, info.label_en) if info else entity


def _mode(mode: str) -> str:
    """How a column was classified (docs/scan.md), for people."""
    names = {
        "entity": ("整列识别", "whole column"),
        "text": ("自由文本", "free text"),
        "decoy": ("干扰列", "decoy"),
        "skip": ("未发现", "nothing found"),
    }
    zh, en = names.get(mode, (mode, mode))
    return tr(zh, en)


def _yes(flag: bool) -> str:
    return tr("是", "yes") if flag else tr("否", "no")


def _warn_if(count: int) -> Tone:
    return Tone.WARN if count > 0 else Tone.NEUTRAL


def _figures_of_scan(inventory: Inventory) -> tuple[Figure, ...]:
    s = inventory.summary
    method = (
        tr("按记录关联精确计数", "counted exactly by linking records")
        if s.exact_individuals
        else tr("估算", "estimated")
    )
    return (
        Figure(
            tr("文件", "files"),
            number(s.files_scanned),
            Tone.WARN if s.files_skipped or s.files_with_errors else Tone.NEUTRAL,
            tr(
                f"未能读取 {s.files_skipped} 个，部分读取 {s.files_with_errors} 个",
                f"{s.files_skipped} unreadable, {s.files_with_errors} read in part",
            ),
        ),
        Figure(tr("行数", "rows"), number(s.rows)),
        Figure(tr("个人数", "individuals"), number(s.estimated_individuals), note=method),
        Figure(
            tr("含敏感个人信息的个人", "individuals with sensitive PI"),
            number(s.individuals_with_sensitive),
            _warn_if(s.individuals_with_sensitive),
        ),
        Figure(tr("不满十四周岁", "minors under 14"), number(s.minors), _warn_if(s.minors)),
        Figure(tr("发现", "findings"), number(s.findings)),
    )


def _figures_of_deal(data: DataSummary) -> tuple[Figure, ...]:
    return (
        Figure(
            tr("文件", "documents"),
            number(data.documents),
            Tone.WARN if data.scanned < data.documents else Tone.NEUTRAL,
            tr(f"其中已扫描 {data.scanned} 个", f"{data.scanned} of them scanned"),
        ),
        Figure(tr("行数", "rows"), number(data.rows)),
        Figure(
            tr("个人数（上限）", "individuals (upper bound)"),
            number(data.individuals),
            note=tr(
                f"各文件相加；单个文件最多 {number(data.individuals_at_least)}（下限）",
                f"documents added up; the largest one holds {number(data.individuals_at_least)} (lower bound)",
            ),
        ),
        Figure(
            tr("含敏感个人信息的个人（上限）", "individuals with sensitive PI (upper bound)"),
            number(data.sensitive_individuals),
            _warn_if(data.sensitive_individuals),
        ),
        Figure(tr("不满十四周岁", "minors under 14"), number(data.minors), _warn_if(data.minors)),
    )


def _entities_section(data: DataSummary, distinct: dict[str, int]) -> Section:
    ranked = sorted(data.entities.items(), key=lambda kv: (-kv[1], kv[0]))
    columns: tuple[str, ...] = (tr("实体", "entity"), tr("代码", "code"), tr("类别", "category"))
    columns += (tr("敏感", "sensitive"), tr("单元格", "cells"))
    if distinct:
        columns += (tr("不同取值", "distinct values"),)
    rows: list[tuple[str, ...]] = []
    tones: list[Tone] = []
    for entity, cells in ranked:
        info = ENTITIES.get(entity)
        sensitive = bool(info and info.sensitive)
        row: tuple[str, ...] = (
            entity_label(entity),
            entity,
            label(info.category if info else "其他信息"),
        )
        row += (_yes(sensitive), number(cells))
        if distinct:
            row += (number(distinct.get(entity, 0)),)
        rows.append(row)
        tones.append(Tone.WARN if sensitive else Tone.NEUTRAL)
    return Section(
        tr("实体分布", "Entity distribution"),
        paragraphs=(
            tr(
                "每类个人信息被发现的单元格数。",
                "How many cells hold each kind of personal information.",
            ),
        ),
        charts=(
            Chart(
                ChartKind.BAR,
                tr("实体分布（单元格数）", "Entity distribution (cells)"),
                labels=tuple(entity_label(e) for e, _ in ranked),
                values=tuple(float(v) for _, v in ranked),
            ),
        ),
        tables=(Table(columns, tuple(rows), tr("实体", "Entities"), tuple(tones)),),
    )


def _categories_section(data: DataSummary) -> Section:
    book = rules()
    sensitive = set(data.sensitive_categories)
    ranked = sorted(data.categories.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = tuple(
        (label(category), number(cells), _yes(category in sensitive)) for category, cells in ranked
    )
    listed = labels_text(data.sensitive_categories, tr("无", "none"))
    citations = [Citation.of(book["S35-A.1"]), Citation.of(book["PIPL-28"])]
    if data.minors:
        citations.append(Citation.of(book["PIPL-31"]))
    return Section(
        tr("类别与敏感个人信息", "Categories and sensitive PI"),
        paragraphs=(
            tr(
                "类别按 GB/T 35273-2020 附录A；敏感个人信息按《个人信息保护法》第二十八条。",
                "Categories as in GB/T 35273-2020 Annex A; sensitive PI as in PIPL Art. 28.",
            ),
            tr(f"发现的敏感个人信息类别：{listed}。", f"Sensitive categories found: {listed}."),
        ),
        tables=(
            Table(
                (tr("类别", "category"), tr("单元格", "cells"), tr("敏感", "sensitive")),
                rows,
                tr("类别", "Categories"),
                tuple(Tone.WARN if c in sensitive else Tone.NEUTRAL for c, _ in ranked),
            ),
        ),
        citations=tuple(citations),
    )


def _files_section(files: Sequence[InventoryFile], skipped: Sequence[SkippedFile]) -> Section:
    file_rows = tuple(
        (
            f.path,
            f.kind,
            number(f.rows),
            number(len(f.columns)),
            number(sum(f.entities.values())),
            tr("部分读取", "read in part") if f.read_in_part else tr("完整", "whole"),
        )
        for f in files
    )
    tables = [
        Table(
            (
                tr("文件", "file"),
                tr("类型", "kind"),
                tr("行数", "rows"),
                tr("列数", "columns"),
                tr("发现", "findings"),
                tr("读取", "read"),
            ),
            file_rows,
            tr("文件", "Files"),
            tuple(Tone.WARN if f.read_in_part else Tone.NEUTRAL for f in files),
        )
    ]
    partial = tuple((f.path, error) for f in files for error in said.errors_shown(f))
    if partial:
        tables.append(
            Table(
                (tr("文件", "file"), tr("未能读取的部分", "what could not be read")),
                partial,
                tr("部分读取的文件", "Files read in part"),
                tuple(Tone.WARN for _ in partial),
            )
        )
    if skipped:
        tables.append(
            Table(
                (tr("文件", "file"), tr("原因", "reason")),
                tuple((s.path, said.reason_shown(s)) for s in skipped),
                tr("未能读取的文件", "Files not read"),
                tuple(Tone.BAD for _ in skipped),
            )
        )
    return Section(tr("文件", "Files"), tables=tuple(tables))


def _notes_section(files: Sequence[InventoryFile], notes: Sequence[str]) -> Section:
    """How a database scan read: each table's notes (no primary key, a column left out,
    ``--sample``) and the run's (the schemas not read). Information, not read failures; in the
    reader's language from their codes (an earlier inventory's as the scan wrote them)."""
    rows = tuple((f.path, note) for f in files for note in said.shown(f))
    columns = (tr("文件", "file"), tr("说明", "note"))
    tones = tuple(Tone.NEUTRAL for _ in rows)
    return Section(
        tr("说明", "Notes"),
        paragraphs=(
            tr(
                "扫描如何读取各表的说明：是信息，不是读取失败（读取失败见“文件”）。",
                "Notes on how the tables were read: information, not read failures (those are "
                "under “Files”).",
            ),
            *notes,
        ),
        tables=(Table(columns, rows, tr("说明", "Notes"), tones),) if rows else (),
    )


def _columns_section(files: Sequence[InventoryFile]) -> Section:
    rows, tones = [], []
    for f in files:
        for c in f.columns:
            found = c.entity or max(c.entities, key=lambda e: c.entities[e], default=None)
            rows.append(
                (
                    f.path,
                    c.sheet or "",
                    c.name,
                    _mode(c.mode),
                    entity_label(found) if found else "",
                    label(c.category) if c.category else "",
                    _yes(c.sensitive),
                    f"{number(c.matches)} / {number(c.non_empty)}",
                )
            )
            tones.append(Tone.WARN if c.sensitive else Tone.NEUTRAL)
    return Section(
        tr("逐列清单", "Columns"),
        paragraphs=(
            tr(
                "每个表格列的分类：实体、类别、是否敏感，以及命中数 / 非空单元格数。列名中的标识符已遮盖。",
                "How each table column was classified: entity, category, sensitive, and "
                "matches / non-empty cells. Identifiers in column names are masked.",
            ),
        ),
        tables=(
            Table(
                (
                    tr("文件", "file"),
                    tr("工作表", "sheet"),
                    tr("列", "column"),
                    tr("方式", "mode"),
                    tr("实体", "entity"),
                    tr("类别", "category"),
                    tr("敏感", "sensitive"),
                    tr("命中 / 非空", "matches / non-empty"),
                ),
                tuple(rows),
                tr("逐列清单", "Columns"),
                tuple(tones),
            ),
        ),
    )


def inventory_report(
    source: Inventory | DataSummary,
    subject: str,
    *,
    files: Sequence[InventoryFile] | None = None,
    skipped: Sequence[SkippedFile] = (),
    notes: Sequence[str] = (),
    generated_at: str | None = None,
) -> Report:
    """The inventory report of a scan (``source`` an :class:`Inventory`: its files and notes
    are shown) or of a deal (a :class:`DataSummary`, with the documents' ``files`` and the
    inventories' ``notes`` if known, worded for the reader: :func:`said.shown`)."""
    if isinstance(source, Inventory):
        data = summarize(subject, [codec.to_dict(source)])
        summary = _figures_of_scan(source)
        distinct = dict(source.summary.distinct)
        shown = source.files if files is None else files
        skipped = skipped or source.skipped
        notes = notes or said.shown(source)
    else:
        data, summary, distinct = source, _figures_of_deal(source), {}
        shown = files or ()
    sections = [_entities_section(data, distinct), _categories_section(data)]
    if shown or skipped:
        sections.append(_files_section(shown, skipped))
    if notes or any(f.notes or f.note_codes for f in shown):
        sections.append(_notes_section(shown, notes))
    if any(f.columns for f in shown):
        sections.append(_columns_section(shown))
    return Report(
        kind="inventory",
        title=tr("个人信息清单", "Personal information inventory"),
        subject=subject,
        generated_at=generated_at or stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=summary,
        footnotes=(
            tr(
                "本清单不含任何原始个人信息：只有计数、类别和列名（其中的标识符已遮盖）。",
                "This inventory holds no raw personal information: counts, categories and "
                "column names (identifiers in them masked) only.",
            ),
        ),
    )


def deal_inventory_report(vault: Vault, *, actor: Actor, deal_ref: str) -> Report:
    """The inventory report of a deal: the summary of its documents' inventories and each
    document's files and columns (read while the deal's key exists)."""
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
        deal_id, name = deal.id, deal.name
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    objects = deals.objects(vault, deal_id)
    inventories = [o.inventory for o in objects]
    files: list[InventoryFile] = []
    skipped: list[SkippedFile] = []
    notes: dict[str, None] = {}  # each once, in order
    for inv in inventories:
        if not inv:
            continue
        try:
            parsed = codec.from_dict(Inventory, inv)
        except ContractError:
            continue  # counted in the summary; its columns cannot be listed
        files.extend(parsed.files)
        skipped.extend(parsed.skipped)
        notes.update(dict.fromkeys(said.shown(parsed)))
    return inventory_report(
        summarize(deal_id, inventories), name, files=files, skipped=skipped, notes=list(notes)
    )
