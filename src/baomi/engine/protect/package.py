"""The protect pipeline: input files → a de-identified, k-anonymous, fingerprinted package.

``protect_paths`` reads every supported file under the given paths (never modifying them),
applies the policy's operators column by column (vectorised, once per distinct value) and span by
span in prose, enforces k-anonymity on the declared quasi-identifiers, embeds the recipient's
marks, writes the same files in the same formats and encodings into a temporary folder with a
``manifest.json`` (DESIGN.md "Protect output"), optionally re-scans it (``verify``), and only then
renames the folder to its final name. An error or interruption leaves no half-written package.
The sender-side trace record goes to ``manifests_dir``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.batch import analyze_column, prefetch, release
from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import (
    MANIFEST_FORMAT,
    FingerprintInfo,
    KAnonymityCriteria,
    KAnonymityReport,
    LocalRound,
    Manifest,
    ManifestFile,
    PolicyInfo,
    ToolInfo,
    VerifyInfo,
)
from baomi.engine.contracts.trace_record import TraceRecord
from baomi.engine.normalize import normalize
from baomi.engine.paths import display_path
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.hierarchy import Hierarchy, build_hierarchy
from baomi.engine.protect.kanon import Criteria, anonymize
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.plan import ColumnPlan, plan_table, text_prefilter
from baomi.engine.protect.policy import Policy, Rule
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.protect.tokens import TokenVault
from baomi.engine.protect.verify import scan_leftovers, verify_package
from baomi.engine.protect.writers import SUFFIXES, Document, Table, load, replace_in_runs
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.recognizers.registry import Registry
from baomi.errors import BaomiError, InputError, StorageError
from baomi.i18n import tr

log = logging.getLogger(__name__)


Progress = Callable[[str, int, int], None]


class VerifyError(BaomiError):
    """Raised when ``verify`` finds an identifier the policy removes still in the output."""

    def __init__(self, leaks: list[dict[str, Any]]) -> None:
        where = ", ".join(f"{x['file']}:{x['column'] or '-'} ({x['count']})" for x in leaks[:5])
        total = sum(x["count"] for x in leaks)
        super().__init__(
            tr(f"复扫失败：残留 {total} 个标识符", f"verify failed: {total} leftover value(s)")
            + f": {where}"
        )
        self.leaks = leaks


@dataclass(frozen=True, slots=True)
class ProtectOptions:
    recipient: str | None = None
    verify: bool = False
    overwrite: bool = False
    vault_path: Path | None = None
    manifests_dir: Path | None = None
    now: _dt.datetime | None = None


@dataclass(slots=True)
class ProtectResult:
    out_dir: Path
    manifest: Manifest
    trace_record: Path | None
    leaks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Run:
    policy: Policy
    registry: Registry
    operators: OperatorRegistry
    ctx: OperatorContext
    analyzer: TextAnalyzer
    fingerprint: int
    prefilter: str | None = None
    #: The original values the policy removes, kept only for ``--verify`` (which looks for them).
    collect_originals: bool = True
    originals: set[str] = field(default_factory=set)
    #: The values format-keeping operators wrote (``--verify`` only): a name pseudonym may be
    #: another customer's real name, and is not a leftover where the operator wrote it.
    produced: set[str] = field(default_factory=set)
    digests: list[bytes] = field(default_factory=list)
    operators_used: dict[str, set[str]] = field(default_factory=dict)
    kanon: list[KAnonymityReport] = field(default_factory=list)

    def note(self, entity: str | None, operator: str) -> None:
        self.operators_used.setdefault(entity or "(column)", set()).add(operator)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def collect_files(paths: Sequence[Path]) -> tuple[Path, list[Path]]:
    """The common root and every supported file under ``paths`` (sorted)."""
    resolved = [p.resolve() for p in paths]
    for p in resolved:
        if not p.exists():
            raise InputError(f"{p.name}: " + tr("文件或文件夹不存在", "no such file or folder"))
    files: list[Path] = []
    for p in resolved:
        if p.is_dir():
            files.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in SUFFIXES
                and not f.name.startswith((".", "~$"))
            )
        elif p.suffix.lower() in SUFFIXES:
            files.append(p)
    files = list(dict.fromkeys(files))  # an input named twice (or inside a named folder) once
    if len(resolved) == 1 and resolved[0].is_dir():
        root = resolved[0]
    else:
        root = Path(os.path.commonpath([f.parent for f in files])) if files else Path.cwd()
    return root, files


# --- tables ------------------------------------------------------------------------------


def _apply_rule(run: _Run, rule: Rule, entity: str | None, values: pl.Series) -> pl.Series:
    op = run.operators.get(rule.operator)
    out = op.apply_series(values, entity, rule.params, run.ctx)
    run.note(entity, rule.operator)
    if op.removes and run.collect_originals:
        # a value the operator leaves as it is (an address that is only a division) is not
        # removed, and must not count as a leftover
        run.originals.update(
            a.strip()
            for a, b in zip(values.to_list(), out.to_list(), strict=True)
            if a and a.strip() and a != b
        )
        if op.keeps_format:
            run.produced.update(b.strip() for b in out.drop_nulls().to_list())
    if op.recipient_specific(rule.params) and fp.traceable(entity):
        run.digests.extend(fp.digest(v) for v in out.drop_nulls().unique().to_list() if v)
    if _marked(run, rule):
        out = fp.mark_series(out, run.fingerprint)
    return out


def _protect_text(
    run: _Run, text: str, recognizers: Sequence[Recognizer] | None = None
) -> tuple[str, list[tuple[int, int, str]], bool]:
    """Protected text, the edits made, and whether the record must be dropped."""
    edits: list[tuple[int, int, str, bool]] = []
    drop = False
    for f in run.analyzer.analyze(text, recognizers):
        rule = run.policy.rule_for_entity(f.entity)
        if rule is None or not run.operators.declares(rule.operator, "removes"):
            continue
        raw = text[f.start : f.end]
        op = run.operators.get(rule.operator)
        new = op.apply(raw, f.entity, rule.params, run.ctx)
        run.note(f.entity, rule.operator)
        if run.collect_originals and new != raw:
            run.originals.add(raw.strip())
        if op.drops_record(rule.params):
            drop = True
        if op.recipient_specific(rule.params) and fp.traceable(f.entity):
            run.digests.append(fp.digest(new))
        edits.append((f.start, f.end, new, _marked(run, rule)))
    protected, made = fp.splice(text, edits, run.fingerprint)
    return protected, made, drop


def _marked(run: _Run, rule: Rule) -> bool:
    """Whether the output of ``rule`` carries the invisible marks."""
    return run.policy.marks and run.operators.declares(rule.operator, "carries_marks")


def _text_column(
    run: _Run, values: pl.Series, recognizers: Sequence[Recognizer] | None = None
) -> tuple[pl.Series, set[str]]:
    """A free-text column with the entities found in it protected: the column's distinct
    texts are analysed together (the scan's vectorised :func:`analyze_column`, which gives
    the findings :class:`TextAnalyzer` gives text by text) and the findings of each entity
    are protected together by its operator."""
    distinct = values.drop_nulls().unique()
    if run.prefilter is not None:
        distinct = distinct.filter(distinct.str.contains(run.prefilter))
    distinct = distinct.filter(distinct != "")
    if distinct.len() == 0:
        return values, set()
    if recognizers is None:
        recognizers = run.analyzer.text_recognizers
    found = analyze_column(distinct, recognizers, run.analyzer.threshold)
    mapping, dropped = _apply_findings(run, distinct, found)
    if not mapping:
        return values, dropped
    return values.replace_strict(mapping, default=values, return_dtype=pl.String), dropped


def _apply_findings(
    run: _Run, texts: pl.Series, found: pl.DataFrame
) -> tuple[dict[str, str], set[str]]:
    """Protect the findings (``idx`` into ``texts``, character offsets) entity by entity;
    returns the changed texts and the texts whose record the policy drops."""
    edits: dict[int, list[tuple[int, int, str, bool]]] = {}
    drop_idx: set[int] = set()
    spans = (
        found.select("idx", "start", "end", "entity")
        .with_columns(text=texts.gather(found["idx"]))
        .select(
            "idx",
            "start",
            "end",
            "entity",
            raw=pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        )
    )
    for (entity,), group in spans.group_by("entity", maintain_order=True):
        rule = run.policy.rule_for_entity(str(entity))
        if rule is None or not run.operators.declares(rule.operator, "removes"):
            continue
        op = run.operators.get(rule.operator)
        raw = group["raw"]
        new = op.apply_series(raw, str(entity), rule.params, run.ctx)
        run.note(str(entity), rule.operator)
        if run.collect_originals:
            run.originals.update(
                a.strip() for a, b in zip(raw.to_list(), new.to_list(), strict=True) if a != b
            )
        idx = group["idx"].to_list()
        if op.drops_record(rule.params):
            drop_idx.update(idx)
        if op.recipient_specific(rule.params) and fp.traceable(str(entity)):
            run.digests.extend(fp.digest(v) for v in new.to_list() if v)
        # the marks are added when the text is spliced: they depend on the text before them
        marked = _marked(run, rule)
        for i, start, end, value in zip(
            idx, group["start"].to_list(), group["end"].to_list(), new.to_list(), strict=True
        ):
            edits.setdefault(i, []).append((start, end, value or "", marked))
    values = texts.to_list()
    mapping: dict[str, str] = {}
    for i, changes in edits.items():
        mapping[values[i]] = fp.splice(values[i], changes, run.fingerprint)[0]
    return mapping, {values[i] for i in drop_idx}


def _kanon(run: _Run, table: Table, rel: str) -> pl.DataFrame:
    spec = run.policy.quasi_identifiers
    frame = table.frame
    if spec is None or not all(c in frame.columns for c in spec.columns):
        return frame
    qi, sensitive = spec.columns, [s for s in spec.sensitive if s in frame.columns]
    hierarchies: dict[str, Hierarchy] = {}
    for c in qi:
        path = spec.hierarchies.get(c)
        hierarchies[c] = (
            run.ctx.hierarchy(path) if path else build_hierarchy(c, frame[c].drop_nulls().to_list())
        )
    criteria = Criteria.for_release(
        spec.release,
        k=spec.k,
        l=spec.l,
        max_risk=spec.max_risk,
        average_risk=spec.average_risk,
        suppression_limit=spec.suppression_limit,
    )
    result = anonymize(
        frame.with_columns(pl.col(c).fill_null("") for c in qi),
        qi,
        hierarchies,
        criteria,
        sensitive=sensitive,
        tie_break=(run.ctx.recipient or "").encode(),
        recoding=spec.recoding,
    )
    run.note("QUASI_IDENTIFIER", "generalize")
    run.kanon.append(
        KAnonymityReport(
            file=rel,
            sheet=table.sheet,
            quasi_identifiers=tuple(qi),
            sensitive=tuple(sensitive),
            criteria=KAnonymityCriteria(
                k=criteria.k,
                l=criteria.l,
                average_risk=criteria.average_risk,
                suppression_limit=criteria.suppression_limit,
                release=spec.release,
            ),
            levels=result.levels,
            recoding=result.recoding,
            local_rounds=tuple(codec.from_dict(LocalRound, r) for r in result.rounds),
            suppressed_records=result.suppressed,
            information_loss=round(result.loss, 6),
            metric=result.metric,
            nodes_checked=result.nodes_checked,
            nodes_total=result.nodes_total,
            risk=result.report.rounded(),
        )
    )
    out = frame.with_columns(result.frame[c].replace("", None) for c in qi)
    if spec.suppress == "drop" and result.suppressed:
        suppressed = pl.all_horizontal(pl.col(c) == "*" for c in qi)
        keep = out.with_row_index("_i").filter(~suppressed)["_i"].to_list()
        table.keep_rows = keep
        out = out[keep]
    return out


def _protect_table(run: _Run, table: Table, rel: str) -> dict[str, Any]:
    rows_in = table.frame.height
    plans: list[ColumnPlan] = plan_table(table.frame, run.policy, run.registry, run.operators)
    frame = _kanon(run, table, rel)
    drop_mask = pl.Series("d", [False] * frame.height, dtype=pl.Boolean)
    columns: list[dict[str, Any]] = []
    # Identifier columns are protected in a thread beside the free-text analysis (Polars
    # releases the GIL); the token vault is written by one thread only.
    ruled = [p for p in plans if p.mode in ("entity", "rule") and p.rule is not None]
    pool = ThreadPoolExecutor(1) if len(plans) > len(ruled) > 0 else None
    protected: dict[str, pl.Series | Future[pl.Series]] = {}
    for plan in ruled:
        assert plan.rule is not None
        args = (run, plan.rule, plan.entity, frame[plan.name])
        if pool is not None and run.operators.declares(plan.rule.operator, "thread_safe"):
            protected[plan.name] = pool.submit(_apply_rule, *args)
        else:
            protected[plan.name] = _apply_rule(*args)
    try:
        for plan in plans:
            drop_mask = _protect_column(run, plan, frame, protected, drop_mask, columns)
        frame = frame.with_columns(
            f.result() if isinstance(f, Future) else f for f in protected.values()
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if drop_mask.any():
        keep_idx = (~drop_mask).arg_true().to_list()
        base = table.keep_rows if table.keep_rows is not None else list(range(rows_in))
        table.keep_rows = [base[i] for i in keep_idx]
        frame = frame[keep_idx]
    table.frame = frame
    return {"sheet": table.sheet, "rows_in": rows_in, "rows_out": frame.height, "columns": columns}


def _protect_column(
    run: _Run,
    plan: ColumnPlan,
    frame: pl.DataFrame,
    protected: dict[str, pl.Series | Future[pl.Series]],
    drop_mask: pl.Series,
    columns: list[dict[str, Any]],
) -> pl.Series:
    """Protect one column of ``frame`` (identifier columns are already under way in
    ``protected``); returns the drop mask with the records this column drops."""
    values = frame[plan.name]
    info: dict[str, Any] = {"name": plan.name, "mode": plan.mode, "entity": plan.entity}
    columns.append(info)
    if plan.mode in ("entity", "rule") and plan.rule is not None:
        if run.operators.get(plan.rule.operator).drops_record(plan.rule.params):
            drop_mask = drop_mask | values.is_not_null() & (values.str.strip_chars() != "")
        info["operator"] = plan.rule.operator
    elif plan.mode in ("text", "skip"):
        # "skip" columns are analyzed too: the classification saw a sample only, and an
        # identifier further down must not pass unprotected — with the pattern recognizers
        # (short values, not prose), a decoy's look-alike excepted, as the scan does
        recognizers = None
        if plan.mode == "skip":
            recognizers = [
                r
                for r in run.analyzer.text_recognizers
                if not r.model_based and r.entity not in plan.excluded
            ]
        new, dropped = _text_column(run, values, recognizers)
        if dropped:
            drop_mask = drop_mask | values.is_in(pl.Series(sorted(dropped)).implode())
        if plan.mode == "text" or not new.equals(values):
            protected[plan.name] = new.alias(plan.name)
            info["operator"] = "analyze"
    elif plan.mode == "qi":
        info["operator"] = "generalize"
    return drop_mask


# --- text --------------------------------------------------------------------------------


def _protect_units(run: _Run, doc: Document) -> dict[str, Any]:
    found: Counter[str] = Counter()
    paragraphs = doc.state[1] if doc.format == "docx" else None
    models = [r for r in run.analyzer.text_recognizers if r.model_based]
    # the prose model tags the document's lines or paragraphs in one batch first
    norms = [normalize(u) for u in doc.units if u] if models else []
    prefetched = prefetch((r, n) for n in norms for r in models)
    try:
        for i, unit in enumerate(doc.units):
            if not unit:
                continue
            new, edits, _ = _protect_text(run, unit)
            if not edits:
                continue
            found.update("edits" for _ in edits)
            doc.units[i] = new
            if paragraphs is not None:
                replace_in_runs(paragraphs[i], edits)
    finally:
        release(prefetched)
    return {"units": len(doc.units), "replaced_spans": found["edits"]}


# --- the pipeline ------------------------------------------------------------------------


def protect_paths(
    paths: Sequence[Path],
    policy: Policy,
    out_dir: Path,
    *,
    keys: KeyProvider | None = None,
    options: ProtectOptions | None = None,
    registry: Registry | None = None,
    operators: OperatorRegistry | None = None,
    progress: Progress | None = None,
) -> ProtectResult:
    """Protect ``paths`` into ``out_dir`` (see the module docstring)."""
    opts = options or ProtectOptions()
    out_dir = out_dir.resolve()
    _check_out_dir(out_dir, paths, opts)
    root, files = collect_files(paths)
    registry = registry or Registry.default()
    operators = operators or OperatorRegistry.default()
    vault = None
    uses_tokens = any(
        operators.declares(r.operator, "needs_vault")
        for r in (*policy.entities.values(), *policy.columns.values())
    )
    if uses_tokens and keys is not None:
        vpath = opts.vault_path or out_dir.parent / f"{out_dir.name}.tokens.vault"
        vault = TokenVault(vpath, keys.key("vault", "tokens"), keys.key("token", "tokens"))
    ctx = OperatorContext(
        keys=keys, recipient=opts.recipient, vault=vault, base_dir=policy.base_dir
    )
    run = _Run(
        policy,
        registry,
        operators,
        ctx,
        TextAnalyzer(registry),
        secrets.randbits(fp.FP_BITS),
        text_prefilter(registry),
        collect_originals=opts.verify,
    )
    package_id = secrets.token_hex(8)
    now = opts.now or _dt.datetime.now(_dt.UTC)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{package_id}"
    entries: list[dict[str, Any]] = []
    try:
        tmp.mkdir(parents=True)
        names = _PathNames(run)
        for i, src in enumerate(files):
            rel = names.protect(display_path(src.relative_to(root).as_posix()))
            if progress:
                progress(rel, i, len(files))
            doc = load(src)
            entry: dict[str, Any] = {
                "path": rel,
                "kind": doc.kind,
                "format": doc.format,
                "encoding": doc.encoding,
                "source_sha256": _sha256(src),
            }
            if doc.kind == "table":
                entry["tables"] = [_protect_table(run, t, rel) for t in doc.tables]
            else:
                entry.update(_protect_units(run, doc))
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            doc.save(target)
            entry["output_sha256"] = _sha256(target)
            entries.append(entry)
        if progress:
            progress("", len(files), len(files))
        listed = tuple(codec.from_dict(ManifestFile, e) for e in entries)
        leaks: list[dict[str, Any]] = []
        if opts.verify:
            leaks = verify_package(
                tmp,
                listed,
                run.originals,
                run.analyzer,
                policy,
                run.prefilter,
                run.produced,
                run.operators,
            ) or scan_leftovers(tmp, listed, policy, run.operators)
            if leaks:
                raise VerifyError(leaks)
        manifest = _manifest(run, listed, package_id, now, opts, leaks)
        codec.dump(manifest, tmp / "manifest.json")
        if vault is not None:
            vault.save()
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    record_path = None
    if opts.manifests_dir is not None:
        record_path = _write_record(run, manifest, opts, now)
    log.info("protected %d file(s) into %s (package %s)", len(entries), out_dir.name, package_id)
    return ProtectResult(out_dir, manifest, record_path, leaks)


class _PathNames:
    """File and folder names with their identifiers protected (客户13812345678.csv →
    客户138****5678.csv): a package, its manifest and the trace record are read by people who
    must not see them. Each name is analysed like text and each finding replaced by the policy's
    operator (no marks: invisible characters do not belong in file names); a name that two
    files would share gets ``~2``, ``~3`` … before its suffix."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.parts: dict[str, str] = {}
        self.used: set[str] = set()

    def protect(self, rel: str) -> str:
        *folders, name = rel.split("/")
        stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        out = "/".join([*(self._part(f) for f in folders), self._part(stem) + dot + suffix])
        base, n = out, 1
        while out in self.used:
            n += 1
            out = f"{base[: len(base) - len(dot + suffix)]}~{n}{dot}{suffix}"
        self.used.add(out)
        return out

    def _part(self, text: str) -> str:
        cached = self.parts.get(text)
        if cached is not None:
            return cached
        edits: list[tuple[int, int, str, bool]] = []
        for f in self.run.analyzer.analyze(text):
            rule = self.run.policy.rule_for_entity(f.entity)
            if rule is None or not self.run.operators.declares(rule.operator, "removes"):
                continue
            op = self.run.operators.get(rule.operator)
            new = op.apply(text[f.start : f.end], f.entity, rule.params, self.run.ctx)
            edits.append((f.start, f.end, re.sub(r"[/\\\x00]", "_", new or ""), False))
        out = fp.splice(text, edits, self.run.fingerprint)[0] or "_"  # no marks in names
        self.parts[text] = out
        return out


def _check_out_dir(out_dir: Path, paths: Sequence[Path], opts: ProtectOptions) -> None:
    """Refuse an output folder that would overwrite or ship what it must not: the inputs (in
    either direction: a replaced folder is deleted), a folder that is not an earlier package,
    the token vault or the trace records (neither may leave the seller's machine)."""
    for p in (p.resolve() for p in paths):
        if out_dir == p or p in out_dir.parents or out_dir in p.parents:
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹不能与输入重叠（在输入之内或包含输入）",
                    "the output folder must not overlap the input (inside it or holding it)",
                )
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir.name}: " + tr("输出不是文件夹", "the output is not a folder"))
    if out_dir.exists() and any(out_dir.iterdir()):
        if not opts.overwrite:
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹已存在且非空（--force 替换）",
                    "output folder exists and is not empty (use --force)",
                )
            )
        if not _is_package(out_dir):
            raise InputError(
                f"{out_dir.name}: "
                + tr(
                    "输出文件夹不是 baomi 数据包，--force 只替换数据包",
                    "the output folder is not a baomi package; --force replaces only a package",
                )
            )
    for path, what in (
        (opts.vault_path, tr("令牌库", "the token vault")),
        (opts.manifests_dir, tr("追踪记录", "the trace records")),
    ):
        if path is not None and (
            out_dir == (r := path.resolve()) or out_dir in r.parents or r in out_dir.parents
        ):
            raise InputError(
                what
                + tr(
                    "不能放在输出文件夹内（数据包会交给接收方）",
                    " must not be inside the output folder (the package goes to the recipient)",
                )
            )


def _is_package(folder: Path) -> bool:
    """Whether ``folder`` holds a package written by :func:`protect_paths`."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Rename the finished package into place (an existing one is replaced)."""
    try:
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(4)}"
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    except OSError as exc:
        raise StorageError(f"cannot move the package into place: {exc.strerror}") from None


def _manifest(
    run: _Run,
    files: tuple[ManifestFile, ...],
    package_id: str,
    now: _dt.datetime,
    opts: ProtectOptions,
    leaks: list[dict[str, Any]],
) -> Manifest:
    from baomi import __version__

    return Manifest(
        package_id=package_id,
        created=now.isoformat(timespec="seconds"),
        recipient=opts.recipient,
        tool=ToolInfo(name="baomi", version=__version__),
        policy=PolicyInfo(name=run.policy.name, sha256=run.policy.sha256),
        files=files,
        operators={k: tuple(sorted(v)) for k, v in sorted(run.operators_used.items())},
        k_anonymity=tuple(run.kanon),
        fingerprint=FingerprintInfo(
            scheme=fp.SCHEME, marks=run.policy.marks, recipient_keyed_values=bool(run.digests)
        ),
        verify=VerifyInfo(ran=opts.verify, leftover=sum(x["count"] for x in leaks)),
    )


def _write_record(run: _Run, manifest: Manifest, opts: ProtectOptions, now: _dt.datetime) -> Path:
    assert opts.manifests_dir is not None
    digests, modulus = fp.pack_digests(run.digests)
    record = TraceRecord(
        scheme=fp.SCHEME,
        package_id=manifest.package_id,
        recipient=opts.recipient or "",
        created=now.isoformat(timespec="seconds"),
        fingerprint=f"{run.fingerprint:016x}",
        digests=digests,
        digest_modulus=modulus,
        manifest=manifest,
    )
    opts.manifests_dir.mkdir(parents=True, exist_ok=True)
    return codec.dump(record, opts.manifests_dir / f"{manifest.package_id}.json")
