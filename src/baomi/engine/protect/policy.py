"""Protect policies: YAML, validated with pydantic, errors that name the line.

A policy says which operator protects each entity (``entities:``) and, overriding that, each
column by header (``columns:``); which columns are quasi-identifiers and the k-anonymity /
l-diversity / risk targets they must reach (``quasi_identifiers:``, GB/T 37964-2019 Annex B);
and whether packages carry invisible recipient marks (``fingerprint:``). Keys are never part of
a policy: operators name a ``key_id`` that the key provider (key file or environment variable)
resolves.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from baomi.engine.entities import ENTITIES
from baomi.engine.protect.params import TOKEN_PREFIX, OperatorParams, ParamError, TokenizeParams
from baomi.engine.protect.registry import OperatorRegistry
from baomi.errors import PolicyError
from baomi.i18n import os_reason, tr

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
#: GB/T 37964-2019 Annex B (S379-B2): controlled sharing → average risk ≤ 0.33 (classes of 3
#: or more); public release → maximum risk. 0.05 (classes of 20) for public release is baomi's
#: default, not a number from the standard.
CONTROLLED_AVERAGE_RISK = 0.33
CONTROLLED_K = 3
PUBLIC_MAX_RISK = 0.05


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuasiIdentifierSpec(_Strict):
    columns: list[str] = Field(min_length=1)
    hierarchies: dict[str, str] = {}
    sensitive: list[str] = []
    release: Literal["controlled", "public"] = "controlled"
    k: int | None = Field(default=None, ge=1)
    l: int = Field(default=1, ge=1)  # noqa: E741 - the model's name
    max_risk: float | None = Field(default=None, gt=0, le=1)
    average_risk: float | None = Field(default=None, gt=0, le=1)
    suppression_limit: float = Field(default=0.05, ge=0, le=1)
    suppress: Literal["star", "drop"] = "star"
    #: "local": records the optimal transformation would suppress are generalised again on
    #: their own (ARX's local recoding); "global": one set of levels for every record.
    recoding: Literal["local", "global"] = "local"


class FingerprintSpec(_Strict):
    #: Per-recipient marks in the values themselves (``renderings.py``: the rendering of each
    #: masked value) and, where ``invisible`` says, zero-width marks as an extra.
    marks: bool = True
    #: Zero-width marks (an extra, never the only evidence): ``none``, ``text`` (default: TXT
    #: lines and DOCX paragraphs outside tables), ``cells`` (also every table cell, which
    #: changes the buyer's values: joins and de-duplication on them break).
    invisible: Literal["none", "text", "cells"] = "text"
    #: Synthetic, well-formed customers added to each CSV/TSV/XLSX table with a mobile and a
    #: resident-ID column, unique to the recipient and listed in the trace record; never real
    #: people. A disclosure the NDA should mention (docs/protect.md "Canary records").
    canaries: int = Field(default=0, ge=0, le=100)


class PolicySpec(_Strict):
    version: Literal[1] = 1
    name: str = "policy"
    description: str = ""
    entities: dict[str, dict[str, Any]] = {}
    columns: dict[str, dict[str, Any]] = {}
    quasi_identifiers: QuasiIdentifierSpec | None = None
    fingerprint: FingerprintSpec = FingerprintSpec()
    #: Share of sampled cells that must be one entity for a column to be classified as it.
    column_share: float = Field(default=0.6, gt=0, le=1)
    #: Pictures in workbooks and Word files (an ID card's photo, a signature): ``remove``
    #: (default) leaves them out of the package, ``keep`` ships them unread (``images.py``).
    images: Literal["remove", "keep"] = "remove"


@dataclass(frozen=True, slots=True)
class Rule:
    """One operator with its typed parameters; ``entity`` names what a column holds."""

    operator: str
    params: OperatorParams
    entity: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy."""

    name: str
    entities: Mapping[str, Rule]
    columns: Mapping[str, Rule]
    quasi_identifiers: QuasiIdentifierSpec | None
    marks: bool
    column_share: float
    sha256: str
    base_dir: str = "."
    invisible: Literal["none", "text", "cells"] = "text"
    canaries: int = 0
    images: Literal["remove", "keep"] = "remove"

    def rule_for_entity(self, entity: str) -> Rule | None:
        return self.entities.get(entity)

    def removes(self, entity: str, operators: OperatorRegistry | None = None) -> bool:
        """True when the policy de-identifies ``entity``: its operator declares ``removes``
        (anything but ``keep``)."""
        rule = self.entities.get(entity)
        if rule is None:
            return False
        return (operators or OperatorRegistry.default()).declares(rule.operator, "removes")


#: Entities added after policies were written, and the entity whose rule a policy that does
#: not name them applies: a policy written before phone numbers of other countries were found
#: treats them as it treats mobile numbers (they were left in the package when it had no rule).
ENTITY_FALLBACKS: dict[str, str] = {
    "PHONE_NUMBER": "CN_MOBILE",
    "HK_ID": "CN_RESIDENT_ID",
    "TW_ID": "CN_RESIDENT_ID",
    "MO_ID": "CN_RESIDENT_ID",
    "PASSPORT": "CN_PASSPORT",
}


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _PolicyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (YAML itself keeps the last silently) and
    keeps dates as text (``as_of: 2025-01-01`` is validated as an ISO date by the operator's
    parameters, and a wrong date is a policy error, not a crash)."""


_PolicyLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _PolicyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        line = key_node.start_mark.line + 1
        if isinstance(key, str | int | float | bool) and key in seen:
            raise _DuplicateKey(str(key), line, seen[key])
        if isinstance(key, str | int | float | bool):
            seen[key] = line
    return loader.construct_mapping(node, deep=True)


_PolicyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_map(text: str) -> dict[tuple[str | int, ...], int]:
    """1-based line of every mapping key / sequence item, by path."""
    lines: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=_PolicyLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = (str(k.value),)
                lines[path + key] = k.start_mark.line + 1
                walk(v, path + key)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _line_of(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _err(source: str, line: int | None, where: str, msg: str) -> PolicyError:
    at = f"{source}:{line}" if line else source
    return PolicyError(f"{at}: {where}: {msg}" if where else f"{at}: {msg}")


def _compile_rule(
    raw: dict[str, Any],
    loc: tuple[str | int, ...],
    registry: OperatorRegistry,
    lines: dict[tuple[str | int, ...], int],
    source: str,
    column: bool,
) -> Rule:
    where = ".".join(str(p) for p in loc)
    if not isinstance(raw, dict):
        raise _err(source, _line_of(lines, loc), where, "expected a mapping with `operator:`")
    body = dict(raw)
    entity = body.pop("entity", None)
    if entity is not None and entity not in ENTITIES:
        raise _err(source, _line_of(lines, (*loc, "entity")), where, f"unknown entity {entity!r}")
    operator = body.pop("operator", None)
    if operator is None and column and entity is not None:
        return Rule("", OperatorParams(), entity)  # use the entity's rule
    if operator not in registry:
        raise _err(
            source,
            _line_of(lines, (*loc, "operator")),
            where,
            f"unknown operator {operator!r}; choose one of {', '.join(registry.names)}",
        )
    params_type = registry.get(operator).params_type
    fields = {f.name for f in dataclasses.fields(params_type)}
    for name in body:
        if name not in fields:
            hint = (
                " (keys never go in a policy: use key_id and --key-file)" if "key" in name else ""
            )
            raise _err(
                source,
                _line_of(lines, (*loc, name)),
                where,
                f"unknown parameter {name!r} for {operator}{hint}",
            )
    key_id = body.get("key_id")
    if key_id is not None and not (isinstance(key_id, str) and _KEY_ID.match(key_id)):
        raise _err(
            source,
            _line_of(lines, (*loc, "key_id")),
            where,
            "key_id must be a short name (letters, digits, _ . -), never key material",
        )
    try:
        params = TypeAdapter(params_type).validate_python(body, strict=False)
    except ValidationError as exc:
        first = exc.errors()[0]
        ploc = (*loc, *first["loc"])
        msg = first["msg"]
        error = first.get("ctx", {}).get("error")
        if isinstance(error, ParamError):  # fields that must go together: point at one
            ploc, msg = (*loc, error.field), str(error)
        raise _err(source, _line_of(lines, ploc), ".".join(map(str, ploc)), msg) from None
    if isinstance(params, TokenizeParams) and not TOKEN_PREFIX.fullmatch(params.prefix):
        raise _err(
            source,
            _line_of(lines, (*loc, "prefix")),
            f"{where}.prefix",
            tr(
                "令牌前缀须为 1–16 个字母或数字（不含 _、空格或标点），如 TKN、tk、客户",
                "token prefix must be 1-16 letters or digits (no _, spaces or punctuation), "
                "e.g. TKN, tk or 客户",
            ),
        )
    return Rule(operator, params, entity)


def load_policy_text(
    text: str,
    source: str = "policy.yaml",
    registry: OperatorRegistry | None = None,
    base_dir: str = ".",
) -> Policy:
    """Validate a policy; :class:`PolicyError` names the file and line of the first problem."""
    registry = registry or OperatorRegistry.default()
    lines = _line_map(text)
    try:
        data = yaml.load(text, Loader=_PolicyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise _err(source, line, "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except _DuplicateKey as dup:
        raise _err(
            source,
            dup.line,
            "",
            tr(
                f"重复的键 {dup.key!r}（第 {dup.first} 行已有）",
                f"duplicate key {dup.key!r} (already on line {dup.first})",
            ),
        ) from None
    if not isinstance(data, dict):
        raise _err(source, 1, "", tr("策略须为 YAML 映射（键: 值）", "a policy is a YAML mapping"))
    try:
        spec = PolicySpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise _err(source, _line_of(lines, loc), ".".join(map(str, loc)), first["msg"]) from None
    entities: dict[str, Rule] = {}
    for name, raw in spec.entities.items():
        if name not in ENTITIES:
            raise _err(
                source, _line_of(lines, ("entities", name)), f"entities.{name}", "unknown entity"
            )
        entities[name] = _compile_rule(raw, ("entities", name), registry, lines, source, False)
    for newer, like in ENTITY_FALLBACKS.items():
        if newer not in entities and like in entities:
            entities[newer] = entities[like]
    columns = {
        name: _compile_rule(raw, ("columns", name), registry, lines, source, True)
        for name, raw in spec.columns.items()
    }
    canonical = json.dumps(_canonical(spec), sort_keys=True, ensure_ascii=False)
    return Policy(
        name=spec.name,
        entities=entities,
        columns=columns,
        quasi_identifiers=spec.quasi_identifiers,
        marks=spec.fingerprint.marks,
        column_share=spec.column_share,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        base_dir=base_dir,
        invisible=spec.fingerprint.invisible,
        canaries=spec.fingerprint.canaries,
        images=spec.images,
    )


#: Fingerprint keys added after policies were first hashed: left out of the hash at their
#: default, so a policy written before them keeps its SHA-256 (manifests compare it).
_LATER_FINGERPRINT_KEYS = ("invisible", "canaries")


def _canonical(spec: PolicySpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    defaults = FingerprintSpec().model_dump(mode="json")
    for key in _LATER_FINGERPRINT_KEYS:
        if data["fingerprint"].get(key) == defaults[key]:
            del data["fingerprint"][key]
    if data.get("images") == "remove":  # added later: a policy before it keeps its hash
        del data["images"]
    return data


def load_policy(path: str | Path, registry: OperatorRegistry | None = None) -> Policy:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        reason = os_reason(exc)
        raise PolicyError(
            tr(f"无法读取策略文件 {p}：{reason}", f"cannot read the policy file {p}: {reason}")
        ) from None
    text = None
    # GB 18030: a Windows editor's Chinese text, also behind a UTF-8 mark it put in front
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise PolicyError(
            f"{p.name}: "
            + tr(
                "策略文件不是文本（须为 UTF-8 或 GB18030 编码的 YAML）",
                "the policy is not text (YAML in UTF-8 or GB 18030)",
            )
        )
    return load_policy_text(text, source=p.name, registry=registry, base_dir=str(p.parent))


DEFAULT_POLICY = """\
# baomi 去标识化策略 / de-identification policy (PIPL-73; GB/T 37964-2019)
# 每个直接标识符都被处理 / every direct identifier is de-identified.
# 密钥不写在策略里: key_id 由 --key-file 或 BAOMI_PROTECT_KEY 解析 / keys never go here.
version: 1
name: default
entities:
  CN_RESIDENT_ID: {operator: mask}        # 110105********002X  (joins: operator: pseudonym)
  CN_MOBILE: {operator: mask}             # 138****5678
  CN_LANDLINE: {operator: mask}           # 010-******78
  PHONE_NUMBER: {operator: mask}          # +852 **** 4567 (其他国家或地区 / abroad)
  EMAIL: {operator: mask}                 # a***@example.com
  BANK_CARD: {operator: mask}             # ***************0123
  CN_PASSPORT: {operator: mask}
  PASSPORT: {operator: mask}              # C*******7  其他国家或地区护照 / passport abroad
  CN_HMT_PERMIT: {operator: mask}
  HK_ID: {operator: mask}                 # A123***(*)  香港身份证 / Hong Kong ID card
  TW_ID: {operator: mask}                 # A12*****89  台湾身份证 / Taiwan ID card
  MO_ID: {operator: mask}                 # 123****(*)  澳门身份证 / Macao ID card
  CN_USCC: {operator: mask}               # sole proprietors' codes are PI
  CN_LICENSE_PLATE: {operator: mask}
  PERSON_NAME: {operator: mask}           # 张*明 / 王*
  ADDRESS: {operator: mask}               # 广东省深圳市南山区****
  IP_ADDRESS: {operator: mask}
  DATE_OF_BIRTH: {operator: generalize, to: age_band, width: 10}
  ORGANIZATION: {operator: keep}          # company names are needed in due diligence
# 按列覆盖 / per column, by header:
# columns:
#   客户编号: {operator: pseudonym}
#   出生日期: {operator: generalize, to: age_band}
# 准标识符与 k-匿名 / quasi-identifiers and k-anonymity (GB/T 37964 Annex B):
# quasi_identifiers:
#   columns: [年龄, 性别, 城市]
#   release: controlled      # average risk <= 0.33; public: maximum risk
#   suppression_limit: 0.05
#   recoding: local          # outliers generalised again instead of suppressed; or global
fingerprint:
  marks: true                             # per-recipient renderings of masked values
  # invisible: text                       # zero-width extras: none | text | cells
  # canaries: 0                           # synthetic customers per table (tell the NDA)
# 图片（身份证照片、签名）不能扫描，默认不放入数据包 / pictures cannot be scanned: left out
# images: remove                          # remove | keep
"""
