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
import logging
import secrets
import shutil
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import ManifestFile
from baomi.engine.documents.files import HIDDEN_PREFIXES, iter_files
from baomi.engine.protect import canaries, renderings
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.images import remove_docx_objects
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.labels import protect_extras, protect_labels, remove_images
from baomi.engine.protect.manifest import _manifest, _sha256, _write_record
from baomi.engine.protect.names import PathNames
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.options import Progress, ProtectOptions, ProtectResult, VerifyError
from baomi.engine.protect.outdir import check_out_dir, swap_in
from baomi.engine.protect.plan import text_prefilter
from baomi.engine.protect.policy import Policy
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.tables import protect_table
from baomi.engine.protect.texts import documents_findings, protect_units
from baomi.engine.protect.tokens import TokenVault
from baomi.engine.protect.verify import Leftovers, scan_leftovers, verify_package
from baomi.engine.protect.writers import CONVERTED, INPUT_SUFFIXES, Document, load
from baomi.engine.readers.dispatch import READERS
from baomi.engine.readers.xlsx_parts import embedded_objects
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding
from baomi.errors import InputError, UnreadableFileError
from baomi.i18n import in_language, tr

log = logging.getLogger(__name__)


def collect_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every supported file under ``paths`` with its name in the package, by the document
    layer's one walker (:func:`baomi.engine.documents.files.iter_files`, as the scan names
    files), in path order; a path that does not exist is an error."""
    resolved = [p.resolve() for p in paths]
    for p in resolved:
        if not p.exists():
            raise InputError(f"{p.name}: " + tr("文件或文件夹不存在", "no such file or folder"))
    return list(iter_files(resolved, suffixes=INPUT_SUFFIXES, by_name=True))


def left_out(paths: Sequence[Path]) -> list[str]:
    """The names of the files under ``paths`` that the scan reads but protect cannot write
    (a PDF, an XLSM workbook): they are not in the package, and the user must know it."""
    resolved = [p.resolve() for p in paths]
    scanned = {name for _, name in iter_files(resolved, suffixes=tuple(READERS), by_name=True)}
    written = {name for _, name in iter_files(resolved, suffixes=INPUT_SUFFIXES, by_name=True)}
    return sorted(scanned - written)


def unsupported(paths: Sequence[Path]) -> list[str]:
    """The names of the files under ``paths`` of a format baomi neither scans nor writes (a
    WPS ``.wps``, an ``.xlsb``, an archive, a photo): not in the package, and the user must know
    it. Hidden files and Office's lock files (:data:`HIDDEN_PREFIXES`) are not documents."""
    resolved = [p.resolve() for p in paths]
    every = {
        name
        for _, name in iter_files(resolved, by_name=True)
        if not any(part.startswith(HIDDEN_PREFIXES) for part in name.split("/"))
    }
    read = {name for _, name in iter_files(resolved, suffixes=tuple(READERS), by_name=True)}
    return sorted(every - read)


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """An input that is not a file (a database table, ``baomi.databases.protect``): its name in the
    package, how to load it and the SHA-256 the manifest records as its source's."""

    name: str
    load: Callable[[], Document]
    sha256: Callable[[], str]


#: The entry of a file that could not be read (:func:`unreadable_entry`): left out, said why.
UNREADABLE = "unreadable"


def _unreadable(path: str, reason: str) -> dict[str, str]:
    """A file left out of the package, and why in this process's language (a Dask worker
    words it in its own: :class:`~baomi.i18n.Worded`)."""
    return {"path": path, "reason": in_language(reason)}


def unreadable_entry(exc: UnreadableFileError) -> dict[str, Any]:
    return {UNREADABLE: exc.reason}


#: Text documents (TXT, DOCX) in a row are loaded and their findings found together up to
#: about this many characters (:func:`~baomi.engine.protect.texts.documents_findings`).
DOCUMENT_BATCH_CHARS = 1 << 19
TEXT_FORMATS = (".txt", ".docx")


def protect_document(
    run: ProtectRun,
    doc: Document,
    rel: str,
    target: Path,
    found: dict[int, list[Finding]] | None = None,
) -> dict[str, Any]:
    """Protect the loaded ``doc`` into ``target`` (``rel``: its name in the package); its
    manifest entry without the hashes (``source_sha256``, ``output_sha256``). ``found``: a
    text document's findings by unit, found already."""
    entry: dict[str, Any] = {
        "path": rel,
        "kind": doc.kind,
        "format": doc.format,
        "encoding": doc.encoding,
    }
    if doc.kind == "table":
        rows_ok = doc.format in canaries.FORMATS  # writers that add rows in order
        entry["tables"] = [protect_table(run, t, rel, rows_ok) for t in doc.tables]
        protect_labels(run, doc, entry["tables"])
    else:
        entry.update(protect_units(run, doc, found))
        if doc.undecodable_units:
            entry["undecodable_units"] = doc.undecodable_units
    changed = protect_extras(run, doc)
    if changed:
        entry["extras_changed"] = changed
    if images := remove_images(run, doc):
        entry["images_removed"] = images
    if doc.source_format is not None:
        entry["converted_from"] = doc.source_format
    elif doc.format == "xlsx" and (embedded := _embedded(doc.path)):
        entry["embedded_left_out"] = embedded
    if doc.format == "docx" and (embedded := remove_docx_objects(doc.state[0])):
        entry["embedded_left_out"] = embedded
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(target)
    return entry


def _embedded(path: Path) -> list[str]:
    """A workbook's embedded objects (from the zip's directory): the package leaves them out,
    as openpyxl does not write them, and the manifest names them."""
    with zipfile.ZipFile(path) as zf:
        return embedded_objects(zf)


def protect_file(run: ProtectRun, src: Path, rel: str, target: Path) -> dict[str, Any]:
    """Protect one file ``src`` into ``target``: :func:`protect_document` of the file loaded."""
    return protect_document(run, load(src), rel, target)


def _protected_files(
    run: ProtectRun, jobs: Sequence[tuple[Path, str, Path]]
) -> Iterator[dict[str, Any]]:
    """:func:`protect_file` of each job ``(source, name, target)`` in order; text documents in
    a row loaded a batch at a time and their findings found together."""
    batch: list[tuple[Document, str, Path]] = []
    size = 0

    def flush() -> Iterator[dict[str, Any]]:
        nonlocal size
        found = documents_findings(run, [doc for doc, _, _ in batch])
        for (doc, rel, target), by_unit in zip(batch, found, strict=True):
            yield protect_document(run, doc, rel, target, by_unit)
        batch.clear()
        size = 0

    for src, rel, target in jobs:
        if src.suffix.lower() not in TEXT_FORMATS:
            yield from flush()
            try:
                yield protect_file(run, src, rel, target)
            except UnreadableFileError as exc:  # the scan reads past it: so does protect
                yield unreadable_entry(exc)
            continue
        try:
            doc = load(src)
        except UnreadableFileError as exc:
            yield from flush()
            yield unreadable_entry(exc)
            continue
        if doc.kind == "table":
            yield from flush()
            yield protect_document(run, doc, rel, target)
            continue
        batch.append((doc, rel, target))
        size += sum(len(u) for u in doc.units)
        if size >= DOCUMENT_BATCH_CHARS:
            yield from flush()
    yield from flush()


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
    documents: Sequence[DocumentSource] = (),
) -> ProtectResult:
    """Protect ``paths`` (and ``documents``) into ``out_dir`` (see the module docstring); with
    ``options.engine`` the files are protected there (the names, manifest, vault, ``documents``
    and ``--verify`` stay here)."""
    opts = options or ProtectOptions()
    out_dir = out_dir.resolve()
    check_out_dir(out_dir, paths, opts)
    files = collect_files(paths)
    skipped = left_out(paths)
    other = unsupported(paths)
    if not files and not documents and skipped:
        raise InputError(
            tr(
                f"没有可去标识化的文件：{', '.join(skipped[:3])} 的格式只能扫描，不能写入数据包",
                f"nothing to protect: {', '.join(skipped[:3])} can be scanned, not written to a "
                "package",
            )
        )
    if not files and not documents and other:
        raise InputError(
            tr(
                f"没有可去标识化的文件：{', '.join(other[:3])} 的格式不受支持",
                f"nothing to protect: {', '.join(other[:3])} is of a format baomi does not read",
            )
        )
    registry = registry or Registry.default()
    operators = operators or OperatorRegistry.default()
    vault = None
    uses_tokens = any(
        operators.declares(r.operator, "needs_vault")
        for r in (*policy.entities.values(), *policy.columns.values())
    )
    if uses_tokens and keys is not None:
        vpath = opts.vault_path or out_dir.parent / f"{out_dir.name}.tokens.vault"
        # tokens are recipient-keyed: the same value gets another token in another recipient's
        # package, so a leaked token names its package (the trace record keeps digests)
        token_key = keys.key("token", "tokens", opts.recipient)
        vault = TokenVault(vpath, keys.key("vault", "tokens"), token_key)
    ctx = OperatorContext(
        keys=keys, recipient=opts.recipient, vault=vault, base_dir=policy.base_dir
    )
    run = ProtectRun(
        policy,
        registry,
        operators,
        ctx,
        TextAnalyzer(registry),
        secrets.randbits(fp.FP_BITS),
        text_prefilter(registry),
        collect_originals=opts.verify,
        marks_key=secrets.token_bytes(renderings.KEY_BYTES),
    )
    package_id = secrets.token_hex(8)
    now = opts.now or _dt.datetime.now(_dt.UTC)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{package_id}"
    entries: list[dict[str, Any]] = []
    unreadable: list[dict[str, str]] = []
    shown_of = dict(files)
    try:
        tmp.mkdir(parents=True)
        names = PathNames(run)
        engine = opts.engine
        total = len(files) + len(documents)
        jobs = _jobs(names, files, tmp)
        if engine is None:
            for i, ((src, rel, target), entry) in enumerate(
                zip(jobs, _protected_files(run, jobs), strict=True)
            ):
                if progress:
                    progress(rel, i, total)
                if UNREADABLE in entry:
                    unreadable.append(_unreadable(shown_of[src], entry[UNREADABLE]))
                    continue
                entries.append(_hashed(entry, _sha256(src), target))
        else:
            for i, ((src, rel, target), entry) in enumerate(
                zip(jobs, engine.protect_files(run, jobs), strict=True)
            ):
                if progress:
                    progress(rel, i, total)
                if UNREADABLE in entry:
                    unreadable.append(_unreadable(shown_of[src], entry[UNREADABLE]))
                    continue
                entries.append(_hashed(entry, _sha256(src), target))
        for i, source in enumerate(documents, start=len(files)):
            rel = names.protect(source.name, labels=True)  # a database's SCHEMA.TABLE
            if progress:
                progress(rel, i, total)
            entry = protect_document(run, source.load(), rel, tmp / rel)
            entries.append(_hashed(entry, source.sha256(), tmp / rel))
        if progress:
            progress("", total, total)
        if not entries and unreadable and not documents:  # nothing could be read
            raise UnreadableFileError(unreadable[0]["path"], unreadable[0]["reason"])
        listed = tuple(codec.from_dict(ManifestFile, e) for e in entries)
        checked = Leftovers()
        if opts.verify:
            checked = verify_package(
                tmp,
                listed,
                run.originals,
                run.analyzer,
                policy,
                run.prefilter,
                run.produced,
                run.operators,
                run.model_only,
                run.written,
            )
            leaks = checked.leaks or scan_leftovers(tmp, listed, policy, run.operators)
            if leaks:
                raise VerifyError(leaks)
        manifest = _manifest(run, listed, package_id, now, opts, checked.unconfirmed)
        codec.dump(manifest, tmp / "manifest.json")
        if vault is not None:
            vault.save()
        swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    record_path = None
    if opts.manifests_dir is not None:
        record_path = _write_record(run, manifest, opts, now)
    log.info("protected %d file(s) into %s (package %s)", len(entries), out_dir.name, package_id)
    return ProtectResult(
        out_dir, manifest, record_path, [], checked.unconfirmed, skipped, unreadable, other
    )


def _jobs(
    names: PathNames, files: Sequence[tuple[Path, str]], tmp: Path
) -> list[tuple[Path, str, Path]]:
    """(source, name in the package, where it is written) of each file, in order. A file
    written in another format takes that format's suffix (``客户.xls`` → ``客户.xlsx``), named
    after the others so that a file that has the name already keeps it (``客户~2.xlsx``)."""
    rels: dict[int, str] = {}
    converted = [i for i, (src, _) in enumerate(files) if src.suffix.lower() in CONVERTED]
    for i, (_, name) in enumerate(files):
        if i not in converted:
            rels[i] = names.protect(name)
    for i in converted:
        name = files[i][1]
        stem, dot, suffix = name.rpartition(".")
        rels[i] = names.protect(stem + CONVERTED[dot + suffix.lower()])
    return [(src, rels[i], tmp / rels[i]) for i, (src, _) in enumerate(files)]


def _hashed(entry: dict[str, Any], source_sha256: str, target: Path) -> dict[str, Any]:
    """``entry`` with the input's and output's SHA-256 (in the manifest's key order)."""
    head = {k: entry[k] for k in ("path", "kind", "format", "encoding")}
    rest = {k: v for k, v in entry.items() if k not in head}
    return {**head, "source_sha256": source_sha256, **rest, "output_sha256": _sha256(target)}


__all__ = [
    "DocumentSource",
    "ProtectOptions",
    "ProtectResult",
    "VerifyError",
    "collect_files",
    "protect_paths",
]
