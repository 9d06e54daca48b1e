"""Pictures (an ID card's photo, a signature) are not read by the scan, and protect shipped
them as they were. The scan names them in the file's errors; protect leaves them out of the
copy unless the policy keeps them (``images: keep``), and the manifest counts them."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image
from PIL import Image as Picture

from baomi.engine.protect.images import PLACEHOLDER
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.errors import PolicyError

from .conftest import protect_verified


def _png(color: str = "blue") -> io.BytesIO:
    data = io.BytesIO()
    Picture.new("RGB", (40, 25), color).save(data, format="PNG")
    data.seek(0)
    return data


def with_pictures(folder: Path) -> None:
    """A customer sheet with a photo on each row, and a contract with a photo in its body and
    a logo in its page header."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名", "身份证照片"])
    for row, name in enumerate(["张伟", "李娜"], start=2):
        ws.append([name, None])
        ws.add_image(Image(_png()), f"B{row}")
    wb.save(folder / "客户.xlsx")
    document = docx.Document()
    document.add_paragraph("甲方：张伟，身份证照片如下：")
    document.add_picture(_png())
    document.add_paragraph("签字：")
    document.sections[0].header.paragraphs[0].add_run().add_picture(_png("red"))
    document.save(str(folder / "合同.docx"))


def _media(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if "/media/" in n]


def test_pictures_are_named_by_the_scan_and_left_out_by_protect(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    with_pictures(src)
    result = scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    errors = {f.path: f.errors for f in result.inventory.files}
    assert [e.split("：")[0] for e in errors["客户.xlsx"]] == ["图片未扫描（2 张）"]
    assert [e.split("：")[0] for e in errors["合同.docx"]] == ["图片未扫描（2 张）"]

    out = protect_verified(src, tmp_path / "out")
    assert _media(tmp_path / "out" / "客户.xlsx") == []
    assert _media(tmp_path / "out" / "合同.docx") == []
    removed = {f.path: f.images_removed for f in out.manifest.files}
    assert removed == {"客户.xlsx": 2, "合同.docx": 2}
    copy = docx.Document(str(tmp_path / "out" / "合同.docx"))
    assert [p.text for p in copy.paragraphs][1] == PLACEHOLDER
    assert copy.sections[0].header.paragraphs[0].text == PLACEHOLDER
    assert load_workbook(tmp_path / "out" / "客户.xlsx")["客户"]["A2"].value != "张伟"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(f["images_removed"] for f in manifest["files"]) == [2, 2]


def test_a_policy_can_keep_the_pictures(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    with_pictures(src)
    policy = load_policy_text(DEFAULT_POLICY + "images: keep\n")
    out = protect_verified(src, tmp_path / "out", policy)
    assert len(_media(tmp_path / "out" / "客户.xlsx")) == 2
    assert len(_media(tmp_path / "out" / "合同.docx")) == 2
    assert all(f.images_removed is None for f in out.manifest.files)


def test_the_images_key_keeps_the_hash_of_a_policy_written_before_it() -> None:
    plain = load_policy_text(DEFAULT_POLICY)
    assert plain.images == "remove"
    assert load_policy_text(DEFAULT_POLICY + "images: remove\n").sha256 == plain.sha256
    assert load_policy_text(DEFAULT_POLICY + "images: keep\n").sha256 != plain.sha256
    with pytest.raises(PolicyError, match="images"):
        load_policy_text(DEFAULT_POLICY + "images: blur\n")


def with_embedded_workbook(path: Path, inner: Path) -> None:
    """A contract with a customer workbook embedded in it (Insert → Object), as Word writes
    one: a ``w:object`` whose ``o:OLEObject`` refers to the workbook's part."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    document = docx.Document()
    document.add_paragraph("附件：客户名单")
    part = Part(
        PackURI("/word/embeddings/Microsoft_Excel_Worksheet1.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        inner.read_bytes(),
        document.part.package,
    )
    rid = document.part.relate_to(part, RT.PACKAGE)
    run = document.add_paragraph().add_run()
    run._r.append(
        etree.fromstring(
            '<w:object xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' xmlns:o="urn:schemas-microsoft-com:office:office"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ObjectID="_1" r:id="{rid}"/>'
            "</w:object>"
        )
    )
    document.save(str(path))


@pytest.mark.parametrize("images", ["remove", "keep"])
def test_a_word_files_embedded_workbook_is_named_and_left_out(tmp_path: Path, images: str) -> None:
    """A customer list embedded in a contract went into the package as it was: the scan did
    not read it, and nothing said so. Whatever the policy says of pictures."""
    src = tmp_path / "in"
    src.mkdir()
    inner = tmp_path / "名单.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "手机"])  # type: ignore[union-attr]
    wb.save(inner)
    with_embedded_workbook(src / "合同.docx", inner)
    result = scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    (entry,) = result.inventory.files
    assert entry.errors[0].startswith("嵌入的对象未扫描（1 个）")
    policy = load_policy_text(DEFAULT_POLICY + f"images: {images}\n")
    out = protect_verified(src, tmp_path / "out", policy)
    with zipfile.ZipFile(tmp_path / "out" / "合同.docx") as z:
        assert not [n for n in z.namelist() if "embeddings" in n]
    (written,) = out.manifest.files
    assert written.embedded_left_out == ("word/embeddings/Microsoft_Excel_Worksheet1.xlsx",)
    texts = [p.text for p in docx.Document(str(tmp_path / "out" / "合同.docx")).paragraphs]
    assert texts[-1] == "[嵌入的对象已移除]"
