from __future__ import annotations

import pytest

from baomi.engine.recognizers.generic.email import EmailRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = EmailRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc@example.com", ["abc@example.com"]),
        ("邮箱abc@x.com", ["abc@x.com"]),
        ("邮箱abc@x.com联系我", ["abc@x.com"]),
        ("请发至zhang.san+crm@mail.example.com.cn。", ["zhang.san+crm@mail.example.com.cn"]),
        ("end of sentence a_b@example.org.", ["a_b@example.org"]),
        ("(x-y@sub-domain.example.net)", ["x-y@sub-domain.example.net"]),
        ("a@b.c", []),  # one-letter TLD
        ("abc@localhost", []),  # no TLD
        ("abc@-bad.com", []),  # label starting with a hyphen
        ("@example.com", []),
        ("张三@例子.中国", []),  # IDN only in xn-- form
        ("user@xn--fiqs8s.xn--fiqz9s", ["user@xn--fiqs8s.xn--fiqz9s"]),
        (fullwidth("abc@x.com"), [fullwidth("abc@x.com")]),
        (f"邮箱：{fullwidth('abc')}@x.com", [f"{fullwidth('abc')}@x.com"]),
    ],
)
def test_email_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_canonical_lowercases_the_domain_only() -> None:
    (f,) = R.analyze("Zhang.San@Example.COM")
    assert f.value == "Zhang.San@example.com"
