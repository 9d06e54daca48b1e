"""Display masking: the Chinese conventions for showing part of an identifier.

Defaults per entity (JR/T 0171-2020 Annex A "信息屏蔽" style, common display practice): mobile
``138****5678``; a phone number of another country its country code and last 4 shown
(``+852 **** 4567``); resident ID first 6 + last 4 shown; name ``张*明`` / ``王*``; bank card last 4;
e-mail ``a***@example.com``; address cut after the district. The protect ``mask`` operator
applies them to data; the scan and protect apply them to identifiers in names (columns, sheets,
paths: :mod:`baomi.engine.documents.names`). Below both, so neither imports the other for them.
"""

from __future__ import annotations

import re

from baomi.engine import divisions

#: (keep_first, keep_last) in characters for entities masked by position.
_POSITIONAL: dict[str, tuple[int, int]] = {
    "CN_RESIDENT_ID": (6, 4),
    "CN_PASSPORT": (1, 2),
    "PASSPORT": (1, 2),
    "CN_HMT_PERMIT": (1, 2),
    "TW_ID": (3, 2),
    "CN_USCC": (8, 2),
    "CN_LICENSE_PLATE": (2, 1),
    "DATE_OF_BIRTH": (4, 0),
}


#: A name of Latin words (``John Smith``, ``SMITH, Mary-Jane``), and each word's letters after
#: its first: a Western name is masked word by word, its initials shown.
_LATIN_NAME = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'.,\- ]*")
_LATER_LETTER = re.compile(r"(?<=[A-Za-zÀ-ɏ])[A-Za-zÀ-ɏ]")


#: A value without Han characters that has Latin letters: an address written in them
_LATIN_TEXT = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff]*[A-Za-z][^\u3400-\u4dbf\u4e00-\u9fff]*")


def _latin_address(value: str, char: str) -> str:
    """An address in Latin letters masked up to the places that end it, which stay as a
    Chinese address's divisions do (``****, Chaoyang District, Beijing``); its postcode goes.
    A value of places alone (``Chaoyang District, Beijing``) is shown whole."""
    from baomi.engine.recognizers.generic.latin_address import classify_cell, shown_places

    text = value.strip()
    verdict = classify_cell(text)
    if verdict is not None and verdict[1] == "latin_places" and not any(c.isdigit() for c in text):
        return value
    places = shown_places(text)
    return char * 4 + (", " + places if places else "")


def _keep(value: str, first: int, last: int, char: str) -> str:
    n = len(value)
    if first + last >= n:
        return char * n if first + last > 0 and n <= 2 else value[:first] + char * max(n - first, 0)
    return value[:first] + char * (n - first - last) + (value[n - last :] if last else "")


def _mask_digits(value: str, keep_first: int, keep_last: int, char: str) -> str:
    """Mask digit characters by their index among the digits, keeping separators."""
    nd = sum(c.isdigit() for c in value)
    out, i = [], 0
    for c in value:
        if c.isdigit():
            out.append(c if i < keep_first or i >= nd - keep_last else char)
            i += 1
        else:
            out.append(c)
    return "".join(out)


def mask_value(
    value: str,
    entity: str | None,
    char: str = "*",
    keep_first: int | None = None,
    keep_last: int | None = None,
) -> str:
    """The masked form of one value by the display convention of ``entity`` (``keep_first`` /
    ``keep_last``, in characters, override it)."""
    if keep_first is not None or keep_last is not None:
        return _keep(value, keep_first or 0, keep_last or 0, char)
    if entity == "CN_MOBILE":
        nd = sum(c.isdigit() for c in value)
        return _mask_digits(value, nd - 8, 4, char)  # national number: 3 shown, 4 hidden, 4 shown
    if entity == "BANK_CARD":
        return _mask_digits(value, 0, 4, char)
    if entity == "PHONE_NUMBER":  # +852 **** 4567: the country code and the last 4 shown
        from baomi.engine.recognizers.generic.phone import country_code_digits

        nd = sum(c.isdigit() for c in value)
        return _mask_digits(value, country_code_digits(value), min(4, max(nd - 6, 0)), char)
    if entity == "HK_ID":  # A123***(*): the letters and the first three digits shown
        letters = len(value) - len(
            value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        )
        return value[: letters + 3] + "".join(
            c if c in "()" else char for c in value[letters + 3 :]
        )
    if entity == "MO_ID":  # 123****(*): the first three digits shown, brackets kept
        return value[:3] + "".join(c if c in "()（）" else char for c in value[3:])
    if entity == "CN_LANDLINE":
        digits = "".join(c for c in value if c.isdigit())
        area = 3 if digits[:2] in ("01", "02") else 4  # 010 and 02x area codes are 3 digits
        return _mask_digits(value, min(area, max(len(digits) - 4, 0)), 2, char)
    if entity == "PERSON_NAME":
        name = value.strip()
        if " " in name and _LATIN_NAME.fullmatch(name):  # John Smith → J*** S****
            return _LATER_LETTER.sub(char, name)
        if len(name) <= 1:
            return char
        if len(name) == 2:
            return name[0] + char
        return name[0] + char * (len(name) - 2) + name[-1]
    if entity == "EMAIL":
        local, at, domain = value.partition("@")
        if not at:
            return _keep(value, 1, 0, char)
        return (local[:1] + char * 3) + "@" + domain
    if entity == "ADDRESS":
        if divisions.place_only(value):  # 深圳, 美国: what the mask shows of any address
            return value
        if _LATIN_TEXT.fullmatch(value):  # No. 88 Jianguo Road, Chaoyang District, Beijing
            return _latin_address(value, char)
        div = divisions.parse(value)
        end = div.end if div is not None else 0  # no division: nothing of it is kept
        return value[:end] + char * 4 if end < len(value) else value
    if entity == "IP_ADDRESS" and value.count(".") == 3:
        a, b, _, _ = value.split(".")
        return f"{a}.{b}.{char}.{char}"
    first, last = _POSITIONAL.get(entity or "", (1, 1))
    return _keep(value, first, last, char)
