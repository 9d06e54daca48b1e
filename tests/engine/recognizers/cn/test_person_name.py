from __future__ import annotations

import itertools

import polars as pl
import pytest

from baomi.engine.prose.lexicon import surnames
from baomi.engine.recognizers.cn.person_name import PersonNameRecognizer

R = PersonNameRecognizer()
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


@pytest.mark.parametrize(
    ("cell", "expected", "pattern"),
    [
        ("张伟", "张伟", "surname"),
        (" 李秀英 ", "李秀英", "surname"),
        ("欧阳明月", "欧阳明月", "surname"),
        ("司马光明", "司马光明", "surname"),
        ("傅欢", "傅欢", "surname"),
        ("萧玉英", "萧玉英", "surname"),
        ("陳大文", "陳大文", "surname"),  # traditional characters (Hong Kong, Taiwan)
        ("歐陽明", "歐陽明", "surname"),
        ("賴秀蘭", "賴秀蘭", "surname"),  # Taiwan's common surnames (Faker zh_TW's list)
        ("簡嘉慧", "簡嘉慧", "surname"),
        ("張簡志明", "張簡志明", "surname"),  # a Taiwanese compound surname
        ("王先生", "王", "surname_honorific"),
        ("陈静女士", "陈静", "surname"),
        ("刘小姐", "刘", "surname_honorific"),
        ("阿依·买买提", "阿依·买买提", "dotted_name"),
        ("阿依•买买提", "阿依•买买提", "dotted_name"),
        ("Ｚ张伟", None, None),
        ("北京", None, None),  # 北 is no surname in the lexicon
        ("张", None, None),  # one character
        ("张三丰丰丰", None, None),  # five characters
        ("张伟1", None, None),
        ("", None, None),
        ("·买买提", None, None),
        ("武汉", "武汉", "surname_or_place"),  # also a city: found, but not confirmed
        ("未知", None, None),  # placeholders, even where the first character is a surname
        ("保密", None, None),
        # names in Latin letters: a foreign customer, a name written in pinyin
        ("John Smith", "John Smith", "latin_name"),
        ("Wang Xiaoming", "Wang Xiaoming", "latin_name"),
        ("ZHANG San", "ZHANG San", "latin_name"),
        ("SMITH, John", "SMITH, John", "latin_name"),
        ("Mary-Jane O'Neil", "Mary-Jane O'Neil", "latin_name"),
        ("J. Tomaszewski", "J. Tomaszewski", "latin_name"),
        ("Grace", "Grace", "latin_word"),  # one word: found in a name column, lower
        ("Shanghai", "Shanghai", "latin_word"),  # a place spelled as names are
        ("Xyzqa Vrbnok", "Xyzqa Vrbnok", "latin_shape"),  # no listed spelling: its shape
        ("N/A", None, None),
        ("Unknown", None, None),
        ("VIP", None, None),  # one word that spells no name
        ("apple iphone", None, None),  # lower case and no name's spelling
        ("John Smith Jr Esq Fifth", None, None),  # five words
        ("John3 Smith", None, None),
        # a blank between surname and given name (Japan's forms, some Chinese ones), Korean
        # names in Hangul, Japanese ones in katakana: their shapes, found in a name column
        ("王 小明", "王 小明", "surname"),
        ("太田 真綾", "太田 真綾", "cjk_spaced"),
        ("김민준", "김민준", "hangul_name"),
        ("김 민준", "김 민준", "hangul_name"),
        ("スズキ イチロー", "スズキ イチロー", "kana_name"),
        ("スズキ・イチロー", "スズキ・イチロー", "kana_name"),
        ("太田 真綾 様子 x", None, None),
        # forms of address and degrees around a name in Latin letters: the name decides
        ("Dr. Jane Roe", "Dr. Jane Roe", "latin_name"),
        ("Sig.ra Margherita Scandone", "Sig.ra Margherita Scandone", "latin_name"),
        (
            "Dipl.-Ing. Gertrud Holzapfel B.Eng.",
            "Dipl.-Ing. Gertrud Holzapfel B.Eng.",
            "latin_name",
        ),
        ("John Smith Jr.", "John Smith Jr.", "latin_name"),
        ("Dr.", None, None),
        # a surname's particles are no words of their own
        ("Alain Lacroix de la Carlier", "Alain Lacroix de la Carlier", "latin_name"),
        (
            "Josephine van Liendert-van der Ploeg",
            "Josephine van Liendert-van der Ploeg",
            "latin_name",
        ),
    ],
)
def test_person_name_cells(cell: str, expected: str | None, pattern: str | None) -> None:
    found = R.analyze_cell(cell)
    if expected is None:
        assert found == []
        return
    (f,) = found
    assert cell[f.start : f.end] == expected
    assert f.explanation.pattern == pattern
    assert f.explanation.recognizer == "PersonNameRecognizer"
    assert f.score >= 0.5


def test_lexicon_has_common_single_and_compound_surnames() -> None:
    single, compound = surnames()
    assert {"王", "李", "张", "刘", "陈"} <= single
    assert {"欧阳", "司马", "诸葛", "上官"} <= compound
    assert len(single) > 300


def test_column_only_and_analyze_is_the_cell_decision() -> None:
    assert R.column_only
    assert [f.start for f in R.analyze("张伟")] == [0]


def test_vectorised_validation_agrees_with_per_value() -> None:
    single, compound = surnames()
    firsts = sorted(single)[:60] + sorted(compound)[:10] + ["北", "一", "的"]
    values = [
        a + "".join(b) for a, b in itertools.product(firsts, itertools.permutations(GIVEN[:6], 2))
    ]
    values += [
        "武汉",
        "成都市",
        "广东",
        "王先生",
        "李小红女士",
        "阿依·买买提",
        "张",
        "张伟1",
        "abc",
        "未知",
        "保密",
    ]
    vectorised = R.validate_series(pl.Series(values)).to_list()
    assert vectorised == [R.validate(v) for v in values]
    assert {True, False, None} <= set(vectorised)


@pytest.mark.parametrize("city", ["武汉", "成都", "南京", "广州", "黄山"])
def test_city_names_are_not_confirmed_names(city: str) -> None:
    assert R.validate(city) is None
