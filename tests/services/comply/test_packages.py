from __future__ import annotations

import csv
import random
from pathlib import Path

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text
from baomi.services.comply.packages import read_records


def test_the_records_of_a_protect_run_give_recipient_k_risk_and_operators(tmp_path: Path) -> None:
    rng = random.Random(5)
    (tmp_path / "in").mkdir()
    with (tmp_path / "in" / "p.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["年龄", "性别", "城市"])
        for _ in range(200):
            w.writerow([rng.randint(20, 70), rng.choice("男女"), rng.choice(["深圳", "成都"])])
    records = tmp_path / "records"
    protect_paths(
        [tmp_path / "in"],
        load_policy_text("quasi_identifiers:\n  columns: [年龄, 性别, 城市]\n  k: 5\n"),
        tmp_path / "out",
        keys=KeyProvider(b"k" * 32),
        options=ProtectOptions(recipient="买方A", manifests_dir=records),
    )
    (records / "garbage.json").write_text("{", encoding="utf-8")
    facts = read_records(records)
    assert len(facts) == 1
    f = facts[0]
    assert f.recipient == "买方A"
    assert f.k is not None and f.target_k == 5 and f.k >= 5
    assert f.max_risk is not None and 0 < f.max_risk <= 1 / f.k + 1e-9
    assert read_records(tmp_path / "missing") == []
