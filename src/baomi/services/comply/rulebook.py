"""The legal rules the assessment applies, as data: one YAML file per area in ``rules/``.

Every rule carries the id it has in ``PIPL-RULES.md`` (e.g. ``PIPL-55``, ``XB16-7``), its source
and how far it is confirmed there (``status``):

- ``P`` full primary text read, ``S`` secondary text quoting the primary, ``S-art?`` number
  confirmed but not the article — these are settled and cannot be changed by configuration;
- ``D`` draft, ``U`` unconfirmed, ``A`` analysis — these are *configurable* (a site file may
  change their parameters) and every output that uses one says it is unconfirmed.

The assessment code never writes a threshold itself: it asks :func:`rules` for a rule and reads
its ``params``. A site file (``$BAOMI_HOME/rules.yaml`` or ``BAOMI_RULES_FILE``) overrides the
parameters of configurable rules::

    S393-D3:
      params: {unacceptable: high}

Overriding a settled rule is refused: the law does not change with a configuration file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from baomi.errors import ConfigError
from baomi.i18n import tr

#: Statuses of rules that may be applied as settled law.
SETTLED = frozenset({"P", "S", "S-art?"})
#: Statuses of rules that are configurable and must be said to be unconfirmed.
UNSETTLED = frozenset({"D", "U", "A"})
_REQUIRED = ("id", "source", "status", "title")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, where it comes from, how far it is confirmed, and its parameters."""

    id: str
    source: str
    status: str
    title_zh: str
    title_en: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: True when a site file changed a parameter
    overridden: bool = False

    @property
    def confirmed(self) -> bool:
        return self.status in SETTLED

    @property
    def title(self) -> str:
        return tr(self.title_zh, self.title_en)

    def param(self, name: str) -> Any:
        try:
            return self.params[name]
        except KeyError:
            raise ConfigError(
                tr(f"规则 {self.id} 没有参数 {name}", f"rule {self.id} has no parameter {name}")
            ) from None

    def label(self) -> str:
        """``PIPL-55`` or ``S393-D3（未确认 / unconfirmed）`` for outputs."""
        if self.confirmed:
            return self.id
        return self.id + tr("（未确认）", " (unconfirmed)")


@dataclass(frozen=True)
class RuleBook:
    rules: Mapping[str, Rule]

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise ConfigError(tr(f"没有规则 {rule_id}", f"no rule {rule_id}")) from None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)


def _parse(doc: Any, origin: str) -> list[Rule]:
    if not isinstance(doc, list):
        raise ConfigError(f"{origin}: expected a list of rules")
    out = []
    for entry in doc:
        if not isinstance(entry, dict) or any(k not in entry for k in _REQUIRED):
            raise ConfigError(f"{origin}: every rule needs {', '.join(_REQUIRED)}")
        status = str(entry["status"])
        if status not in SETTLED | UNSETTLED:
            raise ConfigError(f"{origin}: rule {entry['id']}: unknown status {status!r}")
        title = entry["title"]
        if not isinstance(title, dict) or "zh" not in title or "en" not in title:
            raise ConfigError(f"{origin}: rule {entry['id']}: title needs zh and en")
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{origin}: rule {entry['id']}: params must be a mapping")
        out.append(
            Rule(
                str(entry["id"]),
                str(entry["source"]),
                status,
                str(title["zh"]),
                str(title["en"]),
                MappingProxyType(dict(params)),
            )
        )
    return out


def _shipped() -> dict[str, Rule]:
    book: dict[str, Rule] = {}
    folder = files("baomi.services.comply") / "rules"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        for rule in _parse(yaml.safe_load(item.read_text(encoding="utf-8")), item.name):
            if rule.id in book:
                raise ConfigError(f"{item.name}: rule {rule.id} defined twice")
            book[rule.id] = rule
    return book


def _apply_site(book: dict[str, Rule], path: Path) -> None:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            tr(f"无法读取规则文件 {path}：{exc}", f"cannot read {path}: {exc}")
        ) from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping of rule id → params")
    for rule_id, change in doc.items():
        rule = book.get(str(rule_id))
        if rule is None:
            raise ConfigError(tr(f"{path}：没有规则 {rule_id}", f"{path}: no rule {rule_id}"))
        if rule.confirmed:
            raise ConfigError(
                tr(
                    f"{path}：规则 {rule_id} 已确认（{rule.status}），不能通过配置修改",
                    f"{path}: rule {rule_id} is settled ({rule.status}) and cannot be changed",
                )
            )
        params = (change or {}).get("params") if isinstance(change, dict) else None
        if not isinstance(params, dict):
            raise ConfigError(f"{path}: {rule_id}: expected params: {{…}}")
        unknown = set(params) - set(rule.params)
        if unknown:
            raise ConfigError(f"{path}: {rule_id}: unknown parameters {sorted(unknown)}")
        book[rule.id] = Rule(
            rule.id,
            rule.source,
            rule.status,
            rule.title_zh,
            rule.title_en,
            MappingProxyType({**rule.params, **params}),
            overridden=True,
        )


def site_file() -> Path | None:
    """The site's overrides: ``BAOMI_RULES_FILE``, else ``$BAOMI_HOME/rules.yaml`` if present."""
    explicit = os.environ.get("BAOMI_RULES_FILE")
    if explicit:
        return Path(explicit)
    candidate = Path(os.environ.get("BAOMI_HOME", "var")) / "rules.yaml"
    return candidate if candidate.is_file() else None


@cache
def _load(site: Path | None) -> RuleBook:
    book = _shipped()
    if site is not None:
        _apply_site(book, site)
    return RuleBook(MappingProxyType(book))


def rules(site: Path | None = None) -> RuleBook:
    """The rule book: the shipped rules with the site's overrides (:func:`site_file`)."""
    return _load(site if site is not None else site_file())
