"""Whether a span of Latin letters the prose model tagged as a person's name can be one.

The character models were trained on Chinese text, where a capitalised Latin word is most
often a name; in business text it is as often a product, a report or a file
(``请查看 Sales Report``, ``导出到 Excel``, ``CustomerList.xlsx``). A model span with no rule
behind it is judged by its Latin words:

* a span that starts or ends inside a Latin word (``Custome`` of ``CustomerList``) is no name;
* a span with a word that is no name's spelling is none (``Report``, ``Excel``, ``VIP``). A
  name's spelling is pinyin (``Zhang Wei``, ``XiaoMing``), a common Cantonese or Wade–Giles
  romanisation (``Cheung``, ``Hsieh``), or a given name or surname of Faker's person lists in
  any locale (``John``, ``Svensson``, ``Tomaszewski``);
* a span whose every word is also an English word (``Sales``, ``Mark``, ``Will`` — the words
  of Faker's other en_US lists) is judged by the Latin phrase it stands in: none beside a word
  that is no name (``Sales Report``), a name beside a name that is no English word
  (``Mark Smith``) or alone (``请 Will 回电``: a reader could not tell either, and a missed name
  is a leak where a masked word is not).

A trigger word or a title (``联系人：Sales``) still makes any span a name
(:meth:`~baomi.engine.recognizers.cn.prose_ner.ProseNerRecognizer.implausible_at` is only asked
about spans no rule supports). The models tag the words of a Latin name apart (``John``,
``Smith``): :func:`join_latin` makes them one name first. The name column's recognizer reads
Latin names with the same word lists (:func:`is_name_word`), and the ``pseudonym`` operator
draws new ones from Faker's.

The lists hold spellings, not people: no real person's name is listed.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from baomi.engine.prose import lexicon

#: The syllables of Hanyu Pinyin, without tones (ü written ``v``, ``u`` or ``ü``).
_PINYIN = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang
cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan
chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di
dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng
fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai
han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao
jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai
kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu
lo long lou lu luan lun luo lv lve lue lü lüe ma mai man mang mao me mei men meng mi mian miao
mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning
niu nong nou nu nuan nuo nv nve nue nü nüe o ou pa pai pan pang pao pei pen peng pi pian piao
pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang
rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai
shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song
sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui
tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan
xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei
zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan
zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
PINYIN = frozenset(_PINYIN.split())

#: Romanisations of Chinese names that are not pinyin: Hong Kong and Macau (Cantonese) and
#: Taiwan (Wade–Giles and its variants) — surnames and the commonest given-name syllables.
_ROMANISED_TEXT = """
au chak chau cheuk cheung chien chiang chik chim chin ching chiu choi chow chueh chuen chuk
chung chuang fai fok fong fung hau hei hing hoi hon hsia hsiao hsieh hsin hsing hsiu hsiung hsu
hsueh hung kam keung kei ki kin kit ko kok kong kuo kwai kwan kwok kwong lai lam lau leung lok
loke lui lum mak man mok ng ngai pak poon pui sau sheung shing shek shiu sik siu sum sze tak
tam tat tsai tsang tsao tse tseng tsoi tsui tsz tung wah wai wing wong yat yau yee yeh yeung yik
yim yin yip yiu yuen yuk
"""
ROMANISED = frozenset(_ROMANISED_TEXT.split())

#: Words of a greeting or a title that stand before a name (``Dear Mary``, ``Mr Lee``).
_GREETINGS = "dear hi hello hey mr mrs ms miss mister madam dr prof sir"
GREETINGS = frozenset(_GREETINGS.split())

_PINYIN_WORD = re.compile(
    "(?:" + "|".join(sorted(PINYIN, key=lambda s: (-len(s), s))) + ")+", re.IGNORECASE
)
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


#: The word lists as shipped (``python -m baomi.engine.prose.latin`` writes them from the
#: locked Faker; a test checks they are what it gives): importing Faker's eighty locales
#: cost a scan ~0.4 s, reading the files ~20 ms.
NAMES_FILE = "latin_names.txt"
ENGLISH_FILE = "english_words.txt"
GIVEN_FILE = "latin_given_names.txt"


def _shipped(name: str) -> frozenset[str]:
    text = (files("baomi.engine.prose") / name).read_text(encoding="utf-8")
    return frozenset(text.split())


@cache
def person_name_words() -> frozenset[str]:
    """Given names and surnames (lower case, each word of a multi-word one) of Faker's person
    providers in every locale: some 45,000 spellings (:data:`NAMES_FILE`), read once."""
    return _shipped(NAMES_FILE)


@cache
def english_words() -> frozenset[str]:
    """The words (lower case) of Faker's en_US lists other than people's names — lorem text,
    job titles, company slogans, addresses, colours, products: some 5,900 common English
    words (:data:`ENGLISH_FILE`), read once."""
    return _shipped(ENGLISH_FILE)


@cache
def given_name_words() -> frozenset[str]:
    """Given names (lower case, each word of a multi-word one) of Faker's person providers in
    every locale: some 21,000 spellings (:data:`GIVEN_FILE`), read once."""
    return _shipped(GIVEN_FILE)


def faker_person_words(*, given_only: bool = False) -> frozenset[str]:
    """:func:`person_name_words` from Faker itself (what :func:`build` writes);
    ``given_only``: :func:`given_name_words`."""
    import faker.providers.person as providers

    words: set[str] = set()
    for info in pkgutil.iter_modules(providers.__path__):
        try:
            provider = importlib.import_module(f"{providers.__name__}.{info.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in dir(provider):
            if "name" not in attr or ("first" not in attr and "last" not in attr):
                continue
            if given_only and "first" not in attr:
                continue
            value = getattr(provider, attr, None)
            if not isinstance(value, dict | tuple | list | set | frozenset):
                continue
            for name in value:
                if isinstance(name, str):
                    words.update(w.lower() for w in _LATIN_WORD.findall(name))
    return frozenset(words)


def faker_english_words() -> frozenset[str]:
    """:func:`english_words` from Faker itself (what :func:`build` writes)."""
    import faker.providers as providers

    words: set[str] = set()

    def take(value: object, depth: int = 0) -> None:
        if isinstance(value, str):
            words.update(w.lower() for w in _LATIN_WORD.findall(value))
        elif depth < 3 and isinstance(value, dict):
            for k, v in value.items():
                take(k, depth + 1)
                take(v, depth + 1)
        elif depth < 3 and isinstance(value, list | tuple | set | frozenset):
            for v in value:
                take(v, depth + 1)

    for info in pkgutil.walk_packages(providers.__path__, providers.__name__ + "."):
        if not info.name.endswith(".en_US") or ".person." in info.name:
            continue
        try:
            provider = importlib.import_module(info.name).Provider
        except (ImportError, AttributeError):
            continue
        for attr in dir(provider):
            value = getattr(provider, attr, None) if not attr.startswith("__") else None
            if isinstance(value, dict | list | tuple | set | frozenset):
                take(value)
    return frozenset(words)


def latin_words(text: str) -> list[str]:
    """The runs of Latin letters in ``text`` (``O'Neil`` → ``O``, ``Neil``)."""
    return _LATIN_WORD.findall(text)


def is_pinyin(word: str) -> bool:
    """Whether ``word`` is pinyin, syllables run together in any case (``XiaoMing``)."""
    return _PINYIN_WORD.fullmatch(word.lower()) is not None


def is_name_word(word: str) -> bool:
    """Whether one Latin word can be (part of) a person's name: an initial, a pinyin
    spelling, a romanisation of a Chinese name, or a name of Faker's lists. Pinyin may run
    syllables together, in any case (``XiaoMing``, ``ZHANGSAN``)."""
    if len(word) == 1:
        return True
    lower = word.lower()
    return is_pinyin(lower) or lower in ROMANISED or lower in person_name_words()


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts or ends inside a run of Latin letters
    (``Custome`` of ``CustomerList``)."""

    def letter(i: int) -> bool:
        return 0 <= i < len(text) and _LATIN_WORD.fullmatch(text[i]) is not None

    return (letter(start) and letter(start - 1)) or (letter(end - 1) and letter(end))


#: What may stand between two words of one name: a space, a hyphen, a point, a middle dot
_BETWEEN = re.compile(r"[ \-.·]{1,2}")


def join_latin(text: str, spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """``spans`` (start, end, score; in text order) with neighbours that are words of one name
    in Latin letters joined (``John`` + ``Smith`` → ``John Smith``, ``Mary``-``Jane``): both
    Latin letters only, nothing but a space, a hyphen, a point or a middle dot between them,
    the first no greeting or title (``Dear`` | ``Mary``, ``Mr`` | ``Lee``), and each word a
    name's spelling: a word that is none (``Customer`` | ``Mary``, ``Sales`` | ``Report``) is
    judged apart, so it cannot take a name down with it.
    The joined span scores as its surer part; whether it is a name is judged whole after
    (:func:`implausible_latin_name`)."""
    out: list[tuple[int, int, float]] = []
    # whether out[i] can take the next word: Latin words only, no greeting (Dear | Mary), each
    # a name's spelling (Customer | Mary: judged apart); None: not judged yet. A joined span
    # can (its words could, and a greeting is one word): judged once, not at every join —
    # a run of initials (a b a b …) joined word by word is linear, not quadratic
    takes: list[bool | None] = []
    for start, end, score in spans:
        if out:
            p_start, p_end, p_score = out[-1]
            if (
                p_end <= start
                and _BETWEEN.fullmatch(text, p_end, start)
                and _LATIN_WORD.fullmatch(text, start, end)
                and _spells_names(text[start:end])
            ):
                if takes[-1] is None:
                    before = text[p_start:p_end]
                    takes[-1] = bool(
                        _LATIN_RUN.fullmatch(text, p_start, p_end)
                        and before.lower() not in GREETINGS
                        and _spells_names(before)
                    )
                if takes[-1]:
                    out[-1] = (p_start, end, max(p_score, score))
                    continue
        out.append((start, end, score))
        takes.append(None)
    return out


def _spells_names(value: str) -> bool:
    return all(is_name_word(w) for w in _LATIN_WORD.findall(value))


#: a span joined already: Latin words and what may stand between them
_LATIN_RUN = re.compile(r"[A-Za-zÀ-ɏ]+(?:[ \-.·]{1,2}[A-Za-zÀ-ɏ]+)*")

#: A run of Latin words joined by a space, an underscore, a hyphen, a point or a middle dot.
_PHRASE = re.compile(r"[A-Za-zÀ-ɏ]+(?:[ _\-.'·][A-Za-zÀ-ɏ]+)*")


def phrase_words(text: str, start: int, end: int) -> list[str]:
    """The Latin words of the phrase (:data:`_PHRASE`) that ``text[start:end]`` stands in,
    lower case, greetings left out."""
    for m in _PHRASE.finditer(text, max(0, start - 200), min(len(text), end + 200)):
        if m.start() <= start and end <= m.end():
            return [w for w in (x.lower() for x in _LATIN_WORD.findall(m[0])) if w not in GREETINGS]
    return []


def implausible_latin_name(text: str, start: int, end: int) -> bool:
    """Whether the model span ``text[start:end]`` is no person's name by its Latin letters
    (the rules of the module's docstring). A span with a Chinese character or without Latin
    letters is judged only by whether it cuts a Latin word."""
    value = text[start:end]
    if _LATIN_WORD.search(value) is None:  # most spans: a name in Chinese characters
        return False
    if cuts_a_word(text, start, end):
        return True
    own = _LATIN_WORD.findall(value)
    if _HAN.search(value):
        return False
    if len(own) == 1 and own[0].lower() in _SENTENCE_WORDS:
        return True  # You, He, Here, The: a sentence's first word
    if any(not is_name_word(w) for w in own):
        return True
    english = english_words()
    if any(len(w) > 1 and w.lower() not in english for w in own):
        return False  # a name no English word is (John, Zhang, Cheung)
    # an English word and a name (Sales, Mark): no name beside a word that is none
    return any(not is_name_word(w) for w in phrase_words(text, start, end))


#: A sentence's first words that Faker lists as names somewhere or that spell pinyin (``You``,
#: ``He``, ``Here``): never a name alone (``Will``, ``May`` may be)
_SENTENCE_WORDS_TEXT = """
    the this that these those there here then when what which who whom why how you your he
    his him she her it its we our they their them and but or if is are was were yes no not
    """
_SENTENCE_WORDS = frozenset(_SENTENCE_WORDS_TEXT.split())

#: Capitalised words that stand first in places' and proper nouns' names more often than as
#: a given name (``San Jose``, ``Santa Clara``, ``Port Jonathan``, ``North Shannon``), and
#: words of a sentence that Faker lists as given names somewhere (``You``, ``Can``): the
#: sentence's words above and these
_NOT_GIVEN_TEXT = """
    than whose yours my mine hers nor for yet so as at by in of on to up be been has have had
    do does did can could may might must shall should will would all any each every some many
    much more most very just also only even still ever never always dear hi hello hey
    san santa saint sainte st ste port fort mount mt lake north south east west new old
    little big great grand upper lower los las el la le les de del della di da das dos van
    von der den ten ter bin ibn al general major judge doctor lady lord king queen prince
    princess sister brother baby junior senior royal happy merry good best
    """
_NOT_GIVEN = _SENTENCE_WORDS | frozenset(_NOT_GIVEN_TEXT.split())

#: How a verb or an adverb ends, where a word in no list is not read as a surname
#: (``Mrs Smith Called twice``; ``Reed``, ``Fielding`` are in the name lists)
_VERB_ENDS = ("ed", "ing", "ly")

#: Words after which a capitalised pair is a place, a company or a thing, not a person
#: (``Maple Street``, ``Grant Thornton LLP``, ``Madison Square Garden``): street words,
#: companies' and institutions' words
_PROPER_HEADS_TEXT = """
    street st road rd avenue ave boulevard blvd lane ln drive dr way court ct place pl terrace
    highway hwy parkway pkwy square sq alley crescent close circle row walk mews grove gardens
    garden hill hills park parks village villages valley view heights port ports station
    bridge creek river lake lakes island islands beach bay harbor harbour point plaza mall
    center centre tower towers building hall estate estates ridge run trail track landing
    land lodge manor meadow meadows mill mills mount mountain field fields forest glen green
    junction crossing crossroad pass passage path pike route throughway turnpike union wynd
    inc llc llp ltd plc corp corporation co company companies group holdings partners
    associates bank capital securities fund trust foundation institute university college
    tech technologies systems services solutions consulting energy power software
    school academy hospital clinic church cathedral chapel museum library theatre theater
    hotel motel inn restaurant grill cafe bar pub club team store stores shop market
    airport airlines airways motors media studio studios press news times post journal
    award awards prize act law county city town district province state region airport
    """
_PROPER_HEADS = frozenset(_PROPER_HEADS_TEXT.split())

#: A capitalised Latin word, and a surname's form (``McTavish``, ``O'Neil``, ``Bennett-Lees``)
_GIVEN_CAP = "[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+"
_GIVEN_WORD = rf"{_GIVEN_CAP}(?:-{_GIVEN_CAP})?"
#: A given name as it opens a name: a double name's second part may be its initial
#: (``Hans-H. Schulz``, ``Anna-M. Berger``)
_FIRST_WORD = rf"{_GIVEN_CAP}(?:-(?:{_GIVEN_CAP}|[A-Z]\.))?"
_SURNAME_WORD = rf"(?:Mc|Mac|O['’]|D['’])?{_GIVEN_WORD}"
#: A surname's particles (``Édouard de la Torres``, ``Bente van Northeim``)
_PARTICLE = "(?:" + "|".join(sorted(lexicon.SURNAME_PARTICLES, key=len, reverse=True)) + ")[ ]"
#: A given name, a middle name or an initial, a surname and its particles (``Justin Glass``,
#: ``Michael J. McTavish``, ``Mary Ann Smith``, ``Édouard de la Torres``): what
#: :func:`given_name_spans` judges
_GIVEN_PAIR = re.compile(
    rf"(?<![\w'’.@\-])(?P<g>{_FIRST_WORD})"
    rf"(?P<m>(?:[ ](?:[A-Z]\.|{_GIVEN_WORD}))?)[ ](?P<p>(?:{_PARTICLE}){{0,2}})(?P<s>{_SURNAME_WORD})"
    rf"(?![\w@'’\-])"
)
#: The shape :data:`_GIVEN_PAIR` needs, as a prefilter (Rust ``regex``, Python ``re``): a
#: capitalised word (its double name's initial), a space, an initial or particles, a capital
GIVEN_SHAPE = "[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:-[A-Z]\\.)? (?:[A-Z]\\. )?(?:[a-z]{1,5} ){0,2}[A-ZÀ-ÖØ-Þ]"
_NEXT_WORD = re.compile(r"[ ]([A-Za-z]+)")


def _given(word: str) -> bool:
    """Whether ``word`` (``Jean-Benjamin`` whole) is a given name's spelling and no word that
    more often starts a place's name or a sentence."""
    first, *rest = word.lower().split("-")
    # a double name's second part may be its initial (Hans-H.)
    parts = [first, *(p for p in rest if not (len(p) == 2 and p.endswith(".")))]
    return all(len(p) > 1 and p not in _NOT_GIVEN and p in given_name_words() for p in parts)


def _surname(word: str, *, any_word: bool = False) -> bool:
    """Whether ``word`` can end a person's name: a name's spelling (``Glass``), or a
    capitalised word no English word is (``Tervanne``, ``Ollenbrook``) — any word with
    ``any_word`` (after a surname's particle: ``de la Torres``) — and not a street's, a
    company's or a place's word (``Mrs Smith Called twice``: ``Called`` is none of them)."""
    lower = word.lower()
    for prefix in ("mc", "mac", "o'", "o’", "d'", "d’"):
        if (
            lower.startswith(prefix)
            and len(lower) > len(prefix) + 1
            and word[len(prefix)].isupper()
        ):
            lower = lower[len(prefix) :]
            break
    parts = lower.split("-")
    if any(p in _PROPER_HEADS or p in _NOT_GIVEN for p in parts):
        return False
    if any_word:
        return True
    return all(
        p in person_name_words() or (p not in english_words() and not p.endswith(_VERB_ENDS))
        for p in parts
    )


def given_name_spans(text: str) -> list[tuple[int, int, str]]:
    """Names in Latin letters with no word before them that says so: a given name of Faker's
    lists, up to two middle names or initials and a surname (``Met Justin Glass.``, ``Diana
    Lowery (…) asked``, ``for Dawn Colon``) — ``(start, end, given name)``. Not where a word
    of a place or a company follows (``Maple Street Grill``, ``Grant Thornton LLP``), nor
    where the pair starts a place's name (``San Jose``, ``Santa Clara``). After particles
    (``van``, ``de la``) the surname is any capitalised word."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    while (m := _GIVEN_PAIR.search(text, pos)) is not None:
        pos = m.end(
            "g"
        )  # a pair rejected: the next one may start at its second word (Met | Justin)
        given = m["g"]
        if not _given(given):
            continue
        if not _surname(m["s"], any_word=bool(m["p"])):
            continue
        middle = m["m"].split()
        if any(not (len(w) == 2 and w.endswith(".")) and not _surname(w) for w in middle):
            continue
        after = _NEXT_WORD.match(text, m.end())
        if after is not None and after[1].lower() in _PROPER_HEADS and after[1][0].isupper():
            continue
        out.append((m.start(), m.end(), given))
        pos = m.end()
    return out


_KOREAN_SURNAMES = lexicon.KOREAN_SURNAMES
_KOREAN_COMPOUND = lexicon.KOREAN_COMPOUND_SURNAMES
#: Hangul words that end in a division's or a street's syllable are places (``강원도``,
#: ``삼척시``, ``반포대길``, ``서초대거리``)
_KOREAN_PLACE_ENDS = frozenset("도시군구읍면동리로길가")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
#: Han (or kana) runs: one name's word (``劉哲瑋``), or two apart by a blank (``遠藤 美加子``)
_HAN_NAME = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]{0,4}"
    r"(?:[ ][\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]{0,3})?"
)
_HAN_OR_KANA = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]")
#: English words a person's name follows (``for 遠藤 美加子``, ``Met 劉哲瑋``), and a word in
#: lower case after one (``蔡文章 lives at``): a Chinese note's product words around a Han word
#: (``导出到 Excel 后发给 VIP 客户``) are neither
_LATIN_BEFORE = re.compile(
    r"(?<![A-Za-z])(?i:for|with|to|met|and|by|from|called|contact|contacted|dear|mr|mrs|ms"
    r"|dr|attn|cc|customer|client|buyer|seller|tenant|owner|name)\.?:?[ ]$"
)
_LATIN_AFTER = re.compile(r"[ ][a-z]{2,}(?:$|[ ,.;:!?)])")
_H = r"\u3400-\u9fff\uf900-\ufaff"
_K = r"\u3040-\u30ff"
#: The shape :func:`foreign_script_names` needs (Rust ``regex``, Python ``re``): a Hangul
#: word; a Latin word, a blank and one or two short Han words; or one or two short Han words
#: first, a blank and a word in lower case that is no e-mail (``邮箱 x@example.com``)
FOREIGN_SHAPE = (
    r"[\uac00-\ud7a3]{2}"
    rf"|[A-Za-z]{{2}} [{_H}]{{1,4}}(?:[ ][{_H}{_K}]{{1,4}})?(?:$|[^{_H}{_K}])"
    rf"|(?:^|[^{_H}{_K} ])[{_H}][{_H}{_K}]{{0,4}}(?:[ ][{_H}][{_H}{_K}]{{0,3}})? [a-z]{{2,}}(?:$|[ ,.;:!?)])"
)
_FOREIGN_SHAPE = re.compile(FOREIGN_SHAPE)


def _korean_name(word: str) -> bool:
    if not 2 <= len(word) <= 4 or word[-1] in _KOREAN_PLACE_ENDS:
        return False
    if word.startswith(_KOREAN_COMPOUND):
        return len(word) >= 3
    return word[0] in _KOREAN_SURNAMES and len(word) <= 3


def _alone(text: str, start: int, end: int, script: re.Pattern[str]) -> bool:
    """Whether ``text[start:end]`` has no character of ``script`` beside it, blanks aside:
    a word of another language's text, not one of a sentence in its own."""
    before = text[:start].rstrip(" ")
    after = text[end:].lstrip(" ")
    return not (before and script.match(before[-1])) and not (after and script.match(after[0]))


def foreign_script_names(text: str) -> list[tuple[int, int]]:
    """Names a Chinese model does not read, in Chinese or English notes: a Korean name in
    Hangul standing alone among other scripts' words (``客户 최지훈 的联系电话``, ``for 차경자,``:
    a common surname's syllable first, two or three syllables, no division's or street's last
    syllable), and a Han name, or a Japanese one with a blank, in an English sentence: after
    a word that a name follows or before a word in lower case (``Met 劉哲瑋.``, ``for 遠藤
    美加子, reach``, ``蔡文章 lives at``: one word with a surname of the lexicon, two words of
    any characters)."""
    if _FOREIGN_SHAPE.search(text) is None:
        return []
    out: list[tuple[int, int]] = []
    for m in _HANGUL_RUN.finditer(text):
        if _korean_name(m[0]) and _alone(text, m.start(), m.end(), _HANGUL_RUN):
            out.append(m.span())
    if " " in text:
        single, compound = lexicon.surnames()
        for m in _HAN_NAME.finditer(text):
            start, end = m.span()
            english = _LATIN_BEFORE.search(text[max(0, start - 12) : start]) or (
                _LATIN_AFTER.match(text, end)
            )
            if english is None or not _alone(text, start, end, _HAN_OR_KANA):
                continue
            if " " in m[0] or (
                2 <= end - start <= 4 and (m[0][0] in single or m[0][:2] in compound)
            ):
                out.append((start, end))
    return sorted(out)


def build(folder: Path) -> None:
    """Write the shipped word lists into ``folder`` (the package's ``prose`` folder), one
    word a line, sorted."""
    for name, words in (
        (NAMES_FILE, faker_person_words()),
        (ENGLISH_FILE, faker_english_words()),
        (GIVEN_FILE, faker_person_words(given_only=True)),
    ):
        (folder / name).write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(__file__).parent)
