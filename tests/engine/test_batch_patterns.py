"""The batched analysis runs the recognizers' patterns with their leading look-behinds moved
past the first character (a speed-up): the matches must be exactly the written patterns'."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from baomi.engine.batch import _accelerated
from baomi.engine.recognizers.registry import Registry

PIECES = (
    *"0123456789",
    "3",
    "37",
    "34",
    "1990",
    "2001",
    "a",
    "X",
    "x",
    "H",
    "M",
    "N",
    "京",
    "A",
    "Z",
    " ",
    "-",
    ".",
    "@",
    "_",
    "%",
    "+",
    "x.com",
    "\x00",
    "\n",
    "电话",
    "客户",
    "ID",
)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _shaped(rng: random.Random) -> str:
    """Something of an identifier's shape (no check character computed: shapes only)."""
    date = rng.choice(("19", "20")) + _digits(rng, 2) + rng.choice(("0", "1")) + _digits(rng, 1)
    date += rng.choice("0123") + _digits(rng, 1)
    sep = rng.choice((" ", "-"))
    return rng.choice(
        (
            _digits(rng, 6) + date + _digits(rng, 3) + rng.choice("0123456789Xx"),
            _digits(rng, 6) + date[2:] + _digits(rng, 3),
            sep.join(_digits(rng, 4) for _ in range(4)),
            rng.choice(("34", "37"))
            + _digits(rng, 2)
            + sep
            + _digits(rng, 6)
            + sep
            + _digits(rng, 5),
            "9"
            + rng.choice("1A")
            + _digits(rng, 6)
            + "".join(rng.choice("0123456789ABCDX") for _ in range(10)),
            rng.choice("HMhm") + _digits(rng, rng.choice((8, 10))),
            "京"
            + rng.choice("ABF")
            + rng.choice(("", "·", " "))
            + _digits(rng, 5)
            + rng.choice("DF1"),
            rng.choice(("ab.c", "x_1", ".a", "a-"))
            + "@"
            + rng.choice(("x.com", "y.cn.", "-z.org")),
        )
    )


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.2:
                parts.append(_digits(rng, rng.randint(4, 21)))
            elif roll < 0.4:
                parts.append(_shaped(rng))
            else:
                parts.append(rng.choice(PIECES))
        out.append("".join(parts))
    return out


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int, int, int]]:
    return [(*m.span(), *m.span("v")) for m in rx.finditer(text)]


def test_moved_lookbehinds_find_the_same_matches() -> None:
    texts = _texts(17, 3000)
    joined = "\x00".join(texts)
    rewritten = 0
    for r in Registry.default():
        for pattern, rx in getattr(r, "_compiled", ()):
            fast = _accelerated(rx)
            if fast is rx:
                continue
            rewritten += 1
            assert fast.groupindex == rx.groupindex, pattern.name
            assert _spans(fast, joined) == _spans(rx, joined), pattern.name
            for text in texts[:300]:  # at the very start of a text too
                assert _spans(fast, text) == _spans(rx, text), pattern.name
    assert rewritten >= 5  # the identifier patterns are of the shape


def test_matches_are_found_where_the_shapes_occur() -> None:
    rx = re.compile(r"(?<![0-9A-Za-z])(?<!\d\.)(?P<v>\d{16,19})(?![0-9A-Za-z])")
    fast = _accelerated(rx)
    assert fast is not rx
    text = "卡号6222021234567890123，1.6222021234567890，a6222021234567890，6222021234567890"
    assert _spans(fast, text) == _spans(rx, text)
    assert [m.group("v") for m in fast.finditer(text)] == [
        "6222021234567890123",
        "6222021234567890",
    ]


def test_other_shapes_are_left_as_they_are() -> None:
    for written in (
        r"(?<!x)(?P<v>\d+)",
        r"(?<!x)(?P<v>\d{2,3}?)",
        r"(?P<v>\d{6})",
        r"(?<!x)(?P<v>(?:18|19)\d{2})",
        r"(?<!\d)(?P<v>\d*)",
        r"(?<!x)(?P<v>[]a]\d)",
        r"(?<!(?:ab))(?P<v>\d{3})",
    ):
        rx = re.compile(written)
        assert _accelerated(rx) is rx, written
    verbose = re.compile(r"(?<! x)(?P<v>\d{3})", re.VERBOSE)
    assert _accelerated(verbose) is verbose


MOBILE_PIECES = ("+", "86", "0086", "+86", "(+86)", "(86)", "(", ")", "00", "8", "0", "1")


def _mobile(rng: random.Random) -> str:
    """A mobile number's shape (or a near miss), often after a country code or a piece of one."""
    code = ""
    if rng.random() < 0.5:
        code = rng.choice(MOBILE_PIECES) + rng.choice(("", " ", "-"))
    return (
        code
        + "1"
        + rng.choice("23456789")
        + _digits(rng, 1)
        + rng.choice(("", " ", "-"))
        + _digits(rng, 4)
        + rng.choice(("", " ", "-"))
        + _digits(rng, rng.choice((3, 4, 5)))
    )


def _shape_texts(
    seed: int, n: int, shape: Callable[[random.Random], str], pieces: tuple[str, ...]
) -> list[str]:
    """Texts of ``shape`` (40 % of their parts) among ``pieces`` and :data:`PIECES`."""
    rng = random.Random(seed)
    every = (*PIECES, *pieces)
    return [
        "".join(
            shape(rng) if rng.random() < 0.4 else rng.choice(every)
            for _ in range(rng.randint(1, 10))
        )
        for _ in range(n)
    ]


LANDLINE_PIECES = (
    "0",
    "(",
    ")",
    "010",
    "021",
    "0755",
    "(021)",
    "a",
    "8",
    "-",
    " ",
    "转",
    "ext.",
    "#",
)


def _landline(rng: random.Random) -> str:
    """A landline's shape (or a near miss): area code, local number, an extension."""
    area = rng.choice(("010", "021", "029", "0755", "0571", "01", "0"))
    if rng.random() < 0.3:
        area = "(" + area + ")"
    local = rng.choice("0123456789") + _digits(rng, rng.choice((2, 3)))
    sep = (rng.choice(("", " ", "-")), rng.choice(("", " ", "-")))
    ext = rng.choice(("", "", "-12", "转8", "ext. 301", "#5"))
    return area + sep[0] + local + sep[1] + _digits(rng, 4) + ext


LOCAL_PIECES = (
    *("+", "+44", "(", ")", "x", "ext. ", "#", ".", "/", "a", "0", "00", "(0)"),
    *("2024-03-15", "15/03/2024", "1.2.3", "192.168.1.20", "13812345678", "138 1234 5678"),
    *("20240315001", "4155550132", "91234567", "0997543231", "123456789"),
)


def _local(rng: random.Random) -> str:
    """A number written without its country code (or a near miss), sometimes with one."""
    sep = lambda: rng.choice(("", " ", "-", ".", "  "))  # noqa: E731
    head = rng.choice(("", "", "+1 ", "+44", "(0191)", "(", "0", "+852-"))
    groups = sep().join(_digits(rng, rng.randint(1, 9)) for _ in range(rng.randint(1, 7)))
    ext = rng.choice(("", "", "x875", " ext. 12", "#3", "x"))
    return head + sep() + groups + ext


def test_search_regexes_find_the_written_patterns_matches() -> None:
    texts = (  # the first 750 are also checked alone: each shape at the very start of a text
        _shape_texts(11, 250, _mobile, MOBILE_PIECES)
        + _shape_texts(13, 250, _landline, LANDLINE_PIECES)
        + _shape_texts(17, 250, _local, LOCAL_PIECES)
        + _shape_texts(5, 4000, _mobile, MOBILE_PIECES)
        + _shape_texts(7, 4000, _landline, LANDLINE_PIECES)
        + _shape_texts(9, 4000, _local, LOCAL_PIECES)
        + _texts(19, 1000)
    )
    joined = "\x00".join(texts)
    checked = 0
    for r in Registry.default():
        for pattern, rx in getattr(r, "_compiled", ()):
            if pattern.search_regex is None:
                continue
            checked += 1
            fast = re.compile(pattern.search_regex)
            assert fast.groupindex.keys() == rx.groupindex.keys(), pattern.name
            assert _spans(fast, joined) == _spans(rx, joined), pattern.name
            for text in texts[:750]:
                assert _spans(fast, text) == _spans(rx, text), pattern.name
            assert len(_spans(rx, joined)) > 500  # the texts hold the shapes
    assert checked >= 3
