"""姓名 / 地址 / 单位名称 in free prose — a sequence model plus context rules.

Text-mode recognizers (``column_only = False``) for contracts, CRM remarks, complaint logs and
chat exports. A prose NER backend (:mod:`baomi.engine.prose.backends`: the shipped character
CRF by default, Baidu LAC as an option) tags person, address and organisation spans on the
NFKC-normalised text with ``,:;!?()`` in their full-width forms (the model was trained on
them); offsets are mapped back to the original text.

Person names also come from two rules (:mod:`baomi.engine.prose.rules`): a trigger word before
the name (``甲方：``, ``联系人``, ``法定代表人``) or a title after it (``先生``, ``女士``,
``经理``). A rule that agrees with the model raises the score, never below what the rule
alone gives, :data:`~baomi.engine.prose.rules.RULE_SCORE`. A "name" that is a common dictionary word
(祝福) is dropped unless a rule supports it. An address or organisation span that overlaps a
name right after a trigger word is dropped (户名苑浩: 苑 ends many estate names, but after 户名
it is a surname), and a model name that a trigger rule overlaps is widened to cover the rule's
name to start where the rule's name starts (户名师玉兰: the model's 玉兰 left the surname
out). A company that is only "to the company" (送货到公司) is not one. The three recognizers share one tagging per text.

The backend is chosen when the recognizer is constructed: the ``backend`` argument (a name or
an object with ``name`` and ``tag(text)``), else ``BAOMI_NER_BACKEND=crf|lac|accurate``, else ``crf``.
Names, addresses and organisations are general PI (not PIPL-28 sensitive).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

import polars as pl

from baomi.engine import divisions
from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.prose.backends import NerBackend, get_backend
from baomi.engine.prose.latin import (
    FOREIGN_SHAPE,
    GIVEN_SHAPE,
    implausible_latin_name,
    is_name_word,
    join_latin,
    latin_words,
)
from baomi.engine.prose.lexicon import common_words
from baomi.engine.prose.rules import (
    CONTEXT_BOOST,
    LATIN_PARTIES,
    LATIN_TITLES,
    LATIN_VERBS,
    RULE_SCORE,
    RuleSpan,
    clean_bounds,
    rule_spans,
    rule_words,
)
from baomi.engine.prose.script import simplified, t2s_pairs, traditional_class
from baomi.engine.prose.spans import EntitySpan
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.recognizers.generic.latin_address import in_a_place
from baomi.engine.types import Explanation, Finding, Validation

_WORDY = re.compile(r"[^\W\d_]")  # a letter or a CJK character

#: Highest score a prose finding gets: it is never "confirmed" like a check digit.
MAX_SCORE = 0.95

#: Punctuation that normalisation turns into ASCII, and the full-width forms the model was
#: trained on (Chinese text is written with them): fed "回访:方杨对…" it tagged "杨对".
_FULL_WIDTH_PUNCT = tuple(zip(",:;!?()", "，：；！？（）", strict=True))
_ASCII_PUNCT = [a for a, _ in _FULL_WIDTH_PUNCT]
_FULL_WIDTH_FORMS = [f for _, f in _FULL_WIDTH_PUNCT]


def model_text(norm: NormalizedText) -> str:
    """The text the prose model tags: the normalised text (same offsets) with ``,:;!?()`` in
    their full-width forms (``str.replace`` per character: ten times quicker here than
    ``str.translate`` on non-ASCII text) and traditional characters in their simplified forms
    (:func:`~baomi.engine.prose.script.simplified`: the models were trained on simplified
    text)."""
    global _LAST
    last = _LAST
    if last[0] is norm.text:  # the three recognizers of one text ask in turn
        return last[1]
    text = norm.text
    for ascii_form, full_width in _FULL_WIDTH_PUNCT:
        text = text.replace(ascii_form, full_width)
    text = simplified(text)
    _LAST = (norm.text, text)
    return text


#: The last text :func:`model_text` was given (by identity) and its result.
_LAST: tuple[str, str] = ("", "")


class ProseNerRecognizer(Recognizer):
    """Base of the prose recognizers: one backend label → one entity."""

    label: ClassVar[str]
    column_only = False
    model_based = True
    #: Only cells with Chinese text reach the model.
    prefilter = r"\p{Han}{2}"

    def __init__(self, backend: NerBackend | str | None = None) -> None:
        self.backend: NerBackend = (
            get_backend(backend) if backend is None or isinstance(backend, str) else backend
        )

    def __reduce__(self) -> tuple[type[ProseNerRecognizer], tuple[str]]:
        """Pickle by backend name (scan workers rebuild the model; a tagger is a C object)."""
        return type(self), (self.backend.name,)

    def model_text(self, norm: NormalizedText) -> str:
        """The text given to the backend for ``norm`` (see :func:`model_text`)."""
        return model_text(norm)

    def model_texts(self, norms: Sequence[NormalizedText]) -> list[str]:
        """:meth:`model_text` of each of ``norms``, the punctuation replaced in one Polars
        pass (the batched scan's texts)."""
        given = self.model_texts_of(pl.Series([norm.text for norm in norms], dtype=pl.String))
        if given is None:
            return [self.model_text(norm) for norm in norms]
        return given.to_list()

    def model_texts_of(self, texts: pl.Series) -> pl.Series | None:
        """:meth:`model_texts` from the normalised texts alone (a String series), or None
        where a subclass makes its model text otherwise (it needs the
        :class:`NormalizedText`)."""
        if type(self).model_text is not ProseNerRecognizer.model_text:
            return None
        given = texts.str.replace_many(_ASCII_PUNCT, _FULL_WIDTH_FORMS)
        # traditional characters simplified where a text has one (a search of the class costs
        # ~10 ms per 25,000 notes, replacing every text's ~25)
        traditional = given.str.contains(traditional_class()).fill_null(False)
        if traditional.any():
            pairs = t2s_pairs()
            rows = traditional.arg_true()
            old, new = [t for t, _ in pairs], [s for _, s in pairs]
            given = given.scatter(rows, given.gather(rows).str.replace_many(old, new))
        return given

    def rules(self, text: str) -> list[RuleSpan]:
        """Rule spans supporting or adding findings of this entity (none by default)."""
        return []

    def shaped_rules(self, text: str, shaped: bool) -> list[RuleSpan]:
        """:meth:`rules`; ``shaped=False``: the text has no :meth:`rule_shape`, and the rules
        that need it may be skipped (by default all are tried)."""
        return self.rules(text)

    def implausible(self, value: str) -> bool:
        """Whether a model span no rule supports is unlikely to be this entity (default: no)."""
        return False

    def implausible_at(self, text: str, start: int, end: int) -> bool:
        """:meth:`implausible` of the span ``text[start:end]``, for a test that needs what
        is around it (default: the value alone)."""
        return self.implausible(text[start:end])

    def vetoes(self, text: str) -> list[RuleSpan]:
        """Rule spans of another entity that a model span of this one must not overlap."""
        return []

    def joined(
        self, text: str, spans: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """The model's spans of ``text`` with those that are parts of one mention joined
        (default: as they are)."""
        return spans

    def analyze(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        norm = norm or normalize(text)
        if not norm.text.strip():
            return []
        entity, name, unknown = self.entity, self.name, Validation.UNKNOWN
        return [
            Finding(
                entity=entity,
                start=start,
                end=end,
                score=score,
                explanation=Explanation(name, pattern, unknown, word),
                value=value,
            )
            for start, end, score, pattern, word, value in self.prose_rows(
                norm, self.backend.tag(self.model_text(norm))
            )
        ]

    def prose_rows(self, norm: NormalizedText, tagged: Sequence[EntitySpan]) -> list[ProseRow]:
        """:meth:`analyze`'s findings in ``norm`` (whose text is not blank) as plain tuples,
        from ``tagged``, the backend's spans of :meth:`model_text`: the batched scan
        (:func:`baomi.engine.batch.analyze_column`) frames them without a :class:`Finding`
        each. The validation is always :attr:`Validation.UNKNOWN`."""
        label = self.label
        return self.label_rows(
            norm, [(s.start, s.end, s.score) for s in tagged if s.label == label]
        )

    def rule_words(self) -> tuple[str, ...] | None:
        """Words one of which every text holds where :meth:`rules` or :meth:`vetoes` gives
        a span (None: any text may). A text with none of them and no tagged span of this
        recognizer's label gives no row (the batched scan skips it), and
        :meth:`label_rows` needs neither method for it (``ruled=False``)."""
        cls = type(self)
        rules, vetoes = cls.rules, cls.vetoes
        if rules is ProseNerRecognizer.rules and vetoes is ProseNerRecognizer.vetoes:
            return ()
        if (rules, vetoes) in _WORDED:  # the shipped trigger and title rules
            return rule_words()
        return None

    def rule_shape(self) -> str | None:
        """A regex (Rust ``regex`` and Python ``re`` alike) that a text matches where
        :meth:`rules` may give a span without any of the :meth:`rule_words` (None: none)."""
        return None

    @property
    def adds_rule_rows(self) -> bool:
        """Whether :meth:`rules` can add rows of their own (a text with a rule word but no
        tagged span of this label gives rows only then)."""
        return type(self).rules is not ProseNerRecognizer.rules

    def label_rows(
        self,
        norm: NormalizedText,
        spans: Sequence[tuple[int, int, float]],
        ruled: bool = True,
    ) -> list[ProseRow]:
        """:meth:`prose_rows` from the ``(start, end, score)`` of the tagged spans of this
        recognizer's label only, in the tagger's order; ``ruled=False``: the text holds none
        of the :meth:`rule_words` (its rules and vetoes are not looked for)."""
        return self.text_rows(norm.text, None if norm.offsets is None else norm, spans, ruled)

    def text_rows(
        self,
        text: str,
        norm: NormalizedText | None,
        spans: Sequence[tuple[int, int, float]],
        ruled: bool = True,
        shaped: bool = True,
    ) -> list[ProseRow]:
        """:meth:`label_rows` of the normalised ``text``; ``norm``: its
        :class:`NormalizedText` where offsets change (None: the same offsets as the
        original, no object needed — the batched scan's common case); ``shaped=False``: the
        text has no :meth:`rule_shape` (the batched scan's Polars pass said so)."""
        label = self.label
        kept: list[tuple[int, int, float]] = []
        for raw_start, raw_end, raw_score in spans:
            bounds = clean_bounds(text, raw_start, raw_end, label)
            # A span of digits and punctuation only (a phone in parentheses) is never a name,
            # an address or an organisation; leave it to the identifier recognizers.
            if bounds is not None and _WORDY.search(text, bounds[0], bounds[1]):
                kept.append((bounds[0], bounds[1], raw_score))
        if kept and ruled and (vetoes := self.vetoes(text)):
            kept = [s for s in kept if not any(v.start < s[1] and s[0] < v.end for v in vetoes)]
        if len(kept) > 1:
            kept = self.joined(text, kept)
        out: list[ProseRow] = []
        rules = self.shaped_rules(text, shaped) if ruled else []
        used: set[int] = set()
        pattern = f"{self.backend.name}:{label}"
        cls = type(self)
        checked = (
            cls.implausible is not ProseNerRecognizer.implausible
            or cls.implausible_at is not ProseNerRecognizer.implausible_at
        )
        for span_start, span_end, span_score in kept:
            support = (
                next(
                    (i for i, r in enumerate(rules) if r.start < span_end and span_start < r.end),
                    None,
                )
                if rules
                else None
            )
            if support is None and checked and self.implausible_at(text, span_start, span_end):
                continue
            word = None
            score = span_score
            start, end = span_start, span_end
            if support is not None:
                used.add(support)
                rule = rules[support]
                word = rule.word
                # never below the rule alone: an unsure model span (户名艾利, 0.32) the
                # trigger supports scored under the threshold and the name was not protected
                score = max(score + CONTEXT_BOOST, RULE_SCORE)
                if rule.rule == "trigger":
                    # The name starts right after the trigger word: the model's 玉兰 in
                    # 户名师玉兰 left the surname out, its 户名黄东 took the word in. Its end
                    # is kept (the rule's is only the longest that fits) unless the name runs
                    # to a punctuation mark or the end (处理人：曹思宛；): the model's 曹思
                    # stopped at a rare character.
                    start = rule.start
                    if rule.closed and end < rule.end:
                        end = rule.end
                elif rule.rule in ("given", "foreign"):
                    # the rule's name whole (the models tag ``Lisa`` of ``Lisa Tervanne``,
                    # ``遠藤`` of ``遠藤 美加子``), and of the model's span beyond it only Latin
                    # words that spell names (``Cheung`` of ``Cheung Tai Man``, not
                    # ``Meridex`` of ``Kevin A. Tull Meridex``)
                    start = (
                        start
                        if start < rule.start and _names(text, start, rule.start)
                        else rule.start
                    )
                    end = end if end > rule.end and _names(text, rule.end, end) else rule.end
            out.append(_row(text, norm, start, end, score, pattern, word))
        for i, r in enumerate(rules):
            if i in used or any(r.start < s[1] and s[0] < r.end for s in kept):
                continue
            out.append(_row(text, norm, r.start, r.end, RULE_SCORE, f"rule:{r.rule}", r.word))
        return out


#: One prose finding: start, end (in the original text), score, pattern, context word, value.
ProseRow = tuple[int, int, float, str, str | None, str]


def _names(text: str, start: int, end: int) -> bool:
    """Whether the Latin words of ``text[start:end]`` all spell names (and there is one)."""
    words = latin_words(text[start:end])
    return bool(words) and all(is_name_word(w) for w in words)


def _row(
    text: str,
    norm: NormalizedText | None,
    start: int,
    end: int,
    score: float,
    pattern: str,
    word: str | None,
) -> ProseRow:
    o_start, o_end = (start, end) if norm is None else norm.span(start, end)
    return o_start, o_end, round(min(score, MAX_SCORE), 2), pattern, word, text[start:end]


class ProsePersonNameRecognizer(ProseNerRecognizer):
    """姓名 in prose: model spans labelled ``PER`` plus the trigger and title rules."""

    entity = "PERSON_NAME"
    label = "PER"
    #: Chinese text, or English with a form of address, a party and a colon or a verb of
    #: talking to someone before a name (``Dear John``, ``Buyer: John Smith``, ``Called John
    #: Smith``: the English trigger rule's words), or two capitalised words (``Justin Glass``:
    #: the given-name rule's shape), a Hangul word or a Han character after a Latin word and a
    #: blank (``for 林 茂``: the foreign-script rule's)
    prefilter = (
        r"\p{Han}{2}|(?:"
        + "|".join(LATIN_TITLES)
        + r")\.?[ ]*[A-ZÀ-ÖØ-Þ\uac00-\ud7a3]|(?:"
        + "|".join(LATIN_PARTIES)
        + r") ?[:：]|(?:"
        + "|".join(v.replace("-", r"\-") for v in LATIN_VERBS)
        + r") [A-ZÀ-ÖØ-Þ\uac00-\ud7a3]|"
        + GIVEN_SHAPE
        + r"|[\uac00-\ud7a3]{2}|[A-Za-z] [\u3400-\u9fff\uf900-\ufaff]"
    )
    #: As for the column-context names: the model reads isolated words (金卡, a gold card) as
    #: names, so a column of a few repeated words (会员等级) does not become text by it.
    min_distinct_share = 0.2

    def rules(self, text: str) -> list[RuleSpan]:
        return rule_spans(text)

    def shaped_rules(self, text: str, shaped: bool) -> list[RuleSpan]:
        return rule_spans(text, shaped)

    def rule_shape(self) -> str | None:
        """Two capitalised words, a Hangul word, a Han character beside a Latin word: the
        given-name and foreign-script rules need no rule word."""
        return f"{GIVEN_SHAPE}|{FOREIGN_SHAPE}"

    def implausible(self, value: str) -> bool:
        """A common dictionary word (祝福, 客户), a country or a province (中国, 美国, 广东) is
        not a name unless a trigger or title says so."""
        return value in common_words() or value in divisions.broad_places()

    def joined(
        self, text: str, spans: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """The words of one name in Latin letters joined: the models tag ``John`` and
        ``Smith`` apart, one person counted twice and masked as two names (:func:`join_latin`)."""
        return join_latin(text, spans)

    def implausible_at(self, text: str, start: int, end: int) -> bool:
        """Also a span of Latin letters that is no name's spelling (``Sales Report``) or cuts
        a Latin word (``Custome`` of ``CustomerList``): :mod:`baomi.engine.prose.latin`; or
        one in a place's name in Latin letters (``Baker Street``,
        :func:`~baomi.engine.recognizers.generic.latin_address.in_a_place`)."""
        value = text[start:end]
        return (
            implausible_latin_name(text, start, end)
            or self.implausible(value)
            or (value.isascii() and in_a_place(text, start, end))
        )


def _trigger_names(text: str) -> list[RuleSpan]:
    """Names right after a trigger word (户名苑浩, 联系人：张三): never an address or a company."""
    return [r for r in rule_spans(text, shaped=False) if r.rule == "trigger"]


class ProseAddressRecognizer(ProseNerRecognizer):
    """地址 in prose: model spans labelled ``ADDR`` (divisions, streets, numbers)."""

    entity = "ADDRESS"
    label = "ADDR"

    def vetoes(self, text: str) -> list[RuleSpan]:
        return _trigger_names(text)


#: 送货到公司, 回公司: a verb or preposition of movement before a bare 公司 is "the office".
_TO_THE_COMPANY = re.compile(r"^.?[到去回在来往离进出至]公司$")


class ProseOrganizationRecognizer(ProseNerRecognizer):
    """单位名称 in prose: model spans labelled ``ORG`` (company, bank, school names)."""

    entity = "ORGANIZATION"
    label = "ORG"

    def implausible(self, value: str) -> bool:
        """货到公司 (from 送货到公司) is a place one goes to, not a company's name."""
        return _TO_THE_COMPANY.match(value) is not None

    def vetoes(self, text: str) -> list[RuleSpan]:
        return _trigger_names(text)


#: (rules, vetoes) of the recognizers whose rule and veto spans all come from
#: :func:`~baomi.engine.prose.rules.rule_spans` (a subclass with its own has no rule words).
_WORDED = {
    (ProsePersonNameRecognizer.rules, ProseNerRecognizer.vetoes),
    (ProseNerRecognizer.rules, ProseAddressRecognizer.vetoes),
    (ProseNerRecognizer.rules, ProseOrganizationRecognizer.vetoes),
}
