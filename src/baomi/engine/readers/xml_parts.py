"""The standard library's XML parser for the parts of Office files, with one difference: a
part whose XML declaration names an encoding the parser cannot use (``encoding="PTF-8"`` in a
damaged file, a multi-byte one) raises ``ParseError`` like any other malformed part — not the
``LookupError`` or ``ValueError`` expat gives, which no reader expects and which stopped the
whole scan. lxml reports such a part as a syntax error already."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError


def fromstring(data: bytes | str) -> Element:
    """:func:`xml.etree.ElementTree.fromstring`; ``ParseError`` for an unusable declaration."""
    try:
        return ElementTree.fromstring(data)
    except (LookupError, ValueError) as exc:
        raise ParseError(f"unusable XML declaration: {type(exc).__name__}") from None


def iterparse(source: IO[bytes], events: Sequence[str] | None = None) -> Iterator[Any]:
    """:func:`xml.etree.ElementTree.iterparse`; ``ParseError`` for an unusable declaration."""
    parsed = ElementTree.iterparse(source, events=events)
    while True:
        try:
            item = next(parsed)
        except StopIteration:
            return
        except (LookupError, ValueError) as exc:
            raise ParseError(f"unusable XML declaration: {type(exc).__name__}") from None
        yield item
