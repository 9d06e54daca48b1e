"""Marks that live in the values themselves: per-recipient choices among renderings that show
the same thing.

A masked value can be written in several ways that show exactly as much of the original: the
separators of a masked mobile (``138****5678``, ``138-****-5678``, ``138 **** 5678``), of a
masked resident ID, bank card or landline, and the number of mask characters where that number
says nothing about the value (``a***@example.com``: the convention writes three whatever the
length; an address cut after its district ends in ``****`` whatever followed), or where
writing another number shows less (a masked name's one to three ``*``: its length is then not
shown). Each package chooses among them with its own random key, value by value:
the choice for a value is ``HMAC(key, channel, context) mod m``, where the *context* is what
every rendering of the value shows (the visible digits, the e-mail's first character and
domain, the district, the visible characters of a name). A value's rendering never shows more
than the convention: every rendering hides at least what the convention hides, so recipients
who pool their copies learn nothing more either.

Trace reads the renderings back from any text — a cell, a line, a paragraph — after NFKC and
with invisible characters removed, so they survive what a recipient's tools do to a file:
re-saving, another encoding or delimiter, trimming, a table pasted into an e-mail. For a
package's key, each distinct context agrees or not; from any other package or from data that
is not a package, it agrees with probability ``choices seen / m`` whatever the key
(``trace.py`` turns that into a likelihood ratio). An informed recipient can remove them by
re-writing every value in one layout (docs/protect.md, "What each mark costs").

Each channel renders only values of its exact shape and checks that reading the result gives
back the context and the choice; anything else is left as it is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl

KEY_BYTES = 32

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEPS = ("", "-", " ")
_DIVISION_END = "省市区县旗州盟"
#: Format characters (zero-width marks, BOM, joiners) removed before reading.
_FORMAT = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True, slots=True)
class Reading:
    """One rendered value found in a text: its channel, context and the rendering chosen
    (of ``choices``)."""

    channel: str
    context: str
    choice: int
    choices: int


def choose(key: bytes, channel: str, context: str, choices: int) -> int:
    """The rendering a package with ``key`` uses for a value of ``channel`` and ``context``."""
    h = hashlib.blake2b(
        f"{channel}\x00{context}".encode(), key=key[:64], digest_size=8, person=b"baomi-fp-3"
    )
    return int.from_bytes(h.digest(), "big") % choices


def normalize(text: str) -> str:
    """What trace reads: NFKC, format characters (zero-width and the like) removed."""
    return _FORMAT.sub("", unicodedata.normalize("NFKC", text))


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True, slots=True)
class Channel:
    """One kind of rendered value: how many renderings, the shape protect renders (a whole
    masked value, full match) and the pattern trace reads in any normalised text."""

    name: str
    choices: int
    shape: re.Pattern[str]
    reader: re.Pattern[str]
    #: (shape match, choice) → the rendering, or None
    write: Callable[[re.Match[str], int], str | None]
    #: (shape match) → the context
    context_of: Callable[[re.Match[str]], str]
    #: (reader match) → (context, choice), or None when the match is not one of the renderings
    read: Callable[[re.Match[str]], tuple[str, int] | None]
    #: The rendering the display convention writes (``masking.py``).
    conventional: int = 0


def _sep_write(parts: tuple[str, ...]) -> Callable[[re.Match[str], int], str | None]:
    """Join the named groups with the chosen separator between them."""

    def write(m: re.Match[str], choice: int) -> str:
        sep = _SEPS[choice]
        groups = [m.group(p) for p in parts]
        return (m.groupdict().get("pre") or "") + sep.join(groups)

    return write


def _mobile_read(m: re.Match[str]) -> tuple[str, int] | None:
    return m.group(1) + m.group(3), _SEPS.index(m.group(2))


def _id_read(m: re.Match[str]) -> tuple[str, int] | None:
    return m.group(1) + m.group(3).upper(), _SEPS.index(m.group(2))


def _landline_read(m: re.Match[str]) -> tuple[str, int] | None:
    return f"{m.group(1)}:{len(m.group(3))}:{m.group(4)}", _SEPS.index(m.group(2))


def _card_render(n: int, last4: str, sep: str) -> str:
    chars = "*" * (n - 4) + last4
    if not sep:
        return chars
    groups = []
    end = len(chars)
    while end > 0:
        groups.append(chars[max(0, end - 4) : end])
        end -= 4
    return sep.join(reversed(groups))


def _card_write(m: re.Match[str], choice: int) -> str:
    compact = re.sub(r"[ -]", "", m.group(0))
    return _card_render(len(compact), _nfkc(compact[-4:]), _SEPS[choice])


def _card_context(m: re.Match[str]) -> str:
    compact = re.sub(r"[ -]", "", m.group(0))
    return f"{len(compact)}:{_nfkc(compact[-4:])}"


def _card_read(m: re.Match[str]) -> tuple[str, int] | None:
    text = m.group(0)
    seps = set(re.sub(r"[*0-9]", "", text))
    if len(seps) > 1:
        return None
    sep = seps.pop() if seps else ""
    compact = re.sub(r"[ -]", "", text)
    n = len(compact)
    if not 16 <= n <= 19 or compact[: n - 4] != "*" * (n - 4):
        return None
    if text != _card_render(n, compact[-4:], sep):
        return None
    return f"{n}:{compact[-4:]}", _SEPS.index(sep)


def _email_write(m: re.Match[str], choice: int) -> str:
    return f"{m.group('c')}{'*' * (2 + choice)}@{m.group('d')}"


def _email_context(m: re.Match[str]) -> str:
    return _nfkc(f"{m.group('c')}@{m.group('d')}").lower()


def _email_read(m: re.Match[str]) -> tuple[str, int] | None:
    return f"{m.group(1)}@{m.group(3)}".lower(), len(m.group(2)) - 2


def _address_write(m: re.Match[str], choice: int) -> str:
    return m.group("p") + "*" * (4 + choice)


def _address_context(m: re.Match[str]) -> str:
    unit = _ADDRESS_UNIT.search(_nfkc(m.group("p")))
    return unit.group(0) if unit else ""


def _address_read(m: re.Match[str]) -> tuple[str, int] | None:
    return m.group(1), len(m.group(2)) - 4


def _name_write(m: re.Match[str], choice: int) -> str:
    return m.group("f") + "*" * (1 + choice) + m.group("l")


def _name_context(m: re.Match[str]) -> str:
    return _nfkc(f"{m.group('f')}|{m.group('l')}")


def _name_read(m: re.Match[str]) -> tuple[str, int] | None:
    # the character after the stars is part of the context whether or not it is the name's
    # (``张*明``, or ``王*`` in ``客户王*来电``): protect renders a name in text in place
    return f"{m.group(1)}|{m.group(3)}", len(m.group(2)) - 1


#: The last division of an address's kept part (``南山区`` of ``广东省深圳市南山区``): up to
#: eight Chinese characters after the one before that ends a division, or after a non-Chinese one.
_UNIT = f"(?:(?![{_DIVISION_END}])[{_HAN}]){{1,8}}[{_DIVISION_END}]"
_ADDRESS_UNIT = re.compile(f"{_UNIT}$")

CHANNELS: tuple[Channel, ...] = (
    Channel(
        "mobile",
        3,
        re.compile(
            r"(?P<pre>(?:\(?(?:\+|00)?86\)?[ -]?)?)(?P<a>[1１]\d{2})[ -]?(?P<s>\*{4})[ -]?(?P<b>\d{4})"
        ),
        re.compile(r"(?<![0-9*])(1[0-9]{2})([ -]?)\*{4}\2([0-9]{4})(?![0-9*])"),
        _sep_write(("a", "s", "b")),
        lambda m: _nfkc(m.group("a") + m.group("b")),
        _mobile_read,
    ),
    Channel(
        "resident_id",
        3,
        re.compile(r"(?P<a>\d{6})[ -]?(?P<s>\*{8})[ -]?(?P<b>\d{3}[\dXx])"),
        re.compile(r"(?<![0-9A-Za-z*])([0-9]{6})([ -]?)\*{8}\2([0-9]{3}[0-9Xx])(?![0-9A-Za-z*])"),
        _sep_write(("a", "s", "b")),
        lambda m: _nfkc(m.group("a") + m.group("b")).upper(),
        _id_read,
    ),
    Channel(
        "landline",
        3,
        re.compile(r"(?P<a>0[12]\d|0[3-9]\d{2})[ -]?(?P<s>\*{5,6}\d{2})"),
        re.compile(r"(?<![0-9*])(0[12][0-9]|0[3-9][0-9]{2})([ -]?)(\*{5,6})([0-9]{2})(?![0-9*])"),
        _sep_write(("a", "s")),
        lambda m: _nfkc(f"{m.group('a')}:{m.group('s').count('*')}:{m.group('s')[-2:]}"),
        _landline_read,
        1,
    ),
    Channel(
        "bank_card",
        3,
        re.compile(r"\*[* -]{10,22}\d{4}"),
        re.compile(r"(?<![0-9A-Za-z*])\*[* -]*[0-9]{4}(?![0-9A-Za-z*])"),
        _card_write,
        _card_context,
        _card_read,
    ),
    Channel(
        "email",
        4,
        re.compile(
            r"(?P<c>[A-Za-z0-9._%+\-])\*+@(?P<d>[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)"
        ),
        re.compile(
            r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-])(\*{2,5})@"
            r"([A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?\.[A-Za-z]{2,})(?![A-Za-z0-9\-])"
        ),
        _email_write,
        _email_context,
        _email_read,
        1,
    ),
    Channel(
        "address",
        4,
        re.compile(f"(?P<p>.*[{_DIVISION_END}])\\*{{4,7}}"),
        re.compile(f"({_UNIT})(\\*{{4,7}})(?!\\*)"),
        _address_write,
        _address_context,
        _address_read,
    ),
    Channel(
        "name",
        3,
        re.compile(f"(?P<f>[{_HAN}])\\*{{1,3}}(?P<l>[{_HAN}]?)"),
        re.compile(f"(?<!\\*)([{_HAN}])(\\*{{1,3}})(?![ -]?\\*)([{_HAN}]?)"),
        _name_write,
        _name_context,
        _name_read,
    ),
)


def read(text: str) -> Iterator[Reading]:
    """Every rendered value in ``text`` (normalised first: NFKC, format characters removed)."""
    norm = normalize(text)
    if "*" not in norm:
        return
    for ch in _channels_for(norm):
        for m in ch.reader.finditer(norm):
            got = ch.read(m)
            if got is not None and 0 <= got[1] < ch.choices:
                yield Reading(ch.name, got[0], got[1], ch.choices)


def _channels_for(norm: str) -> tuple[Channel, ...]:
    """The channels that can read anything in ``norm`` (an e-mail needs ``@``, an address a
    character that ends a division)."""
    skip = set()
    if "@" not in norm:
        skip.add("email")
    if not any(c in norm for c in _DIVISION_END):
        skip.add("address")
    return tuple(c for c in CHANNELS if c.name not in skip) if skip else CHANNELS


class _Skeleton(dict[int, str]):
    """``str.translate`` table: what a reading depends on once a value has passed its
    channel's shape (which fixes the digits a reader asks for: a mobile's ``1``, a landline's
    area code), not the value itself — digits as ``5``, ASCII letters but ``X`` as ``a``,
    Chinese characters but those that end a division as ``中``."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if "0" <= ch <= "9":
            out = "5"
        elif ch.isascii() and ch.isalpha() and ch not in "Xx":
            out = "a"
        elif _HAN_CHAR.match(ch) and ch not in _DIVISION_END:
            out = "中"
        else:
            out = ch
        self[code] = out
        return out


_HAN_CHAR = re.compile(f"[{_HAN}]")
_SKELETON = _Skeleton()
#: (channel, skeleton of a rendering) → whether it reads back as one value of the channel
_READS_BACK: dict[tuple[str, str], bool] = {}


def _reads_back(new: str, expected: Reading) -> bool:
    """Whether ``new`` (of its channel's shape) reads as exactly ``expected``. How such a text
    reads (how many values, of which channel, which rendering) depends on its skeleton only,
    so it is checked once per skeleton (a column of mobiles has a handful), the context with
    it."""
    key = (expected.channel, normalize(new).translate(_SKELETON))
    ok = _READS_BACK.get(key)
    if ok is None:
        ok = list(read(new)) == [expected]
        if len(_READS_BACK) > 100_000:
            _READS_BACK.clear()
        _READS_BACK[key] = ok
    return ok


def render(value: str, key: bytes | None) -> str:
    """``value`` (a whole masked value) in the rendering the package's ``key`` chooses, when it
    has the shape of a channel and reads back as written; else ``value`` unchanged. Without a
    key: the rendering the display convention writes (:func:`conventional`)."""
    if "*" not in value:
        return value
    stripped = value.strip()
    for ch in CHANNELS:
        m = ch.shape.fullmatch(stripped)
        if m is None:
            continue
        context = ch.context_of(m)
        choice = ch.conventional if key is None else choose(key, ch.name, context, ch.choices)
        new = ch.write(m, choice)
        if new is None:
            return value
        if not _reads_back(new, Reading(ch.name, context, choice, ch.choices)):
            return value
        start = value.index(stripped) if stripped else 0
        return value[:start] + new + value[start + len(stripped) :]
    return value


#: Characters of the text before and after a span that decide how it reads: an address's
#: last division reaches eight characters back, a name's context one character on.
_WINDOW = 10
_AFTER = 3


def render_edits(
    text: str, edits: list[tuple[int, int, str, bool]], key: bytes
) -> list[tuple[int, int, str, bool]]:
    """The ``(start, end, new, marked)`` edits of ``text`` with each marked ``new`` in the
    package's rendering, decided in place: a value in running text reads with what surrounds
    it (``客户王*来电``: the context of ``王*`` is ``王|来``), so each is rendered as trace will
    read it there, or left as it is when it does not read back."""
    out: list[tuple[int, int, str, bool]] = []
    done = ""  # the finished text before the current edit (its last _WINDOW characters)
    pos = 0
    for start, end, new, marked in sorted(edits, key=lambda e: e[0]):
        done = (done + text[pos:start])[-_WINDOW:]
        after = text[end : end + _AFTER]
        if marked and new and "*" in new:
            new = _render_in_place(done, new, after, key)
        out.append((start, end, new, marked))
        done = (done + new)[-_WINDOW:]
        pos = end
    return out


#: Channels whose context is all inside the value (a name's and an address's may reach into
#: the text around it): rendered as a whole value, then checked in place by skeleton.
_SELF_CONTAINED = frozenset({"mobile", "resident_id", "landline", "bank_card", "email"})
#: (channel, skeleton of a rendering with the text around it, its offsets) → reads as one value
_READS_IN_PLACE: dict[tuple[str, str, int, int], bool] = {}


def _render_in_place(before: str, value: str, after: str, key: bytes) -> str:
    for ch in CHANNELS:
        m = ch.shape.fullmatch(value)
        if m is None:
            continue
        if ch.name in _SELF_CONTAINED:
            return _render_self_contained(ch, before, value, after, key)
        placed = _reading_at(ch, before, ch.write(m, ch.conventional) or value, after)
        if placed is None:
            return value
        choice = choose(key, ch.name, placed.context, ch.choices)
        new = ch.write(m, choice)
        if new is None or _reading_at(ch, before, new, after) != dataclasses.replace(
            placed, choice=choice
        ):
            return value
        return new
    return value


def _render_self_contained(ch: Channel, before: str, value: str, after: str, key: bytes) -> str:
    """A value whose context is its own (digits, an e-mail) rendered as a whole value, kept
    when, with the text around it, it still reads as that one value — checked once per
    skeleton of the surroundings (the text around a mobile in notes varies little)."""
    new = render(value, key)
    text = before + new + after
    norm = normalize(text)
    if len(norm) != len(text):
        return value
    probe = (ch.name, norm.translate(_SKELETON), len(before), len(before) + len(new))
    ok = _READS_IN_PLACE.get(probe)
    if ok is None:
        whole = list(read(new))
        ok = len(whole) == 1 and _reading_at(ch, before, new, after) == whole[0]
        if len(_READS_IN_PLACE) > 100_000:
            _READS_IN_PLACE.clear()
        _READS_IN_PLACE[probe] = ok
    return new if ok else value


def _reading_at(ch: Channel, before: str, value: str, after: str) -> Reading | None:
    """The one reading of channel ``ch`` that covers ``value`` placed between ``before`` and
    ``after`` (normalised: a value's offsets do not move, NFKC keeps its length here)."""
    lo, hi = len(before), len(before) + len(value)
    text = before + value + after
    norm = normalize(text)
    if len(norm) != len(text):
        return None
    found = [
        (c, got)
        for c in _channels_for(norm)
        for m in c.reader.finditer(norm)
        if m.start() < hi and m.end() > lo and (got := c.read(m)) is not None
    ]
    # exactly one reading covers the value, of its channel: a rendering must not read as
    # another value with the text around it (``账号* **** …`` as a name ``号*``)
    if len(found) != 1 or found[0][0] is not ch:
        return None
    context, choice = found[0][1]
    return Reading(ch.name, context, choice, ch.choices)


def conventional(value: str) -> str:
    """``value`` as the display convention writes it, the package's rendering undone
    (``138 **** 5678`` → ``138****5678``, ``王**`` → ``王*``); anything else unchanged."""
    return render(value, None)


def render_series(values: pl.Series, key: bytes) -> pl.Series:
    """:func:`render` on every distinct value of a column that holds a mask character."""
    if values.dtype != pl.String:
        return values
    uniq = values.drop_nulls().unique()
    uniq = uniq.filter(uniq.str.contains("*", literal=True))
    if uniq.len() == 0:
        return values
    mapping = {v: render(v, key) for v in uniq.to_list()}
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return values
    return values.replace_strict(mapping, default=values, return_dtype=pl.String)
