"""Personal information in the parts of an XLSX or DOCX file that are not plain cell values or
plain runs: hyperlinks (Excel and Word turn a typed e-mail address into a ``mailto:`` link),
tracked changes, content controls and smart tags. A QA pass found each in the package as it was.

Generated data only (``conftest``: check digits computed)."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text

from .conftest import make_mobile

POLICY = load_policy_text(DEFAULT_POLICY)


def protect(src: Path, out: Path):  # type: ignore[no-untyped-def]
    return protect_paths(
        [src],
        POLICY,
        out,
        keys=KeyProvider(b"links-test-key-0123456789abcdef0"),
        options=ProtectOptions(recipient="甲", verify=True),
    )


def zipped_text(path: Path) -> str:
    """Every part of a zipped file as text, to look for a value anywhere in it."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_xlsx_hyperlink_targets_are_protected(tmp_path: Path) -> None:
    """A cell's hyperlink (``mailto:``, ``tel:``, a CRM address with the phone in its query)
    and its tooltip are protected as the cell is: the target sat in the sheet's relationships
    in clear while the cell showed the masked value."""
    import openpyxl
    from openpyxl.worksheet.hyperlink import Hyperlink

    rng = random.Random(61)
    mobiles = [make_mobile(rng) for _ in range(3)]
    emails = [f"kehu{rng.randint(1000, 9999)}@example.com" for _ in range(2)]
    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "邮箱", "手机", "详情"])
    ws.append(["王伟", emails[0], mobiles[0], "查看"])
    ws.append(["李娜", emails[1], mobiles[1], "查看"])
    ws["B2"].hyperlink = f"mailto:{emails[0]}"
    ws["B3"].hyperlink = Hyperlink(ref="B3", target=f"mailto:{emails[1]}", tooltip=emails[1])
    ws["C2"].hyperlink = f"tel:{mobiles[0]}"
    ws["D2"].hyperlink = f"https://crm.example.com/customer?phone={mobiles[2]}"
    wb.save(src / "客户.xlsx")

    result = protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "客户.xlsx")
    assert [v for v in mobiles + emails if v in text] == []
    out = openpyxl.load_workbook(tmp_path / "out" / "客户.xlsx").active
    assert out is not None
    # still links, to the masked values (the mask keeps the domain and the last digits)
    assert out["B2"].hyperlink.target.startswith("mailto:")
    assert out["B2"].hyperlink.target.endswith("@example.com")
    assert out["C2"].hyperlink.target.startswith("tel:")
    assert mobiles[0][-4:] in out["C2"].hyperlink.target
    assert out["D2"].hyperlink.target.startswith("https://crm.example.com/customer?phone=")
    # four links, one tooltip changed beside the cells
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"客户.xlsx": 5}
