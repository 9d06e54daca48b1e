"""The emergency plan's steps as data (``playbook.yaml``): isolate, preserve evidence, restore from
backup, notify, review — each with its owning department and checklist."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from baomi.errors import ConfigError, InputError
from baomi.i18n import tr
from baomi.services.govern import departments


@dataclass(frozen=True)
class CheckItem:
    key: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return tr(self.zh, self.en)


@dataclass(frozen=True)
class StepSpec:
    step: str
    owner: str
    zh: str
    en: str
    checklist: tuple[CheckItem, ...]

    @property
    def title(self) -> str:
        return tr(self.zh, self.en)


@cache
def steps() -> tuple[StepSpec, ...]:
    """The plan's steps, in order."""
    doc = yaml.safe_load(
        (files("baomi.services.respond") / "playbook.yaml").read_text(encoding="utf-8")
    )
    out = []
    try:
        for entry in doc:
            out.append(
                StepSpec(
                    str(entry["step"]),
                    str(entry["owner"]),
                    str(entry["title"]["zh"]),
                    str(entry["title"]["en"]),
                    tuple(
                        CheckItem(str(i["key"]), str(i["zh"]), str(i["en"]))
                        for i in entry["checklist"]
                    ),
                )
            )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"playbook.yaml: malformed step ({exc})") from None
    return tuple(out)


#: The departments that own steps (the RACI's departments, services/govern/departments.py).
DEPARTMENTS = departments.DEPARTMENTS
department = departments.label


def spec(step: str) -> StepSpec:
    """The plan's step ``step`` (a name a user gave: :class:`InputError` when unknown)."""
    for s in steps():
        if s.step == step:
            return s
    raise InputError(tr(f"预案中没有步骤 {step}", f"the plan has no step {step}"))
