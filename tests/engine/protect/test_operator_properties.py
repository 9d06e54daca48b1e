"""The pipeline asks an operator what it does (its declared properties), never its name: a
third-party operator registered through the registry is treated by what it declares."""

from __future__ import annotations

import threading
import typing
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest

from baomi.engine.protect.fingerprint import extract_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.operators.keep import KeepOperator
from baomi.engine.protect.operators.redact import RedactOperator
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.params import OperatorParams, RedactParams
from baomi.engine.protect.policy import load_policy_text
from baomi.engine.protect.registry import OperatorRegistry, Property

PROPERTIES: tuple[Property, ...] = typing.get_args(Property)


def _declared(registry: OperatorRegistry, name: str) -> set[str]:
    return {p for p in PROPERTIES if registry.declares(name, p)}


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("mask", {"removes", "coarsens", "carries_marks", "thread_safe"}),
        ("generalize", {"removes", "coarsens", "carries_marks", "thread_safe"}),
        ("replace", {"removes", "carries_marks", "thread_safe"}),
        ("pseudonym", {"removes", "keeps_format", "thread_safe"}),
        ("fpe", {"removes", "keeps_format", "reversible", "thread_safe"}),
        ("tokenize", {"removes", "reversible", "needs_vault"}),
        ("keep", {"keeps_format", "thread_safe"}),
        ("redact", {"removes", "thread_safe"}),
        ("hash", {"removes", "thread_safe"}),
        ("suppress", {"removes", "thread_safe"}),
        ("analyze", set()),  # a manifest's free-text marker is no operator
    ],
)
def test_builtins_declare_what_they_do(name: str, declared: set[str]) -> None:
    assert _declared(OperatorRegistry.default(plugins=False), name) == declared


class StampOperator(Operator[OperatorParams]):
    """A customer's display operator: not thread-safe, marked like ``mask``."""

    name: ClassVar[str] = "stamp"
    params_type: ClassVar[type[OperatorParams]] = OperatorParams
    uses_entity: ClassVar[bool] = False
    carries_marks: ClassVar[bool] = True
    thread_safe: ClassVar[bool] = False
    threads: ClassVar[set[str]] = set()

    def apply(
        self, value: str, entity: str | None, params: OperatorParams, ctx: OperatorContext
    ) -> str:
        StampOperator.threads.add(threading.current_thread().name)
        return "已隐藏"


class PassOperator(KeepOperator):
    """A customer's ``keep`` under another name: removes nothing, keeps the format."""

    name: ClassVar[str] = "pass"


def test_a_registered_operator_is_treated_by_its_declarations(tmp_path: Path) -> None:
    registry = OperatorRegistry.default(plugins=False)
    registry.register(StampOperator())
    registry.register(PassOperator())
    assert _declared(registry, "stamp") == {"removes", "carries_marks"}
    policy = load_policy_text(
        "version: 1\nname: t\nentities:\n  CN_MOBILE: {operator: stamp}\n"
        "  EMAIL: {operator: pass}\ncolumns:\n  备注: {operator: stamp}\n"
        "fingerprint: {invisible: cells}\n",
        registry=registry,
    )
    assert policy.removes("CN_MOBILE", registry) and not policy.removes("EMAIL", registry)
    src = tmp_path / "in"
    src.mkdir()
    pl.DataFrame(
        {
            "手机": ["13812345678", "13912345678"],
            "邮箱": ["a@example.com", "b@example.com"],
            "备注": ["一", "二"],
            "城市": ["北京", "上海"],
        }
    ).write_csv(src / "c.csv")
    StampOperator.threads.clear()
    protect_paths(
        [src],
        policy,
        tmp_path / "out",
        keys=KeyProvider(b"test-master-key-0123456789abcdef"),
        options=ProtectOptions(recipient="甲", verify=True),
        operators=registry,
    )
    out = pl.read_csv(tmp_path / "out" / "c.csv")
    # carries_marks: the stamp's output holds the recipient's invisible marks (asked for)
    assert all(extract_marks(v) for v in out["手机"].to_list())
    # removes = False: the value stays, and --verify does not call it a leftover
    assert out["邮箱"].to_list() == ["a@example.com", "b@example.com"]
    # not thread-safe: run in the calling thread, never in the pipeline's pool
    assert StampOperator.threads == {threading.current_thread().name}


class ForgetOperator(RedactOperator):
    """A customer's operator that drops every record holding the value."""

    name: ClassVar[str] = "forget"

    def drops_record(self, params: RedactParams) -> bool:
        return True


def test_a_registered_operator_that_drops_records(tmp_path: Path) -> None:
    registry = OperatorRegistry.default(plugins=False)
    registry.register(ForgetOperator())
    policy = load_policy_text(
        "version: 1\nname: t\nentities:\n  CN_MOBILE: {operator: forget}\n", registry=registry
    )
    src = tmp_path / "in"
    src.mkdir()
    pl.DataFrame({"编号": ["A", "B", "C"], "手机": ["13812345678", "", "13912345678"]}).write_csv(
        src / "c.csv"
    )
    protect_paths([src], policy, tmp_path / "out", operators=registry)
    assert pl.read_csv(tmp_path / "out" / "c.csv")["编号"].to_list() == ["B"]
