"""주소 — a Korean address in Hangul in free text (``寄到 제주특별자치도 예산군 강남대길 71-35``,
``lives at 경상북도 홍천군 압구정거리 816``), as road-name addresses (도로명주소, Korea's
addresses since 2014) are written: a province or metropolitan city (``강원도``, ``서울특별시``,
``대전광역시``), up to three cities, counties or districts (``삼척시``, ``예산군``, ``강남구``),
the road's name (``테헤란로``, ``반포대길``, ``압구정거리``, ``개포7가``), the building number
(``988-58``, ``지하981`` for a basement) and the neighbourhood in brackets after it
(``(준호홍리)``).

The province first and the road and its number last make it an address: the words alone are
any Korean sentence's. An address column's cells of any shape are the column recognizer's
(``cn/address.py``, ``address_shape``); this reads notes.
"""

from __future__ import annotations

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_PROVINCE = "[가-힣]{1,6}(?:특별시|광역시|특별자치시|특별자치도|도)"
_CITY = "[가-힣]{1,5}(?:시|군|구)"
_ROAD = "[가-힣0-9]{1,12}(?:로|길|가|거리)"
_NUMBER = r"(?:지하[ ]?)?\d{1,4}(?:-\d{1,4})?"
_NEIGHBOURHOOD = r"(?:[ ]?\([가-힣0-9, ]{1,24}\))?"
#: The province and the cities, counties or districts that start an address (what a mask or
#: a pseudonym may keep of it)
DIVISIONS = rf"{_PROVINCE}(?:[ ]{_CITY}){{0,3}}"


class KoreanAddressRecognizer(PatternRecognizer):
    entity = "ADDRESS"
    patterns = (
        Pattern(
            "korean_address",
            rf"(?<![가-힣])(?P<v>{DIVISIONS}[ ]{_ROAD}[ ]{_NUMBER}"
            rf"{_NEIGHBOURHOOD})(?![0-9])",
            0.85,
        ),
    )
    context = ("주소", "地址", "住址", "寄到", "address", "ship")
    context_window = 20
    #: a Korean export's address column (``주소``, ``도로명주소``)
    header_hints = ("주소",)
    #: a whole cell of the pattern's shape
    fast_cell_regex = (
        rf"^{_PROVINCE}(?: {_CITY}){{0,3}} {_ROAD} (?:지하 ?)?[0-9]{{1,4}}(?:-[0-9]{{1,4}})?"
        r"(?: ?\([가-힣0-9, ]{1,24}\))?$"
    )
    #: Rust regex (Polars): a road's last syllable, a blank and its number — every address of
    #: the pattern holds one, and a Chinese note none
    prefilter = "(?:로|길|가|거리) (?:지하)?[0-9]"


__all__ = ["DIVISIONS", "KoreanAddressRecognizer"]
