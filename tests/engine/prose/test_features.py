"""Character features: one list per character, lexicon flags where expected."""

from __future__ import annotations

from baomi.engine.prose.features import sentence_features


def _feature(feats: list[str], prefix: str) -> str:
    return next(f for f in feats if f.startswith(prefix + "="))


def test_one_feature_list_per_character() -> None:
    text = "甲方：欧阳娜娜，电话13800001111，住深圳市南山区。"
    feats = sentence_features(text)
    assert len(feats) == len(text)
    assert all(len(f) == len(feats[0]) for f in feats)
    assert sentence_features("") == []


def test_digits_and_letters_share_symbols() -> None:
    a = sentence_features("编号12345")
    b = sentence_features("编号98760")
    assert a[3] == b[3]
    assert _feature(sentence_features("Tom")[0], "c") == "c=A"


def test_division_and_org_suffix_flags() -> None:
    text = "住深圳市的某某有限公司"
    feats = sentence_features(text)
    assert _feature(feats[1], "d").startswith("d=B")  # 深 starts 深圳市
    assert _feature(feats[3], "d").startswith("d=E")  # 市 ends it
    assert _feature(feats[7], "o").startswith("o=B")  # 有限公司
    assert _feature(feats[0], "d").startswith("d=-")


def test_name_shape_marks_surnames() -> None:
    feats = sentence_features("联系王伟")
    shape = _feature(feats[2], "n")[2:]  # window of five: 联 系 [王] 伟 $
    assert shape[2] in "sx"  # 王 is a surname
    assert shape[3] == "g"  # 伟 is a given-name character
    assert shape[4] == "$"
