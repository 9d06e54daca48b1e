"""The Office parts' XML parser: an unusable encoding declaration is a ParseError."""

from __future__ import annotations

import io
from xml.etree.ElementTree import ParseError

import pytest

from baomi.engine.readers.xml_parts import fromstring, iterparse


@pytest.mark.parametrize("declared", ["PTF-8", "utf-32"])
def test_an_unusable_declaration_is_a_parse_error(declared: str) -> None:
    data = f'<?xml version="1.0" encoding="{declared}"?><a><b/></a>'.encode()
    with pytest.raises(ParseError):
        fromstring(data)
    with pytest.raises(ParseError):
        list(iterparse(io.BytesIO(data), events=("end",)))


def test_a_good_part_parses_as_the_standard_library_parses_it() -> None:
    data = '<?xml version="1.0" encoding="UTF-8"?><a><b>姓名</b></a>'.encode()
    assert fromstring(data).find("b").text == "姓名"  # type: ignore[union-attr]
    assert [e.tag for _, e in iterparse(io.BytesIO(data), events=("end",))] == ["b", "a"]
