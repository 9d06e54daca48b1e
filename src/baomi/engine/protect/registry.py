"""The operator registry: one tuple of built-ins, and ``register`` for a customer's own.

Operators are looked up by name (``mask``, ``pseudonym`` ...); built-ins go through the same
:meth:`OperatorRegistry.register` path as third-party operators (entry-point group
``baomi.operators``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any, Literal

from baomi.engine.protect.operators.base import Operator

#: The built-in operators ("module:Class"): the single list of them.
BUILTIN_OPERATORS: tuple[str, ...] = (
    "baomi.engine.protect.operators.mask:MaskOperator",
    "baomi.engine.protect.operators.pseudonym:PseudonymOperator",
    "baomi.engine.protect.operators.fpe:FpeOperator",
    "baomi.engine.protect.operators.tokenize:TokenizeOperator",
    "baomi.engine.protect.operators.generalize:GeneralizeOperator",
    "baomi.engine.protect.operators.redact:RedactOperator",
    "baomi.engine.protect.operators.replace:ReplaceOperator",
    "baomi.engine.protect.operators.hash:HashOperator",
    "baomi.engine.protect.operators.suppress:SuppressOperator",
    "baomi.engine.protect.operators.keep:KeepOperator",
)

ENTRY_POINT_GROUP = "baomi.operators"

#: The properties an operator declares (class attributes of :class:`Operator`).
Property = Literal[
    "reversible",
    "removes",
    "keeps_format",
    "coarsens",
    "carries_marks",
    "thread_safe",
    "needs_vault",
]


def _load(spec: str) -> Operator[Any]:
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Operator)):
        raise TypeError(f"{spec} is not an Operator subclass")
    return cls()


class OperatorRegistry:
    """Operators by name."""

    def __init__(self) -> None:
        self._items: dict[str, Operator[Any]] = {}

    @classmethod
    def default(cls, *, plugins: bool = True) -> OperatorRegistry:
        reg = cls()
        for spec in BUILTIN_OPERATORS:
            reg.register(_load(spec))
        if plugins:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                reg.register(ep.load()())
        return reg

    def register(self, operator: Operator[Any]) -> None:
        if not isinstance(operator, Operator):
            raise TypeError("register() takes an Operator instance")
        self._items[operator.name] = operator

    def get(self, name: str) -> Operator[Any]:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown operator {name!r}") from None

    def declares(self, name: str | None, prop: Property) -> bool:
        """Whether the operator ``name`` declares ``prop``: the one way the pipeline asks what
        an operator does. False for a name that is not an operator (``analyze`` in a manifest,
        a column without a rule)."""
        operator = self._items.get(name or "")
        return operator is not None and bool(getattr(operator, prop))

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[Operator[Any]]:
        return iter(self._items.values())

    @property
    def names(self) -> list[str]:
        return list(self._items)
