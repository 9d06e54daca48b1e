"""IP地址 — IPv4 (RFC 791) and IPv6 (RFC 4291 §2.2) addresses.

* IPv4 — four decimal octets ``0–255`` separated by dots, no leading zeros beyond one digit.
* IPv6 — eight groups of 1–4 hex digits separated by colons, or a shorter form with one
  ``::`` (simple forms only; no embedded IPv4, no zone id). Candidates (hex groups and
  colons) are checked with :class:`ipaddress.IPv6Address`, so times such as ``12:30:45``
  are dropped.

A network identifier (GB/T 35273-2020 Annex A, 网络身份标识信息); not sensitive.
"""

from __future__ import annotations

import ipaddress

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


class IpAddressRecognizer(PatternRecognizer):
    entity = "IP_ADDRESS"
    patterns = (
        Pattern(
            "ipv4",
            rf"(?<![0-9A-Za-z.])(?P<v>{_OCTET}(?:\.{_OCTET}){{3}})(?![0-9A-Za-z]|\.\d)",
            0.6,
        ),
        Pattern(
            "ipv6",
            r"(?<![0-9A-Za-z:])(?P<v>(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})"
            r"(?![0-9A-Za-z:])",
            0.6,
        ),
    )
    context = ("ip", "登录", "地址", "address", "host")
    header_hints = ("ip", "ip地址", "ip_address", "ipaddr", "登录地址", "host")
    #: Rust regex (Polars): a dotted quad's first three parts, or two colons in a hex run
    #: (a lone full-width colon such as "备注：" does not pass).
    prefilter = (
        r"\d[.．]\d{1,3}[.．]\d|[\dA-Fa-fＡ-Ｆａ-ｆ]{0,4}[:：][\dA-Fa-fＡ-Ｆａ-ｆ]{0,4}[:：]"
    )
    fast_cell_regex = (
        r"^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        r"(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$"
    )

    def canonical(self, value: str) -> str:
        return value.lower()  # IPv6 hex digits; an IPv4 address has no letters

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_lowercase()

    def validate(self, value: str) -> bool | None:
        if ":" not in value:
            return None  # the IPv4 pattern already bounds each octet
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return False
        return None
