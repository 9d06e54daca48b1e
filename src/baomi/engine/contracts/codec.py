"""The one way contracts go to and from JSON: ``to_json``/``dump`` and ``from_json``/``load``.

Each contract has its layout (:data:`_LAYOUT`): ``inventory.json`` and ``manifest.json`` are
indented by two, the trace record is one line, a finding is one compact line of
``findings.jsonl``; all keep non-ASCII text as it is (``ensure_ascii=False``). Keys are written
in the dataclass's field order, so the bytes are those the scan and protect always wrote, and a
file of an earlier version read and written again is unchanged (``tests/engine/contracts``).

Reading checks each value's type against the dataclass and the version (``version``,
``format``, ``kind``): a later or foreign file is :class:`ContractError`, never half-read.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from baomi.engine.contracts.finding import FindingRecord
from baomi.engine.contracts.inventory import INVENTORY_VERSION, Inventory
from baomi.engine.contracts.manifest import MANIFEST_FORMAT, Manifest
from baomi.engine.contracts.trace_record import RECORD_KIND, TRACE_RECORD_VERSION, TraceRecord
from baomi.errors import InputError

T = TypeVar("T")
Contract = Inventory | Manifest | TraceRecord | FindingRecord
C = TypeVar("C", Inventory, Manifest, TraceRecord, FindingRecord)

_LAYOUT: dict[type[Any], dict[str, Any]] = {
    Inventory: {"indent": 2},
    Manifest: {"indent": 2},
    TraceRecord: {},
    FindingRecord: {"separators": (",", ":")},
}


class ContractError(InputError):
    """Raised when a file is not the contract it should be: not JSON, a key missing, a value of
    the wrong type, or a version this baomi does not read. The message names the key."""


# --- writing -----------------------------------------------------------------------------


def to_dict(obj: Any) -> dict[str, Any]:
    """A contract as plain JSON data, keys in the order written."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        omit = f.metadata.get("omit")
        if (omit == "none" and value is None) or (omit == "default" and value == f.default):
            continue
        if f.metadata.get("flatten"):
            out.update(to_dict(value))
        else:
            out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_json(obj: Contract) -> str:
    """The contract's JSON text, as written to its file (a finding: one line, no newline)."""
    return json.dumps(to_dict(obj), ensure_ascii=False, **_LAYOUT[type(obj)])


def dump(obj: Inventory | Manifest | TraceRecord, path: Path) -> Path:
    """Write ``obj`` to ``path`` atomically: a temporary name beside it, then a rename."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(to_json(obj), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def findings_lines(records: Iterable[FindingRecord]) -> str:
    """``findings.jsonl`` text for ``records``: one line each, newline-terminated."""
    return "".join(to_json(r) + "\n" for r in records)


# --- reading -----------------------------------------------------------------------------


def from_dict(cls: type[T], data: object, where: str = "") -> T:
    """Build the dataclass ``cls`` from JSON data, checking every value's type."""
    if not isinstance(data, dict):
        raise ContractError(f"{where or cls.__name__}: " + "expected an object")
    hints = _hints(typing.cast(Any, cls))
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        key = f"{where}.{f.name}" if where else f.name
        if f.metadata.get("flatten"):
            inner = _non_none(hints[f.name])
            if fields(inner)[0].name in data:
                kwargs[f.name] = from_dict(inner, data, where)
            elif not _has_default(f):
                raise ContractError(f"{where or cls.__name__}: {fields(inner)[0].name} missing")
            continue
        if f.name not in data:
            if _has_default(f):
                continue
            raise ContractError(f"{key}: missing")
        kwargs[f.name] = _value(hints[f.name], data[f.name], key)
    return cls(**kwargs)


@functools.cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _has_default(f: Field[Any]) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def _non_none(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if args else tp


def _value(tp: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        for option in options[:-1]:  # int | str: the first that fits
            with contextlib.suppress(ContractError):
                return _value(option, value, key)
        return _value(options[-1], value, key)
    if is_dataclass(tp):
        return from_dict(tp, value, key)  # type: ignore[arg-type]
    if origin is tuple:
        if not isinstance(value, list):
            raise ContractError(f"{key}: expected a list")
        return tuple(_value(args[0], v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise ContractError(f"{key}: expected an object")
        return {str(k): _value(args[1], v, f"{key}.{k}") for k, v in value.items()}
    ok = {
        str: lambda v: isinstance(v, str),
        bool: lambda v: isinstance(v, bool),
        int: lambda v: isinstance(v, int) and not isinstance(v, bool),
        float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }[tp](value)
    if not ok:
        raise ContractError(f"{key}: expected {tp.__name__}, not {type(value).__name__}")
    return value


def _parse(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(f"{what}: not JSON ({exc.msg}, line {exc.lineno})") from None


def inventory_from_json(text: str) -> Inventory:
    data = _parse(text, "inventory")
    version = data.get("version", 1) if isinstance(data, dict) else None
    if isinstance(version, int) and version > INVENTORY_VERSION:
        raise ContractError(
            f"inventory version {version}: this baomi reads up to {INVENTORY_VERSION}"
        )
    return from_dict(Inventory, data)


def manifest_from_json(text: str) -> Manifest:
    data = _parse(text, "manifest")
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt != MANIFEST_FORMAT:
        raise ContractError(f"manifest format {fmt!r}: this baomi reads {MANIFEST_FORMAT!r}")
    return from_dict(Manifest, data)


def trace_record_from_json(text: str) -> TraceRecord:
    return trace_record_from_data(_parse(text, "trace record"))


def trace_record_from_data(data: object) -> TraceRecord:
    """A trace record from parsed JSON (a folder's files are parsed to tell records apart)."""
    if not isinstance(data, dict) or data.get("kind") != RECORD_KIND:
        raise ContractError("not a trace record")
    version = data.get("version", 1)
    if isinstance(version, int) and version > TRACE_RECORD_VERSION:
        raise ContractError(
            f"trace record version {version}: this baomi reads up to {TRACE_RECORD_VERSION}"
        )
    return from_dict(TraceRecord, data)


def finding_from_json(line: str) -> FindingRecord:
    return from_dict(FindingRecord, _parse(line, "finding"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContractError(f"{path.name}: not UTF-8 text") from None


def load_inventory(path: Path) -> Inventory:
    return inventory_from_json(_read(path))


def load_manifest(path: Path) -> Manifest:
    return manifest_from_json(_read(path))


def load_trace_record(path: Path) -> TraceRecord:
    return trace_record_from_json(_read(path))


_READERS: dict[type[Any], Any] = {
    Inventory: inventory_from_json,
    Manifest: manifest_from_json,
    TraceRecord: trace_record_from_json,
    FindingRecord: finding_from_json,
}


def from_json(cls: type[C], text: str) -> C:
    """The contract ``cls`` (``Inventory``, ``Manifest``, ``TraceRecord``, ``FindingRecord``)
    from its JSON text, version checked."""
    reader = _READERS.get(cls)
    if reader is None:
        raise TypeError(f"{cls.__name__} is not a contract")
    result: C = reader(text)
    return result


def load(cls: type[C], path: Path) -> C:
    """The contract ``cls`` from its file (``findings.jsonl``: :func:`iter_findings`)."""
    return from_json(cls, _read(path))


def iter_findings(path: Path) -> Iterator[FindingRecord]:
    """The records of a ``findings.jsonl``, one at a time (the file may be large)."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield finding_from_json(line)
                except ContractError as exc:
                    raise ContractError(f"{path.name} line {number}: {exc}") from None


__all__ = [
    "ContractError",
    "dump",
    "finding_from_json",
    "findings_lines",
    "from_dict",
    "from_json",
    "inventory_from_json",
    "iter_findings",
    "load",
    "load_inventory",
    "load_manifest",
    "load_trace_record",
    "manifest_from_json",
    "to_dict",
    "to_json",
    "trace_record_from_data",
    "trace_record_from_json",
]
