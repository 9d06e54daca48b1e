"""Reading refuses what is not the contract (naming the key), and a later version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baomi.engine.contracts import codec
from baomi.engine.contracts.codec import ContractError
from baomi.engine.contracts.finding import FindingExplanation, FindingRecord
from baomi.engine.contracts.inventory import Inventory
from baomi.engine.contracts.manifest import Manifest
from baomi.engine.contracts.trace_record import TRACE_RECORD_VERSION, TraceRecord

V1 = Path(__file__).parent / "fixtures" / "v1"


def _inventory() -> dict[str, object]:
    data: dict[str, object] = json.loads((V1 / "inventory.json").read_text(encoding="utf-8"))
    return data


def test_a_later_inventory_version_is_refused() -> None:
    data = _inventory() | {"version": 2}
    with pytest.raises(ContractError, match="version 2"):
        codec.inventory_from_json(json.dumps(data))


def test_an_inventory_without_version_is_version_1() -> None:
    data = _inventory()
    del data["version"]
    assert codec.inventory_from_json(json.dumps(data)).version == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["summary"].pop("rows"), "summary.rows: missing"),
        (lambda d: d["files"][0].update(rows="5"), r"files\[0\].rows: expected int, not str"),
        (lambda d: d["files"][0].update(sensitive=1), None),  # an unknown key is ignored
        (lambda d: d.update(files={}), "files: expected a list"),
        (lambda d: d["summary"]["entities"].update(X=True), "expected int, not bool"),
    ],
)
def test_a_wrong_value_names_its_key(change, message) -> None:  # type: ignore[no-untyped-def]
    data = _inventory()
    change(data)
    if message is None:
        codec.inventory_from_json(json.dumps(data))
        return
    with pytest.raises(ContractError, match=message):
        codec.inventory_from_json(json.dumps(data))


def test_not_json_is_a_contract_error() -> None:
    with pytest.raises(ContractError, match="not JSON"):
        codec.inventory_from_json("{")


def test_another_manifest_format_is_refused() -> None:
    data = json.loads((V1 / "manifest.json").read_text(encoding="utf-8"))
    with pytest.raises(ContractError, match="baomi-protect-manifest-2"):
        codec.manifest_from_json(json.dumps(data | {"format": "baomi-protect-manifest-2"}))


def test_trace_record_kind_and_version() -> None:
    data = json.loads((V1 / "trace-record.json").read_text(encoding="utf-8"))
    with pytest.raises(ContractError, match="not a trace record"):
        codec.trace_record_from_json(json.dumps(data | {"kind": "x"}))
    later = TRACE_RECORD_VERSION + 1
    with pytest.raises(ContractError, match=f"version {later}"):
        codec.trace_record_from_json(json.dumps(data | {"version": later}))
    assert codec.trace_record_from_json(json.dumps(data | {"version": 1})).version == 1
    assert codec.trace_record_from_json(json.dumps(data | {"version": 2})).version == 2


def test_a_finding_line_with_and_without_explanation() -> None:
    plain = FindingRecord(
        file="客户.csv", sheet=None, row=3, column="手机", start=0, end=11, entity="CN_MOBILE",
        score=0.99,
    )  # fmt: skip
    line = codec.to_json(plain)
    assert line == (
        '{"file":"客户.csv","sheet":null,"row":3,"column":"手机","start":0,"end":11,'
        '"entity":"CN_MOBILE","score":0.99}'
    )
    assert codec.finding_from_json(line) == plain
    why = FindingExplanation(recognizer="R", pattern="p", validation="unknown", context=None)
    explained = FindingRecord(**{**codec.to_dict(plain), "explanation": why})
    assert codec.to_json(explained).endswith(',"validation":"unknown","context":null}')
    assert codec.finding_from_json(codec.to_json(explained)) == explained


def test_a_broken_findings_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "findings.jsonl"
    path.write_text((V1 / "findings.jsonl").read_text(encoding="utf-8") + "{\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"findings.jsonl line \d+: .*not JSON"):
        list(codec.iter_findings(path))


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (Inventory, "inventory.json"),
        (Manifest, "manifest.json"),
        (TraceRecord, "trace-record.json"),
    ],
)
def test_load_any_contract_by_its_class(
    cls: type[Inventory | Manifest | TraceRecord], name: str
) -> None:
    loaded = codec.load(cls, V1 / name)
    assert isinstance(loaded, cls)
    assert codec.to_json(loaded) == (V1 / name).read_text(encoding="utf-8")
    with pytest.raises(TypeError, match="not a contract"):
        codec.from_json(dict, "{}")  # type: ignore[type-var]


def test_a_database_finding_carries_its_primary_key() -> None:
    # a database row's finding names the row by its primary key, written last
    record = FindingRecord(
        file="db://h/crm/public.customers", sheet=None, row=7, column="phone", start=0, end=11,
        entity="CN_MOBILE", score=0.99, key={"id": 42, "region": "BJ"},
    )  # fmt: skip
    line = codec.to_json(record)
    assert line.endswith(',"score":0.99,"key":{"id":42,"region":"BJ"}}')
    assert codec.finding_from_json(line) == record
    why = FindingExplanation(recognizer="R", pattern="p", validation="unknown", context=None)
    explained = FindingRecord(**{**codec.to_dict(record), "explanation": why, "key": record.key})
    assert codec.to_json(explained).endswith(',"context":null,"key":{"id":42,"region":"BJ"}}')
    assert codec.finding_from_json(codec.to_json(explained)) == explained
    with pytest.raises(ContractError, match=r"key\.id: expected str, not list"):
        codec.finding_from_json(line.replace("42", "[42]"))
