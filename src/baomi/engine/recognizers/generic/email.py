"""电子邮箱 — e-mail address (RFC 5321 / RFC 5322 ``addr-spec``, common subset).

Format: ``local@domain.tld``

* ``local`` — ASCII letters, digits and ``. _ % + -``, 1–64 characters, not starting or ending
  with a dot (quoted local parts are not supported).
* ``domain`` — dot-separated DNS labels (RFC 1035: letters, digits, inner hyphens, 1–63
  characters each); internationalised (IDN) domains only in their ASCII ``xn--`` form.
* ``tld`` — 2–24 ASCII letters, or an ``xn--`` label.

Checked by syntax only. All classes are ASCII, so an address glued to Chinese text
(``邮箱abc@x.com联系``) never swallows the Chinese characters.
"""

from __future__ import annotations

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer


class EmailRecognizer(PatternRecognizer):
    entity = "EMAIL"
    patterns = (
        Pattern(
            "email",
            r"(?<![A-Za-z0-9._%+\-])"
            r"(?P<v>[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9]{1,59}))"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            0.85,
        ),
    )
    context = ("邮箱", "邮件", "email", "e-mail", "mail")
    header_hints = ("邮箱", "邮件", "email", "e-mail", "mail")
    prefilter = r"[@＠]"
    fast_cell_regex = r"^[A-Za-z0-9._%+\-]{1,64}@(?:[A-Za-z0-9\-]{1,63}\.)+(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9]{1,59})$"

    def canonical(self, value: str) -> str:
        """The address with its domain lower-cased (the local part is case-sensitive)."""
        local, at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}" if at else value

    def canonical_series(self, values: pl.Series) -> pl.Series:
        # Most addresses are written in lower case: rebuild only those with an upper-case
        # letter after the last @ (two regex extractions per value cost 15x the test).
        upper = values.str.contains(r"@[^@]*[A-Z][^@]*$").fill_null(False)
        if not upper.any():
            return values
        idx = upper.arg_true()
        some = values.gather(idx)
        local = some.str.extract(r"^(.*)@[^@]*$", 1)
        domain = some.str.extract(r"@([^@]*)$", 1).str.to_lowercase()
        return values.clone().scatter(idx, (local + "@" + domain).fill_null(some))
