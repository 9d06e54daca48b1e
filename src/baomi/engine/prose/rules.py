"""Lexicon and context rules applied around any backend's spans.

* **Trigger rule** — a name right after a business trigger word (``甲方：``, ``联系人``,
  ``法定代表人``): a surname (single or compound) plus one or two given-name characters.
* **Title rule** — a name right before a form of address (``先生``, ``女士``, ``经理``, ``总``).
* **English trigger rule** — a name in Latin letters after an English form of address or a
  party and a colon (``Mr. Smith``, ``Dear John``, ``Buyer: John Smith``): its words that spell
  names.
* **Given-name rule** — a name in Latin letters with no word before it: a given name of
  Faker's lists and a surname (``Met Justin Glass.``), not where a place's or a company's word
  follows (:func:`~baomi.engine.prose.latin.given_name_spans`).
* **Foreign-script rule** — a Korean name in Hangul among other scripts' words, a Han or
  Japanese name in an English sentence (``Met 劉哲瑋.``, ``for 遠藤 美加子``): names the
  Chinese models do not read (:func:`~baomi.engine.prose.latin.foreign_script_names`).
  Both need a shape the batched scan finds in one Polars pass (``shaped``).
* **Clean-up** — spans are trimmed of punctuation and white space, and a name of three or more
  characters of a particle after it (杨想对 → 杨想); a one-character Han "name" and a span inside 《…》 (a book, film or game title) are dropped; a run of seven
  or more digits ending a span (a phone number glued to an address) is cut off; the rule's word is recorded as the finding's context.

Rules return :class:`RuleSpan` values in the coordinates of the text they were given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from baomi.engine.prose import lexicon
from baomi.engine.prose.latin import GIVEN_SHAPE, foreign_script_names, given_name_spans
from baomi.engine.prose.spans import EntitySpan

#: Confidence of a name found by a rule alone (the model did not tag it).
RULE_SCORE = 0.8
#: A digit run this long ending a span is an identifier (phone, ID), not a house number.
_LONG_DIGITS = 7
#: Added to a model span's confidence when a rule supports it.
CONTEXT_BOOST = 0.15
_TRIM = " \t\r\n　「」『』，。！？；：、,.!?;:\"'“”‘’（）()[]【】《》<>—-~…/\\|"
_HAN = "\u4e00-\u9fff"
#: The middle dots between the parts of a transliterated name (阿卜杜拉·买买提).
_MIDDLE_DOTS = "·•・‧"
#: Particles and prepositions that follow a name (杨想对服务满意, 王小的电话) and are hardly ever
#: the last character of a three-character name.
_TRAILING_FUNCTION_CHARS = frozenset("对的了是被把说")
#: Characters that are surnames but far more often a preposition or verb before a name.
_FUNCTION_CHARS = frozenset("和与在给向对请让叫找问是的了被把跟同及或由将为从")


@dataclass(frozen=True, slots=True)
class RuleSpan:
    """A span found or supported by a rule; ``word`` is the trigger or title that fired."""

    start: int
    end: int
    label: str
    rule: str
    word: str
    #: A trigger's name runs to the end of the text or to a character that is not Han
    #: (联系人：林晨到，…): the name is that whole run, so a model span that stops short of
    #: it (林晨) ends where the rule's does.
    closed: bool = False


#: English forms of address, and the parties of a contract or an order before a colon: a name
#: in Latin letters follows (``Mr. Smith``, ``Dear John``, ``Buyer: John Smith``) in an
#: English letter, e-mail or contract, which the Chinese models read poorly
LATIN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Dear", "Attn")
LATIN_PARTIES = (
    "Name",
    "Buyer",
    "Seller",
    "Purchaser",
    "Vendor",
    "Customer",
    "Client",
    "Contact",
    "Tenant",
    "Landlord",
    "Borrower",
    "Lender",
    "Guarantor",
    "Signed by",
    "Signature",
)
#: A CRM note's verbs of talking to someone, before the person's name (``Called Ernest
#: Richards at …``, ``spoke with Mary Jones``): no colon after them
LATIN_VERBS = tuple(
    form
    for verb in (
        "called",
        "spoke with",
        "spoke to",
        "talked to",
        "talked with",
        "met with",
        "emailed",
        "e-mailed",
        "contacted",
        "followed up with",
        "left a message for",
        "texted",
        "messaged",
    )
    for form in (verb, verb[0].upper() + verb[1:])
)


@cache
def rule_words() -> tuple[str, ...]:
    """The trigger and title words, longest first: every match of the rules holds one, and
    most texts have none."""
    words = {*lexicon.NAME_TRIGGERS, *lexicon.NAME_TRIGGERS_GLUED, *lexicon.NAME_TITLES}
    words |= {*LATIN_TITLES, *LATIN_PARTIES, *LATIN_VERBS}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


#: A capital Latin letter, and any Latin letter of a word (Latin-1 and Latin Extended-A)
_CAP = "[A-ZÀ-ÖØ-ÞĀ-ž]"
_LOW = "[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'\\-]"


@cache
def _latin_trigger() -> re.Pattern[str]:
    """A form of address (its point optional), a party and a colon or a verb of talking to
    someone, then one to three capitalised words."""
    titles = "|".join(LATIN_TITLES)
    parties = "|".join(LATIN_PARTIES)
    verbs = "|".join(re.escape(v) for v in sorted(LATIN_VERBS, key=len, reverse=True))
    return re.compile(
        rf"(?<![A-Za-z])(?P<w>(?:{titles})\.?|(?:{parties})[ ]?[:：]|(?:{verbs})(?=[ ]))[ ]*"
        # words of any Latin letters: ``Sébastien`` cut at its ``é`` left ``S``, read as a
        # name and met again in every masked ``S*****``
        rf"(?:(?P<v>{_CAP}{_LOW}*(?:[ ]{_CAP}{_LOW}*){{0,2}})(?!{_LOW})"
        # or a Korean name in Hangul (``Called 강민지 at …``): no Chinese model reads it
        r"|(?P<k>[\uac00-\ud7a3]{2,4})(?![\uac00-\ud7a3]))"
    )


def _latin_names(text: str) -> Iterator[RuleSpan]:
    """Names in Latin letters after an English title, party or verb (:data:`LATIN_TITLES`,
    :data:`LATIN_PARTIES`, :data:`LATIN_VERBS`): the words that spell names (pinyin, a
    romanisation, a name of Faker's lists: :func:`~baomi.engine.prose.latin.is_name_word`),
    from the first; none where the first does not (``Dear Sir``, ``Customer: Service
    Desk``). A Korean name in Hangul there is one whole."""
    from baomi.engine.prose.latin import is_name_word

    for m in _latin_trigger().finditer(text):
        if m["k"] is not None:
            yield RuleSpan(m.start("k"), m.end("k"), "PER", "trigger", m["w"])
            continue
        words = m.group("v").split(" ")
        kept = 0
        while kept < len(words) and len(words[kept]) > 1 and is_name_word(words[kept]):
            kept += 1
        if kept:
            start = m.start("v")
            yield RuleSpan(start, start + len(" ".join(words[:kept])), "PER", "trigger", m["w"])


@cache
def _words() -> re.Pattern[str]:
    """Any of :func:`rule_words` (a literal search costs a tenth of the three rules'
    regexes)."""
    return re.compile("|".join(re.escape(w) for w in rule_words()))


def _longest_first(words: Iterable[str]) -> str:
    """An alternation of ``words``, the longest first (``re`` takes the first that fits)."""
    return "|".join(sorted(words, key=len, reverse=True))


@cache
def _titles() -> re.Pattern[str]:
    """Any of the title words the title rule's names end with."""
    return re.compile(_longest_first(lexicon.NAME_TITLES))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    surnames = "".join(sorted(set(lexicon.SURNAMES)))
    compound = _longest_first(lexicon.COMPOUND_SURNAMES)
    name = rf"(?:{compound}|[{surnames}])[{_HAN}]{{1,2}}"
    # a transliterated name, its parts joined by a middle dot (阿卜杜拉·买买提): after a
    # trigger word only, where it is tried first
    dotted = rf"[{_HAN}]{{1,8}}(?:[{_MIDDLE_DOTS}][{_HAN}]{{1,8}}){{1,2}}(?![{_HAN}{_MIDDLE_DOTS}])"
    triggers = _longest_first(lexicon.NAME_TRIGGERS)
    glued = _longest_first(lexicon.NAME_TRIGGERS_GLUED)
    titles = _longest_first(lexicon.NAME_TITLES)
    after = rf"(?=$|[^{_HAN}]|{titles}|(?:身份证|电话|手机|住|地址|联系|签|现|于|已|的|和|与|、))"
    trigger_rx = re.compile(
        rf"(?P<w>{triggers})(?:[（(][^）)]{{0,8}}[）)])?(?:[:：]\s*|\s+|为|是)"
        rf"(?P<v>{dotted}|{name}{after})"
    )
    # A glued trigger is not the end of a longer word: 客户名单, 用户名, 账户名称.
    glued_rx = re.compile(rf"(?<![客用])(?P<w>{glued})(?![称字])(?P<v>{name}){after}")
    title_rx = re.compile(rf"(?P<v>{name})(?P<w>{titles})")
    return trigger_rx, glued_rx, title_rx


#: After 总 these characters make a word (总裁, 总监, 总部), not a form of address.
_AFTER_TITLE_OK = frozenset("说让要在的好您你吗呢已也和跟对问讲，。！？、：；")


def _title_continues(text: str, pos: int) -> bool:
    """Whether the title 总 at ``pos - 1`` is the start of a word (总裁, 总部)."""
    return (
        pos < len(text) and "\u4e00" <= text[pos] <= "\u9fff" and text[pos] not in _AFTER_TITLE_OK
    )


def _dotted_place(value: str) -> bool:
    """A dotted run after 乙方 that is a company or a place (碧桂园·凤凰酒店有限公司), not a
    transliterated name: it ends as organisations and addresses end."""
    if not any(d in value for d in _MIDDLE_DOTS):
        return False
    return value.endswith(lexicon.ORG_SUFFIXES) or value[-1] in lexicon.ADDRESS_CHARS


def _trigger(text: str, m: re.Match[str]) -> RuleSpan:
    end = m.end("v")
    closed = end == len(text) or not "\u4e00" <= text[end] <= "\u9fff"
    return RuleSpan(m.start("v"), end, "PER", "trigger", m.group("w"), closed)


def rule_spans(text: str, shaped: bool = True) -> list[RuleSpan]:
    """Person names found by the rules; ``shaped=False``: the text is known to have none of
    the shapes the given-name and foreign-script rules need (their checks are skipped)."""
    return list(_rule_spans(text, shaped))


@lru_cache(maxsize=16)
def _rule_spans(text: str, shaped: bool) -> tuple[RuleSpan, ...]:
    """:func:`rule_spans`, remembered for the last texts: the name recognizer and the address
    and organisation recognizers (their vetoes) ask for the same text one after the other."""
    # a capital letter (``lower`` runs in C; a Chinese note has none) before any regex: ``re``
    # trying the given-name shape at every character of every note cost +3 % of a default
    # scan's CPU, and a generator over the characters looking for an ASCII capital (the English
    # trigger rule's) ~5 % of the notes column's
    capital = text.lower() != text
    paired = shaped and capital and _given_shape().search(text) is not None
    if _words().search(text) is None:
        if not shaped:
            return ()
        return (tuple(_given_names(text, [])) if paired else ()) + _foreign_names(text)
    trigger_rx, glued_rx, title_rx = _patterns()
    out: list[RuleSpan] = []
    for m in trigger_rx.finditer(text):
        if not _dotted_place(m.group("v")):
            out.append(_trigger(text, m))
    if "名" in text:  # every glued trigger ends in 名 (the regex is the slowest of the three)
        for m in glued_rx.finditer(text):
            out.append(_trigger(text, m))
    if capital:  # the English trigger rule's names start with one
        out.extend(_latin_names(text))
    # the title rule tries a surname at every character: only where a title word is (a
    # literal search costs a tenth of it; a CRM note holding a trigger word mostly has none)
    for m in title_rx.finditer(text) if _titles().search(text) is not None else ():
        start, end = m.start("v"), m.end("v")
        # 请联系张伟先生: the regex may start one character early ("系张伟" is not a name).
        if end - start == 3 and (
            text[start] not in lexicon.SURNAMES or text[start] in _FUNCTION_CHARS
        ):
            start += 1
        if m.group("w") == "总" and (end - start < 2 or _title_continues(text, m.end())):
            continue
        out.append(RuleSpan(start, end, "PER", "title", m.group("w")))
    if paired:
        given = list(_given_names(text, out))
        # a given name and its surname hold the English trigger rule's shorter name
        # (``spoke to Bruce Ollenbrook``: ``Ollenbrook`` is in no list, the trigger kept ``Bruce``)
        out = [r for r in out if not any(_holds(g, r) for g in given)]
        out.extend(given)
    if not shaped:
        return tuple(out)
    foreign = [
        r for r in _foreign_names(text) if not any(r.start < o.end and o.start < r.end for o in out)
    ]
    return tuple(out + foreign)


def _foreign_names(text: str) -> tuple[RuleSpan, ...]:
    """Korean names in Hangul and Han names beside English words
    (:func:`~baomi.engine.prose.latin.foreign_script_names`)."""
    return tuple(RuleSpan(s, e, "PER", "foreign", "") for s, e in foreign_script_names(text))


@cache
def _given_shape() -> re.Pattern[str]:
    return re.compile(GIVEN_SHAPE)


def _given_names(text: str, found: list[RuleSpan]) -> Iterator[RuleSpan]:
    """Names in Latin letters by their given name (:func:`~baomi.engine.prose.latin.
    given_name_spans`: ``Met Justin Glass.``) where no other rule found one, or one inside
    it."""
    for start, end, given in given_name_spans(text):
        span = RuleSpan(start, end, "PER", "given", given)
        if not any(r.start < end and start < r.end and not _holds(span, r) for r in found):
            yield span


def _holds(outer: RuleSpan, inner: RuleSpan) -> bool:
    """Whether ``outer`` holds ``inner`` and more."""
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.start, outer.end) != (inner.start, inner.end)
    )


#: A 《title》 is looked for this many characters around a span (titles are short; an
#: unbounded search made every span cost the length of the text).
_TITLE_REACH = 100


def _in_title(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside 《…》 (a book, film or game title, not PI)."""
    opened = text.rfind("《", max(0, start - _TITLE_REACH), start)
    if opened < 0 or text.rfind("》", opened, start) >= 0:
        return False
    closed = text.find("》", end, end + _TITLE_REACH)
    return closed >= 0 and text.find("《", end, closed) < 0


def clean(text: str, span: EntitySpan) -> EntitySpan | None:
    """Trim punctuation from the span's edges; drop spans that are too short to be entities."""
    bounds = clean_bounds(text, span.start, span.end, span.label)
    if bounds is None:
        return None
    if bounds == (span.start, span.end):
        return span
    return EntitySpan(bounds[0], bounds[1], span.label, span.score)


def clean_bounds(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """:func:`clean` of the span ``[start, end)`` labelled ``label``: its new bounds, or
    None where it is dropped."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    # A long digit run at the end is a phone or ID number, not a house or room number: leave
    # it to the identifier recognizers (their findings would otherwise lose the overlap).
    digits = end
    while digits > start and text[digits - 1].isdigit():
        digits -= 1
    if end - digits >= _LONG_DIGITS:
        end = digits
        while end > start and text[end - 1] in _TRIM:
            end -= 1
    if end <= start or _in_title(text, start, end):
        return None
    if label == "PER" and end - start >= 3 and text[end - 1] in _TRAILING_FUNCTION_CHARS:
        end -= 1  # 回访：杨想对服务满意 — the model took 对 into the name
    if label == "PER" and end - start == 1 and not text[start].isascii():
        return None
    return start, end
