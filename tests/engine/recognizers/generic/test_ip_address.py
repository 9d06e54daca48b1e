from __future__ import annotations

import pytest

from baomi.engine.recognizers.generic.ip_address import IpAddressRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = IpAddressRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.10", ["192.168.1.10"]),
        ("登录IP：10.0.0.255。", ["10.0.0.255"]),
        ("来自203.0.113.7的访问", ["203.0.113.7"]),
        (fullwidth("192.168.1.10"), [fullwidth("192.168.1.10")]),
        ("256.1.1.1", []),  # octet over 255
        ("1.2.3", []),
        ("1.2.3.4.5", []),  # a longer dotted run
        ("v1.2.3.4", []),  # a version string
        ("01.2.3.4", []),
        ("2001:db8::8a2e:370:7334", ["2001:db8::8a2e:370:7334"]),
        ("IPv6地址fe80::1登录", ["fe80::1"]),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", ["2001:0db8:0000:0000:0000:ff00:0042:8329"]),
        ("会议12:30:45开始", []),  # a time, not an address
        ("1:2:3", []),
    ],
)
def test_ip_address_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_ipv6_value_is_lower_case() -> None:
    (f,) = R.analyze("FE80::1")
    assert f.value == "fe80::1"
