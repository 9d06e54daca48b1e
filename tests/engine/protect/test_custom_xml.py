"""A Word file's custom XML data (``customXml/item1.xml``) holds what its content controls are
bound to — a contract generated from a CRM keeps the customer's phone, ID and e-mail there, and
Word shows a bound control's value from it when the file is opened. The scan did not read it
and protect carried it through. Both now treat each text and attribute value there as a text
under ``自定义XML：<its name>``; a part that does not parse is named by the scan and left out
of the copy."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import make_id, make_mobile, protect_verified

PART = "customXml/item7.xml"  # python-docx's own template has an item1


def bound_contract(path: Path, data: bytes) -> None:
    document = docx.Document()
    document.add_paragraph("甲方：见合同数据。")
    part = Part(PackURI("/" + PART), "application/xml", data, document.part.package)
    document.part.relate_to(part, RT.CUSTOM_XML)
    document.save(str(path))


def _findings(out: Path) -> list[dict[str, object]]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_data_content_controls_are_bound_to_is_scanned_and_protected(
    tmp_path: Path,
) -> None:
    rng = random.Random(43)
    mobile, rid, other = make_mobile(rng), make_id(rng), make_mobile(rng)
    data = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<合同 xmlns="urn:crm" 编号="HT-001"><手机>{mobile}</手机><身份证>{rid}</身份证>'
        f'<邮箱>zhang.wei@example.com</邮箱><联系人 电话="{other}">王经理</联系人></合同>'
    ).encode()
    src = tmp_path / "in"
    src.mkdir()
    bound_contract(src / "合同.docx", data)

    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    found = {(f["column"], f["entity"]) for f in _findings(tmp_path / "scan")}
    assert found == {
        ("自定义XML：手机", "CN_MOBILE"),
        ("自定义XML：身份证", "CN_RESIDENT_ID"),
        ("自定义XML：邮箱", "EMAIL"),
        ("自定义XML：电话", "CN_MOBILE"),
        ("自定义XML：联系人", "PERSON_NAME"),  # 王经理: a contact named by the field
    }

    result = protect_verified(src, tmp_path / "out")
    assert result.leaks == []
    with zipfile.ZipFile(tmp_path / "out" / "合同.docx") as z:
        text = z.read(PART).decode()
    assert not [v for v in (mobile, rid, other, "zhang.wei") if v in text]
    assert 'xmlns="urn:crm"' in text and "HT-001" in text and "王经理" not in text
    assert "\u200b" not in text and "\u200c" not in text  # data: no zero-width marks
    (entry,) = result.manifest.files
    assert entry.extras_changed == 5


def test_a_name_under_a_field_that_names_a_person_is_a_name(tmp_path: Path) -> None:
    """``<客户姓名>张伟明</客户姓名>``, ``w:docVar 联系人``: a whole value under a field named as
    a name column is headed (收货人, 联系人, 客户姓名 …) is read as that column's cell — a
    bare name, which nothing else finds — by the scan and by protect alike."""
    from lxml import etree

    data = (
        '<合同 xmlns="urn:crm"><客户姓名>张伟明</客户姓名><收货人>李秀英</收货人>'
        "<客户>星河科技</客户><联系人>HT-001</联系人></合同>"
    ).encode()
    src = tmp_path / "in"
    src.mkdir()
    bound_contract(src / "合同.docx", data)
    document = docx.Document(str(src / "合同.docx"))
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document.settings.element.append(
        etree.fromstring(
            f'<w:docVars xmlns:w="{w}"><w:docVar w:name="联系人" w:val="赵建国"/></w:docVars>'
        )
    )
    document.save(str(src / "合同.docx"))
    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    assert sorted((f["column"], f["entity"]) for f in _findings(tmp_path / "scan")) == [
        ("文档变量：联系人", "PERSON_NAME"),
        ("自定义XML：客户姓名", "PERSON_NAME"),
        ("自定义XML：收货人", "PERSON_NAME"),
    ]
    protect_verified(src, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "合同.docx") as z:
        text = z.read(PART).decode() + z.read("word/settings.xml").decode()
    assert not [n for n in ("张伟明", "李秀英", "赵建国") if n in text]
    assert "星河科技" in text and "HT-001" in text  # not names: kept


def test_custom_xml_that_does_not_parse_is_named_and_left_out(tmp_path: Path) -> None:
    mobile = make_mobile(random.Random(44))
    src = tmp_path / "in"
    src.mkdir()
    bound_contract(src / "合同.docx", f"<合同><手机>{mobile}</手机>".encode())  # cut short
    result = scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    (entry,) = result.inventory.files
    assert entry.errors == ("自定义 XML 数据已损坏，未读取",)
    protect_verified(src, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "合同.docx") as z:
        assert PART not in z.namelist()
    assert docx.Document(str(tmp_path / "out" / "合同.docx")).paragraphs[0].text


def test_document_variables_are_scanned_and_protected(tmp_path: Path) -> None:
    """A template or a mail merge sets document variables (``w:docVars``, shown by
    ``DOCVARIABLE`` fields): a customer's phone there was neither read nor protected."""
    from lxml import etree

    mobile = make_mobile(random.Random(45))
    src = tmp_path / "in"
    src.mkdir()
    document = docx.Document()
    document.add_paragraph("甲方联系方式见文档变量。")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document.settings.element.append(
        etree.fromstring(
            f'<w:docVars xmlns:w="{w}"><w:docVar w:name="客户手机" w:val="{mobile}"/>'
            '<w:docVar w:name="合同编号" w:val="HT-2024-001"/></w:docVars>'
        )
    )
    document.save(str(src / "合同.docx"))
    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    assert {(f["column"], f["entity"]) for f in _findings(tmp_path / "scan")} == {
        ("文档变量：客户手机", "CN_MOBILE")
    }
    result = protect_verified(src, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "合同.docx") as z:
        settings = z.read("word/settings.xml").decode()
    assert mobile not in settings and mobile[-4:] in settings and "HT-2024-001" in settings
    assert result.manifest.files[0].extras_changed == 1
