"""protect classifies columns as the scan does (engine/columns.py): what the scan reports as no
PI or as a decoy, protect leaves alone — except identifiers further down, which both find."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from baomi.engine import checksums
from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text

from .conftest import make_mobile


def _protect(src: Path, out: Path) -> pl.DataFrame:
    protect_paths(
        [src],
        load_policy_text(DEFAULT_POLICY),
        out,
        keys=KeyProvider(b"plan-test-key-0123456789abcdefgh"),
        options=ProtectOptions(recipient="甲", manifests_dir=out.parent / "m", verify=True),
    )
    frame = pl.read_csv(out / src.name, infer_schema=False)
    return frame.with_columns(pl.all().map_elements(strip_marks, return_dtype=pl.String))


def test_decoy_business_keys_and_repeated_words_stay_as_they_are(tmp_path: Path) -> None:
    """Order numbers with an ID's shape (some pass its check by chance), serials of which one in
    ten passes Luhn, and a payment method that reads like a name (银联卡) are not PI: masking the
    few that pass a check by chance would corrupt the keys and break joins."""
    rng = random.Random(8)
    rows = []
    for _ in range(300):
        order = (
            f"5108021968{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"
        )
        serial = "".join(str(rng.randint(0, 9)) for _ in range(16))
        rows.append(
            {"订单号": order, "流水号": serial, "支付方式": "银联卡", "手机": make_mobile(rng)}
        )
    chance = [r["订单号"] for r in rows if checksums.is_valid_resident_id(r["订单号"])]
    lucky = [r["流水号"] for r in rows if checksums.is_luhn_valid(r["流水号"])]
    assert chance and lucky  # the values a per-cell check would have masked
    src = tmp_path / "orders.csv"
    pl.DataFrame(rows).write_csv(src)
    out = _protect(src, tmp_path / "out")
    original = pl.read_csv(src, infer_schema=False)
    for name in ("订单号", "流水号", "支付方式"):
        assert out[name].to_list() == original[name].to_list(), name
    assert all("****" in m for m in out["手机"].to_list())


def test_an_identifier_in_a_decoy_column_is_still_protected(tmp_path: Path) -> None:
    """A decoy column is scanned for every identifier but its look-alike: a mobile written
    into the order-number column is masked, the order numbers are not."""
    rng = random.Random(9)
    orders = [
        f"5108021968{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"
        for _ in range(200)
    ]
    mobile = make_mobile(rng)
    orders[150] = f"见备注{mobile}"
    src = tmp_path / "orders.csv"
    pl.DataFrame({"订单号": orders}).write_csv(src)
    out = _protect(src, tmp_path / "out")["订单号"].to_list()
    assert mobile not in out[150] and "****" in out[150]
    assert out[:150] == orders[:150]


def test_one_repeated_word_is_not_a_name_column(tmp_path: Path) -> None:
    """Five orders paid the same way (银联卡 reads like surname + name): one value repeated is
    not a column of people's names, in the scan or in protect."""
    from baomi.engine.scan import ScanOptions, scan_paths

    src = tmp_path / "pay.csv"
    names = ["张伟", "李娜", "王芳", "刘洋", "陈静"]
    pl.DataFrame({"name": names, "method": ["银联卡"] * 5}).write_csv(src)
    inventory = to_dict(scan_paths([src], options=ScanOptions(prose=False)).inventory)
    modes = {c["name"]: (c["mode"], c["entity"]) for c in inventory["files"][0]["columns"]}
    assert modes["name"] == ("entity", "PERSON_NAME")
    assert modes["method"][0] != "entity"
    out = _protect(src, tmp_path / "out")
    assert out["method"].to_list() == ["银联卡"] * 5
    assert all("*" in n for n in out["name"].to_list())
