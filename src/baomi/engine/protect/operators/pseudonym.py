"""``pseudonym``: keyed (HMAC-SHA256), consistent pseudonyms that keep the entity's format.

The same value under the same key gives the same pseudonym in every file and run, so joins
still work. Identifiers with a numeric payload go through a keyed permutation
(:mod:`baomi.engine.protect.feistel`), so two different values never share a pseudonym:

* resident ID (GB 11643): a valid province code, a real birth date in the same birth-year
  band, the sex digit's parity kept, a recomputed check character;
* mobile: the allocated 3-digit prefix kept, the 8 subscriber digits permuted;
* bank card: the 6-digit issuer prefix kept, the account digits permuted, Luhn recomputed;
* name: a common surname and given-name characters (looks like a name; may collide);
* e-mail: a keyed local part at the original domain; other values with 6+ digits: the digits
  permuted in place; anything else: a keyed tag.

Numbers are pseudonymised by their canonical digits and written back in the value's own layout
(:mod:`baomi.engine.protect.spelling`), so ``6225 8818 …``, ``+86 138…`` and full-width
``１３８…`` keep their spelling and map like the plain digits.

GB/T 37964-2019 Annex A (pseudonymisation, "keyed coding"): de-identification, not
anonymisation (PIPL-73) — whoever holds the key can link pseudonyms across files.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hmac
import re
from functools import cache
from typing import ClassVar

from baomi.engine import checksums, divisions
from baomi.engine.checksums import is_valid_tw_id
from baomi.engine.prose import lexicon
from baomi.engine.protect.feistel import keyed_index, permute
from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import OperatorParams, PseudonymParams
from baomi.engine.protect.spelling import mobile_country_code, spelling
from baomi.engine.recognizers.generic.korean_address import DIVISIONS as KOREAN_DIVISIONS
from baomi.engine.recognizers.generic.phone import country_code_digits

_PROVINCES = tuple(sorted(checksums.PROVINCE_CODES))
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲菊兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡"
    "佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑"
    "婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
    "浩宇轩然子涵博文俊杰鹏飞志强建国海波天佑晨阳"
)
_ROADS = [
    "人民",
    "建设",
    "解放",
    "中山",
    "和平",
    "新华",
    "胜利",
    "光明",
    "幸福",
    "文化",
    "青年",
    "朝阳",
    "长江",
    "黄河",
    "东风",
]
#: The same roads in pinyin, for an address written in Latin letters
_ROADS_LATIN = [
    "Renmin",
    "Jianshe",
    "Jiefang",
    "Zhongshan",
    "Heping",
    "Xinhua",
    "Shengli",
    "Guangming",
    "Xingfu",
    "Wenhua",
    "Qingnian",
    "Chaoyang",
    "Changjiang",
    "Huanghe",
    "Dongfeng",
]
_EPOCH = _dt.date(1900, 1, 1)


def _perm_digits(digits: str, key: bytes, tweak: bytes) -> str:
    n = 10 ** len(digits)
    return str(permute(int(digits), n, key, tweak + str(len(digits)).encode())).zfill(len(digits))


def _resident_id(value: str, key: bytes, params: PseudonymParams, today: _dt.date) -> str | None:
    v = value.strip().upper()
    if len(v) != 18 or not checksums.is_valid_resident_id(v, today):
        return None
    born = _dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    band = max(params.birth_year_band, 1)
    start = max(_dt.date(born.year - (born.year - 1900) % band, 1, 1), _EPOCH)
    end = min(_dt.date(start.year + band, 1, 1) - _dt.timedelta(days=1), today)
    n_days = (end - start).days + 1
    parity = int(v[16]) % 2 if params.keep_sex else 0
    n_seq = 500 if params.keep_sex else 1000
    radices = (len(_PROVINCES), 10000, n_days, n_seq)
    prov = _PROVINCES.index(v[:2]) if v[:2] in _PROVINCES else 0
    seq = int(v[14:17]) // 2 if params.keep_sex else int(v[14:17])
    parts = (prov, int(v[2:6]), (born - start).days, seq)
    x = 0
    for part, radix in zip(parts, radices, strict=True):
        x = x * radix + part
    domain = 1
    for radix in radices:
        domain *= radix
    tweak = b"id|" + start.isoformat().encode() + bytes((parity,))
    y = permute(x, domain, key, tweak)
    out: list[int] = []
    for radix in reversed(radices):
        y, r = divmod(y, radix)
        out.append(r)
    p_prov, p_region, p_day, p_seq = reversed(out)
    region = f"{p_region:04d}"
    seq_s = f"{p_seq * 2 + parity:03d}" if params.keep_sex else f"{p_seq:03d}"
    first17 = (
        _PROVINCES[p_prov] + region + (start + _dt.timedelta(days=p_day)).strftime("%Y%m%d") + seq_s
    )
    return first17 + checksums.resident_id_check_char(first17)


#: A name of Han characters written with a blank (or an ideographic space) in it (王 小明,
#: a Japanese 遠藤 美加子)
_SPACED_NAME = re.compile("([\u4e00-\u9fff]{1,3})([ \u3000])([\u4e00-\u9fff]{1,3})")
#: A Korean name in Hangul, its surname (one or two syllables) and given name, with or without
#: a blank between them
_HANGUL_NAME = re.compile("([\uac00-\ud7a3]{1,2})([ \u3000]?)([\uac00-\ud7a3]{1,3})")
_KOREAN_SURNAMES = tuple(lexicon.KOREAN_SURNAMES)
#: Syllables of Korean given names to draw from
_KOREAN_GIVEN = "민서지현준영수우연은하진도윤성예재경태호혜유정승동아주희미숙자순훈"


def pseudonym_value(value: str, entity: str | None, key: bytes, params: PseudonymParams) -> str:
    """The pseudonym of one value under ``key`` (pure; tests call it directly).

    Numbers are pseudonymised by their canonical digits (full-width folded, separators and
    the +86 country code set aside, :mod:`baomi.engine.protect.spelling`) and written back
    into the value's own layout: ``6225 8818 …`` keeps its grouping, ``+86 138…`` its country
    code, full-width digits their width, and two spellings of one number get one pseudonym.
    """
    raw = value.strip()
    written = spelling(raw, check_x=entity == "CN_RESIDENT_ID")
    digits = written.digits
    if entity == "CN_RESIDENT_ID" and len(digits) == 18 and written.plain:
        out = _resident_id(digits, key, params, _dt.date.today())
        if out is not None:
            return written.fill(out)
    if entity == "CN_MOBILE":
        cc = mobile_country_code(digits)
        national = digits[cc:]
        if len(national) == 11 and national[0] == "1":
            tweak = b"mobile|" + national[:3].encode()
            return written.fill(digits[:cc] + national[:3] + _perm_digits(national[3:], key, tweak))
    if entity == "PHONE_NUMBER" and written.plain and (cc := country_code_digits(raw)):
        # the country or region and the national number's first digit kept (+852 9… stays a
        # Hong Kong mobile), the rest permuted
        kept = digits[: cc + 1]
        return written.fill(kept + _perm_digits(digits[cc + 1 :], key, b"phone|" + kept.encode()))
    if entity == "HK_ID" and (m := _HKID.fullmatch(raw)) is not None:
        # the letters kept, the six digits permuted, the check character computed again
        body = m[1].upper() + _perm_digits(m[2], key, b"hkid|" + m[1].upper().encode())
        check = checksums.hkid_check_char(body)
        return f"{m[1]}{body[len(m[1]) :]}" + (f"({check})" if m[3] else check)
    if entity == "TW_ID" and is_valid_tw_id(raw):
        # the area letter and the sex digit kept, seven digits permuted, the check again
        head = raw[:2]
        body = head + _perm_digits(raw[2:9], key, b"twid|" + head.upper().encode())
        return body + checksums.tw_id_check_digit(body)
    if entity == "BANK_CARD" and 16 <= len(digits) <= 19 and written.plain:
        body = digits[:6] + _perm_digits(digits[6:-1], key, b"card|" + digits[:6].encode())
        return written.fill(body + checksums.luhn_check_digit(body))
    if entity == "PERSON_NAME" and (spaced := _SPACED_NAME.fullmatch(raw)) is not None:
        # a blank between surname and given name (太田 真綾, 王 小明): the name's pseudonym,
        # the blank where it stood
        joined = pseudonym_value(spaced[1] + spaced[3], entity, key, params)
        return joined[: len(spaced[1])] + spaced[2] + joined[len(spaced[1]) :]
    if entity == "PERSON_NAME" and (korean := _korean_name(raw, key)) is not None:
        return korean
    if (
        entity == "PERSON_NAME"
        and 2 <= len(raw) <= 6
        and all("\u4e00" <= c <= "\u9fff" for c in raw)
    ):
        surname = _SURNAMES[keyed_index(raw, len(_SURNAMES), key, b"surname")]
        given = "".join(
            _GIVEN[keyed_index(raw, len(_GIVEN), key, b"given" + bytes((i,)))]
            for i in range(len(raw) - 1)
        )
        return surname + given
    if entity == "PERSON_NAME" and (latin := _latin_name(raw, key)) is not None:
        return latin
    if entity == "EMAIL" and "@" in raw:
        local_tag = base64.b32encode(hmac.digest(key, raw.lower().encode(), "sha256")[:10])
        return "u" + local_tag.decode().lower()[:11] + "@" + raw.rpartition("@")[2]
    if entity == "ADDRESS" and (korean := _korean_address(raw, key)) is not None:
        return korean
    if entity == "ADDRESS" and (latin := _latin_address(raw, key)) is not None:
        return latin
    if entity == "ADDRESS":
        div = divisions.parse(raw)
        road = _ROADS[keyed_index(raw, len(_ROADS), key, b"road")]
        number = keyed_index(raw, 999, key, b"no") + 1
        prefix = raw[: div.end] if div is not None else ""
        return f"{prefix}{road}路{number}号"
    body = digits.removesuffix("X")  # an ID's check character stays as it is
    if len(body) >= 6:  # permute the digits in place, keep letters and separators
        new = _perm_digits(body, key, b"digits|" + (entity or "").encode())
        return written.fill(new + digits[len(body) :])
    tag = hmac.digest(key, raw.encode("utf-8"), "sha256")[:6].hex()
    return f"{(entity or 'PSN')[:3]}_{tag}"


def _korean_name(raw: str, key: bytes) -> str | None:
    """A Korean name in Hangul as another under ``key``: a surname of as many syllables (one of
    the two-syllable ones for ``남궁민수``), given-name syllables for the rest, the blank where
    it stood. None for any other value."""
    m = _HANGUL_NAME.fullmatch(raw)
    if m is None or len(m[1]) + len(m[3]) < 2:
        return None
    joined = m[1] + m[3]
    compound = joined.startswith(lexicon.KOREAN_COMPOUND_SURNAMES) and len(joined) >= 3
    pool = lexicon.KOREAN_COMPOUND_SURNAMES if compound else _KOREAN_SURNAMES
    surname = pool[keyed_index(raw, len(pool), key, b"ko-surname")]
    given = "".join(
        _KOREAN_GIVEN[keyed_index(raw, len(_KOREAN_GIVEN), key, b"ko-given" + bytes((i,)))]
        for i in range(len(joined) - len(surname))
    )
    new = surname + given
    return new[: len(m[1])] + m[2] + new[len(m[1]) :]


#: A Korean address's province and cities, counties or districts (what a pseudonym keeps)
_KOREAN_DIVISIONS = re.compile(rf"{KOREAN_DIVISIONS}(?=[ ])")
#: Korean road names to draw from
_KOREAN_ROADS = (
    "중앙",
    "번영",
    "평화",
    "행복",
    "희망",
    "대학",
    "시청",
    "공원",
    "한강",
    "산업",
    "문화",
    "동산",
)


def _korean_address(raw: str, key: bytes) -> str | None:
    """A Korean address in Hangul as another road and building number in the same province
    and districts under ``key`` (``강원도 삼척시 테헤란8로 988-58`` → ``강원도 삼척시 평화로
    271``). None for any other value."""
    m = _KOREAN_DIVISIONS.match(raw)
    if m is None:
        return None
    road = _KOREAN_ROADS[keyed_index(raw, len(_KOREAN_ROADS), key, b"ko-road")]
    number = keyed_index(raw, 999, key, b"ko-no") + 1
    return f"{m[0]} {road}로 {number}"


def _latin_address(raw: str, key: bytes) -> str | None:
    """An address in Latin letters as another street in the same places under ``key``
    (``No. 88 Jianguo Road, Chaoyang District, Beijing 100022`` → ``271 Zhongshan Road,
    Chaoyang District, Beijing``): a keyed number and road, the original's street word, the
    places a mask shows. None for a value with Han characters."""
    if any("\u3400" <= c <= "\u9fff" for c in raw) or not any(c.isalpha() for c in raw):
        return None
    from baomi.engine.recognizers.generic.latin_address import shown_places, street_word

    road = _ROADS_LATIN[keyed_index(raw, len(_ROADS_LATIN), key, b"road")]
    number = keyed_index(raw, 999, key, b"no") + 1
    places = shown_places(raw.strip())
    return f"{number} {road} {street_word(raw)}" + (f", {places}" if places else "")


_HKID = re.compile(r"([A-Za-z]{1,2})(\d{6})(\()?[0-9Aa]\)?")

_LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-ž"
_LATIN_NAME = re.compile(rf"[{_LETTER}]+(?:[ ,.'\-]+[{_LETTER}]+){{0,5}}")
_LATIN_WORD = re.compile(f"[{_LETTER}]+")
#: A surname's particles, kept as written (``Édouard de la Torres``)
_PARTICLES = lexicon.SURNAME_PARTICLES


@cache
def _latin_pools() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Given names and surnames to draw from: Faker's en_US lists, and its zh_CN lists in
    pinyin (for a name written in pinyin)."""
    from faker.providers.person.en_US import Provider as English
    from faker.providers.person.zh_CN import Provider as Chinese

    return (
        tuple(English.first_names),
        tuple(English.last_names),
        tuple(Chinese.first_romanized_names),
        tuple(Chinese.last_romanized_names),
    )


def _latin_name(raw: str, key: bytes) -> str | None:
    """A name in Latin letters (``John Smith``, ``Wang Xiaoming``, ``SMITH, John``) as
    another of the same kind under ``key``: each word a keyed draw from given names, the
    surname's (the last word, or the one before a comma) from surnames — pinyin ones for a
    name written in pinyin — in the word's case (``SMITH``, ``john``); separators kept. None
    for any other value."""
    if not _LATIN_NAME.fullmatch(raw):
        return None
    from baomi.engine.prose.latin import is_pinyin

    words = list(_LATIN_WORD.finditer(raw))
    first, last, py_first, py_last = _latin_pools()
    # the surname: the word before a comma, else the last of two or more (Grace is a given
    # name) — in pinyin the first, where it is a surname (Wang Xiaoming)
    surname = 0 if "," in raw else len(words) - 1 if len(words) > 1 else -1
    if all(is_pinyin(w[0]) for w in words):
        first, last = py_first, py_last
        if len(words) > 1 and words[0][0].title() in last:
            surname = 0
    out, at = [], 0
    for i, w in enumerate(words):
        if 0 < i < len(words) - 1 and w[0] in _PARTICLES:  # de la, van der: as written
            continue
        pool = _LETTERS if len(w[0]) == 1 else last if i == surname else first  # J. → K.
        new = pool[keyed_index(raw, len(pool), key, b"latin|" + bytes((i,)))]
        if w[0].isupper() and (len(w[0]) > 1 or len(words) == 1):
            new = new.upper()
        elif w[0].islower():
            new = new.lower()
        out += [raw[at : w.start()], new]
        at = w.end()
    return "".join(out) + raw[at:]


class PseudonymOperator(Operator[PseudonymParams]):
    name: ClassVar[str] = "pseudonym"
    params_type: ClassVar[type[OperatorParams]] = PseudonymParams
    keeps_format: ClassVar[bool] = True

    def apply(
        self, value: str, entity: str | None, params: PseudonymParams, ctx: OperatorContext
    ) -> str:
        key = ctx.key("pseudonym", params.key_id, params.per_recipient)
        return pseudonym_value(value, entity, key, params)

    def recipient_specific(self, params: PseudonymParams) -> bool:
        return params.per_recipient
